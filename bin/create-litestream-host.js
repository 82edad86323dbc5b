#!/usr/bin/env -S node --
// `--` stops Node 20/22 from reading our own --env-file option as its own (nodejs/node#54232).
import '../dist/cli.js';
