#!/usr/bin/env node
// Plain `env node`: BusyBox env (Alpine) has no -S. Node 20+ reads an `--env-file FILE`
// anywhere on its command line, ours included (nodejs/node#54232): it leaves a FILE that
// exists to us, but a missing one stops Node itself ("node: FILE: not found", exit 9).
import { readFileSync } from 'node:fs';

// `--help` and `--version` alone are printed before anything else loads (the build writes them).
const args = process.argv.slice(2);
const text = args.length === 1 ? { '--help': 'help.txt', '-h': 'help.txt', '--version': 'version.txt', '-V': 'version.txt' }[args[0]] : undefined;
if (text) process.stdout.write(readFileSync(new URL(`../dist/${text}`, import.meta.url)));
else await import('../dist/cli.js');
