#!/usr/bin/env node
// Plain `env node`: BusyBox env (Alpine) has no -S. Node 20+ reads an `--env-file FILE`
// anywhere on its command line, ours included (nodejs/node#54232): it leaves a FILE that
// exists to us, but a missing one stops Node itself ("node: FILE: not found", exit 9).
import '../dist/cli.js';
