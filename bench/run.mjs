// Figures for start-up, SSH round trips and GitHub requests. No thresholds: it prints what it
// measured (median of N, with min–max) and says what it could not measure.
//
//   npm run bench          (builds dist/ first)
//
// Rows:
//   - `node -e 0` (the floor) and `--help`: wall time and time to first byte of output;
//   - `--demo --yes`: time to first byte and wall time, when the demo works;
//   - a full `--yes` run against a real sshd test host and the GitHub emulator
//     (bench/full-run.ts, the end-to-end tests' world), then the same with 100 ms added to
//     every GitHub request. Needs root and sshd; skipped with a note otherwise.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'create-litestream-host.js');
const N_START = 15;
const N_DEMO = 5;
const N_FULL = 3;
const LATENCY_MS = 100;

const rows = [];
const notes = [];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : `${Math.round(x)} ms`);
const num = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const range = (xs, fmt) => (xs.length > 1 ? `${fmt(Math.min(...xs))} – ${fmt(Math.max(...xs))}` : '');

/** A row from N samples: the median, with min–max when N > 1. */
function row(label, samples, fmt = ms, note = '') {
  const xs = samples.filter((x) => typeof x === 'number' && !Number.isNaN(x));
  rows.push([label, xs.length ? fmt(median(xs)) : '–', xs.length ? range(xs, fmt) : '', String(xs.length), note]);
}
const text = (label, value, n, note = '') => rows.push([label, value, '', String(n), note]);
/** A figure computed from other rows' medians, not sampled itself. */
const derived = (label, value, note) => rows.push([label, ms(value), '', '', note]);
const section = (title) => rows.push([`— ${title}`, '', '', '', '']);

/** Spawns node with args; resolves wall time, time to first output byte, exit code, output. */
function timeSpawn(args, { env = process.env, timeoutMs = 60_000, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const p = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let first = null;
    let out = '';
    const onData = (d) => {
      if (first === null) first = since();
      if (out.length < 20_000) out += d;
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ wall: since(), ttfb: first, code: code ?? (signal ? 128 : 1), out });
    });
  });
}

async function repeat(n, args, opts) {
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await timeSpawn(args, opts));
  return runs;
}

// ------------------------------------------------------------------ start-up
async function startup() {
  section('start-up');
  // Warm the file cache, then alternate the two so a noisy neighbour hits both alike.
  await timeSpawn(['-e', '0']);
  await timeSpawn([BIN, '--help']);
  const floor = [];
  const help = [];
  for (let i = 0; i < N_START; i++) {
    floor.push(await timeSpawn(['-e', '0']));
    help.push(await timeSpawn([BIN, '--help']));
  }
  row('node -e 0 (floor): wall', floor.map((r) => r.wall));
  const bad = help.find((r) => r.code !== 0);
  if (bad) notes.push(`--help exited ${bad.code}: ${bad.out.slice(0, 200)}`);
  row('--help: wall', help.map((r) => r.wall));
  row('--help: first byte of output', help.map((r) => r.ttfb));
  derived('--help: wall minus floor', median(help.map((r) => r.wall)) - median(floor.map((r) => r.wall)), 'difference of the medians');
}

// ------------------------------------------------------------------ first frame on a terminal
/**
 * What a user feels first: from spawn to the wizard's intro on a pseudo-terminal (util-linux
 * `script` gives the program a pty), then the wizard is killed at its first question.
 */
function firstFrame(args, env) {
  return new Promise((resolve) => {
    const cmd = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
    const t0 = process.hrtime.bigint();
    const p = spawn('script', ['-qfec', cmd, '/dev/null'], { env, cwd: tmpdir(), stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    let out = '';
    let done = false;
    const finish = (v) => {
      if (done) return;
      done = true;
      try { process.kill(-p.pid, 'SIGKILL'); } catch {}
      resolve(v);
    };
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('create-litestream-host')) finish(Number(process.hrtime.bigint() - t0) / 1e6);
    });
    p.on('close', () => finish(null));
    setTimeout(() => finish(null), 15_000);
  });
}

async function firstFrames() {
  section('first frame on a terminal (the wizard\'s intro)');
  const probe = spawn('script', ['--version'], { stdio: 'ignore' });
  const ok = await new Promise((r) => { probe.on('error', () => r(false)); probe.on('close', (c) => r(c === 0)); });
  if (!ok) return text('first frame', 'skipped', 0, 'needs util-linux `script`');
  const home = mkdtempSync(join(tmpdir(), 'clh-bench-tty-'));
  const env = { PATH: process.env.PATH, HOME: home, TERM: 'xterm-256color' };
  try {
    for (const [label, args] of [['wizard', []], ['--demo', ['--demo']]]) {
      await firstFrame(args, env);
      const xs = [];
      for (let i = 0; i < 10; i++) xs.push(await firstFrame(args, env));
      row(`${label}: spawn to intro on a pty`, xs, ms, 'includes `script` start-up (~5 ms)');
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ demo
async function demo() {
  section('--demo --yes');
  const home = mkdtempSync(join(tmpdir(), 'clh-bench-demo-'));
  const env = { PATH: process.env.PATH, HOME: home, CI: '1' };
  try {
    const probe = await timeSpawn([BIN, '--demo', '--yes'], { env, timeoutMs: 60_000 });
    if (probe.code !== 0) {
      const why = probe.out.trim().split('\n').slice(-1)[0] ?? '';
      text('--demo --yes', 'skipped', 1, `exits ${probe.code}: "${why.slice(0, 60)}"`);
      return;
    }
    const runs = [probe, ...(await repeat(N_DEMO - 1, [BIN, '--demo', '--yes'], { env, timeoutMs: 60_000 }))];
    const failed = runs.filter((r) => r.code !== 0).length;
    row('--demo --yes: first byte of output', runs.map((r) => r.ttfb), ms, failed ? `${failed} run(s) failed` : '');
    row('--demo --yes: wall', runs.map((r) => r.wall));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ full runs
async function fullRuns(latency) {
  const args = ['--import', 'tsx', join(ROOT, 'bench', 'full-run.ts'), '--runs', String(N_FULL), '--latency', String(latency)];
  const r = await timeSpawn(args, { timeoutMs: 120_000 });
  const line = r.out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.code !== 0 || !line) throw new Error(`bench/full-run.ts exited ${r.code}:\n${r.out.slice(-2000)}`);
  return JSON.parse(line);
}

function reportFull(res, latency) {
  const title = latency ? `full --yes run, +${latency} ms per GitHub request` : 'full --yes run, local servers';
  section(`${title} (${res.mix})`);
  const runs = res.runs;
  const failed = runs.filter((x) => !x.ok);
  for (const f of failed) notes.push(`a full run (${title}) exited ${f.exit}:\n${f.tail ?? ''}`);
  const ok = runs.filter((x) => x.ok);
  if (!ok.length) {
    text(title, 'failed', runs.length, 'see notes');
    return;
  }
  const g = (f) => ok.map(f);
  const note = failed.length ? `${failed.length} of ${runs.length} failed` : '';
  row('wall (spawn to exit)', g((x) => x.wallMs), ms, note);
  row('  first GitHub request after spawn', g((x) => x.timeline.firstGithub), ms, 'node start-up, options, repo read');
  row('  first secret PUT after spawn', g((x) => x.timeline.firstPut), ms, 'the SSH steps come before');
  row('  release dispatched after spawn', g((x) => x.timeline.dispatch));
  if (!latency) {
    row('SSH connections', g((x) => x.ssh.connections), num, `"Accepted publickey": ${fmtMap(ok[0].ssh.byUser)}`);
    row('SSH exec round trips', g((x) => x.ssh.execs), num, '"Starting session: command" (sshd VERBOSE)');
    const other = g((x) => x.ssh.sftp + x.ssh.shells);
    if (other.some((v) => v > 0)) row('SSH sftp/shell sessions', other, num);
  }
  row('GitHub requests, total', g((x) => x.github.total), num, `by method: ${fmtMap(ok[0].github.byMethod)}`);
  row('  of which following the run', g((x) => x.github.runPolls), num, 'GET /actions/runs/…; depends on poll interval');
  row('  answered ≥ 300', g((x) => x.github.non2xx), num, 'e.g. a 404 for a compose file that is not there');
  row('GitHub max concurrent', g((x) => x.github.maxConcurrent), num, 'emulator stats()');
  if (latency) {
    const n = ok[0].github.secretPuts;
    const put = median(ok.flatMap((x) => x.github.secretPutMs));
    row(`secrets phase (${n} PUTs, first start → last end)`, g((x) => x.github.secretsPhaseMs));
    derived(`  same ${n} PUTs at 1 per second`, (n - 1) * 1000 + put, `(n−1) × 1 s + one PUT (median ${Math.round(put)} ms)`);
    derived(`  same ${n} PUTs one at a time`, n * put, 'n × one PUT');
  }
}

const fmtMap = (m) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

function print() {
  const head = ['figure', 'median', 'min – max', 'N', 'note'];
  const body = rows.filter((r) => !r[0].startsWith('— '));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(r[0].startsWith('— ') ? `\n${r[0]}` : line(r));
  if (notes.length) {
    console.log('\nNotes:');
    for (const n of notes) console.log(`- ${n}`);
  }
}

// ------------------------------------------------------------------ main
if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
  console.error('dist/cli.js is missing: run `npm run bench` (it builds first) or `npm run build`.');
  process.exit(1);
}
const started = Date.now();
console.log(`create-litestream-host bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}`);
console.log('(median of N samples, with min – max; rows without N are computed from other rows; no pass/fail)\n');

await startup();
await firstFrames();
await demo();
for (const latency of [0, LATENCY_MS]) {
  try {
    const res = await fullRuns(latency);
    if (res.skipped) {
      section(latency ? `full --yes run, +${latency} ms per GitHub request` : 'full --yes run, local servers');
      text('full --yes run', 'skipped', 0, res.skipped);
      if (!latency) notes.push(`full runs skipped: ${res.skipped}`);
      if (!latency) break;
      continue;
    }
    reportFull(res, latency);
  } catch (e) {
    text(`full --yes run (+${latency} ms)`, 'error', 0, 'see notes');
    notes.push(String(e?.message ?? e));
  }
}
notes.push(
  'SSH counts come from the test sshd\'s log (LogLevel VERBOSE): connections = "Accepted publickey", exec round trips = "Starting session: command". ' +
    'GitHub figures come from the emulator (stats() and its request log). Full runs include node start-up; each uses a fresh host and emulator. ' +
    'The emulated release takes ~100 ms and is polled every 20 ms (CLH_POLL_MS), so with added latency fewer polls are needed: compare the secrets rows, not the totals.',
);
print();
console.log(`\nbench took ${((Date.now() - started) / 1000).toFixed(1)} s`);
