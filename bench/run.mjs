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
//     every GitHub request. Needs root and sshd; skipped with a note otherwise;
//   - what each Docker repair of --install-docker adds to a full run, per scenario of the
//     docker stand-in, against the `ok` baseline (bench/docker-fixes.ts; root and sshd);
//   - the storage check's and the restore drill's wall time, round trips and memory for a
//     1 MB and a 100 MB replica on s3rver and SFTP (bench/drill.ts; root, sshd, the litestream
//     package, sqlite3 and GNU time).
//
// Groups: startup, tty, demo, full, docker, drill, verify. Run only some with
//   node bench/run.mjs --only docker,drill        (or BENCH_ONLY=docker,drill)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'create-litestream-host.js');
const N_START = 15;
const N_DEMO = 5;
const N_FULL = 3;
const N_DOCKER = 3;
const N_DRILL = 3;
const GROUPS = ['startup', 'tty', 'demo', 'full', 'docker', 'drill', 'verify'];
const N_VERIFY = 3;
const onlyArg = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : process.env.BENCH_ONLY;
const only = onlyArg ? onlyArg.split(',').map((g) => g.trim()) : GROUPS;
for (const g of only) {
  if (GROUPS.includes(g)) continue;
  console.error(`--only: unknown group ${g} (groups: ${GROUPS.join(', ')})`);
  process.exit(2);
}
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

// ------------------------------------------------------------------ Docker repairs (issue 11)
/** Runs a bench/*.ts helper under tsx and returns its last JSON line. */
async function helper(file, args, timeoutMs) {
  const r = await timeSpawn(['--import', 'tsx', join(ROOT, 'bench', file), ...args], { timeoutMs });
  const line = r.out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.code !== 0 || !line) throw new Error(`bench/${file} exited ${r.code}:\n${r.out.slice(-2000)}`);
  return JSON.parse(line);
}

const signed = (x, unit = '') => `${x >= 0 ? '+' : '−'}${Math.abs(Math.round(x))}${unit}`;

async function dockerFixes() {
  section('Docker repairs under --install-docker: a full --yes run per scenario (fresh host each)');
  let res;
  try {
    res = await helper('docker-fixes.ts', ['--runs', String(N_DOCKER)], 900_000);
  } catch (e) {
    text('Docker repairs', 'error', 0, 'see notes');
    return notes.push(String(e?.message ?? e));
  }
  if (res.skipped) return text('Docker repairs', 'skipped', 0, res.skipped);
  const ok = (s) => s.samples.filter((x) => x.ok);
  const base = res.scenarios.find((s) => s.scenario === 'ok');
  const med = (s, f) => median(ok(s).map(f));
  for (const s of res.scenarios) {
    for (const f of s.samples.filter((x) => !x.ok)) notes.push(`Docker repair run (${s.scenario}) exited ${f.exit}:\n${f.tail ?? ''}`);
    if (!ok(s).length) {
      text(`${s.scenario}: ${s.label}`, 'failed', s.samples.length, 'see notes');
      continue;
    }
    const isBase = s === base;
    const diff = (f, unit) => (isBase || !base || !ok(base).length ? '' : `${signed(med(s, f) - med(base, f), unit)} vs baseline`);
    rows.push([`· ${s.scenario}: ${s.label}`, '', '', '', '']);
    row('  SSH connections', ok(s).map((x) => x.connections), num, diff((x) => x.connections, ' connections'));
    row('  SSH exec round trips', ok(s).map((x) => x.execs), num, diff((x) => x.execs, ' execs'));
    row('  wall (spawn to exit)', ok(s).map((x) => x.wallMs), ms, diff((x) => x.wallMs, ' ms'));
    if (!isBase) row('  apt-get/curl/systemctl calls', ok(s).map((x) => x.apt), num, 'the stand-ins\' log (h.aptLog())');
  }
  notes.push(`Docker repairs: mix ${res.mix}, login and deploy user tester, --install-docker --no-verify; differences are of the medians; the stand-in's apt "installs" in a few ms, a real one takes a minute or more, so the wall differences here are mostly the extra round trips and the noise of a shared machine (compare them with the min – max).`);
}

// ------------------------------------------------------------------ storage check and restore drill (issue 10)
const mb = (bytes) => (bytes === null || bytes === undefined || Number.isNaN(bytes) ? '–' : `${(bytes / 1048576).toFixed(1)} MB`);

async function drill() {
  section('storage check and restore drill (the program\'s scripts over one SSH connection, real Litestream v0.3.13)');
  let res;
  try {
    res = await helper('drill.ts', ['--runs', String(N_DRILL)], 1_200_000);
  } catch (e) {
    text('storage check and drill', 'error', 0, 'see notes');
    return notes.push(String(e?.message ?? e));
  }
  if (res.skipped) return text('storage check and drill', 'skipped', 0, res.skipped);
  const server = { s3: 'S3 (s3rver)', sftp: 'SFTP (OpenSSH)' };
  for (const r of res.results) {
    const s = r.samples;
    const bad = s.filter((x) => x.drill.restoreExit !== '0' || x.drill.integrity !== 'ok' || !x.check.sawGeneration);
    for (const b of bad) notes.push(`drill ${r.kind} ${r.mb} MB: check exit ${b.check.exit}, generation seen ${b.check.sawGeneration}, restore ${b.drill.restoreExit}, integrity ${b.drill.integrity}\n${b.drill.tail ?? ''}`);
    rows.push([`· ${server[r.kind] ?? r.kind}, ${r.mb} MB database (${mb(r.dbBytes)}; replica seeded in ${(r.seedMs / 1000).toFixed(1)} s)`, '', '', '', '']);
    row('  storage check (replicaListArgv): wall', s.map((x) => x.check.ms), ms, `${fmtSet(s.map((x) => x.check.execs))} exec round trip(s) each${bad.length ? `; ${bad.length} bad, see notes` : ''}`);
    row('  restore drill (restoreDrillArgv): wall', s.map((x) => x.drill.ms), ms, `${fmtSet(s.map((x) => x.drill.execs))} exec round trip(s) each`);
    row('    of which `litestream restore`', s.map((x) => (x.drill.restoreWallS ?? NaN) * 1000), ms, 'GNU time %e on the host; the rest is docker run, sqlite3 integrity_check');
    row('  drill: restored size', s.map((x) => x.drill.restoredBytes), mb, '@@size of the temp file');
    row('  host: `litestream restore` peak RSS', s.map((x) => (x.drill.restoreMaxRssKb ?? NaN) * 1024), mb, 'GNU time %M (ru_maxrss from wait4), not polled');
    row('  program: RSS growth during the check', s.map((x) => x.check.rssGrowth), mb, 'peak − before, sampled every 10 ms');
    row('  program: RSS growth during the drill', s.map((x) => x.drill.rssGrowth), mb, `same; bench RSS ~${mb(res.rssBaseline)}`);
    text('  SSH connections for all of the above', String(r.connections), 1, `${r.execsCounted} execs on it (session stats)`);
  }
}

const fmtSet = (xs) => [...new Set(xs)].join('/');

// ------------------------------------------------------------------ the checks of the outcome (issue 10)
async function verifyRuns() {
  section('the checks of the outcome: a full run whose release deploys (real sidecar, s3rver), then --verify');
  let res;
  try {
    res = await helper('verify.ts', ['--runs', String(N_VERIFY)], 600_000);
  } catch (e) {
    text('checks of the outcome', 'error', 0, 'see notes');
    return notes.push(String(e?.message ?? e));
  }
  if (res.skipped) return text('checks of the outcome', 'skipped', 0, res.skipped);
  for (const r of [res.full, ...res.verify].filter((x) => !x.ok)) notes.push(`verify bench: exit ${r.exit}\n${r.tail ?? ''}`);
  const v = res.verify;
  const check = (id) => v.map((x) => x.checks[id] ?? NaN);
  row('full run with the checks: wall', [res.full.wallMs], ms, `${res.full.logins} SSH logins, ${res.full.execs} exec round trips, the emulated deploy job's included`);
  row('  its checks: containers + log + replica read', [res.full.checks['outcome-containers'] ?? NaN], ms, 'one round trip (after the release the host may still be settling)');
  row('  its checks: restore drill', [res.full.checks['restore-drill'] ?? NaN], ms);
  row('  its checks: HTTPS', [res.full.checks.https ?? NaN], ms, 'a loopback site, certificate already there');
  row('--verify: wall', v.map((x) => x.wallMs), ms, 'spawn to exit');
  row('--verify: SSH logins', v.map((x) => x.logins), num);
  row('--verify: exec round trips', v.map((x) => x.execs), num, 'probe, storage check, outcome read, drill');
  row('  storage check', check('inspect-storage'), ms);
  row('  containers + log + replica (one read)', check('outcome-containers'), ms);
  row('  restore drill', check('restore-drill'), ms);
  row('  HTTPS', check('https'), ms);
}

const fmtMap = (m) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

function print() {
  const head = ['figure', 'median', 'min – max', 'N', 'note'];
  // Section titles (— ) and sub-headings (· ) stand alone: they do not widen the columns.
  const body = rows.filter((r) => !r[0].startsWith('— ') && !r[0].startsWith('· '));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(r[0].startsWith('— ') ? `\n${r[0]}` : r[0].startsWith('· ') ? r[0].slice(2) : line(r));
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
// Other work may share the machine: the load average beside the figures says how far to trust wall times.
const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');
console.log(`load average at start: ${load()}`);
console.log('(median of N samples, with min – max; rows without N are computed from other rows; no pass/fail)\n');

if (only.includes('startup')) await startup();
if (only.includes('tty')) await firstFrames();
if (only.includes('demo')) await demo();
for (const latency of only.includes('full') ? [0, LATENCY_MS] : []) {
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
if (only.includes('docker')) await dockerFixes();
if (only.includes('drill')) await drill();
if (only.includes('verify')) await verifyRuns();
notes.push(
  'SSH counts come from the test sshd\'s log (LogLevel VERBOSE): connections = "Accepted publickey", exec round trips = "Starting session: command". ' +
    'GitHub figures come from the emulator (stats() and its request log). Full runs include node start-up; each uses a fresh host and emulator. ' +
    'The emulated release takes ~100 ms and is polled every 20 ms (CLH_POLL_MS), so with added latency fewer polls are needed: compare the secrets rows, not the totals.',
);
print();
console.log(`\nbench took ${((Date.now() - started) / 1000).toFixed(1)} s; load average at the end: ${load()}`);
