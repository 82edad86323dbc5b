/**
 * Issue 12, the package as npm ships it: the packed tarball's contents, the licences, the
 * installed bin under GNU env and BusyBox env (Alpine's), and options through npm exec and
 * npm create, including the ones npm keeps for itself. Everything offline: a local tarball,
 * a temporary cache and npm configuration, no registry. `npm test` builds dist/ first (this
 * file packs with --ignore-scripts, so it never rebuilds dist/ under the other tests).
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; repository: { url: string }; homepage: string; bugs: { url: string } };
const NODE_DIR = dirname(process.execPath);
const CANONICAL = 'github.com/create-litestream-host/create-litestream-host';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], o: { env: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd ?? work, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function which(cmd: string): string | undefined {
  for (const d of `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin:/sbin:/bin`.split(':')) if (d && existsSync(join(d, cmd))) return join(d, cmd);
  return undefined;
}

/** A requirement this machine lacks: a failure on CI (.ci/run installs it), a skip elsewhere. */
function lacking(t: TestContext, what: string): void {
  if (process.env.CI) assert.fail(`CI: ${what} (.ci/run installs it)`);
  t.skip(what);
}

let work: string;
let tarball: string;
let packed: { size: number; unpackedSize: number; files: { path: string; size: number }[] };
let prefix: string;
let installedBin: string;
/** npm with nothing from this machine: empty user and global configuration, its own cache. */
let npmEnv: Record<string, string>;
/** The program's environment: no npm_* variables unless a test adds them. */
let binEnv: Record<string, string>;

const npm = (args: string[], cwd = work) => run('npm', args, { env: npmEnv, cwd, timeoutMs: 120_000 });

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist', 'cli.js')) && existsSync(join(ROOT, 'THIRD-PARTY-NOTICES')), 'run `npm run build` first (npm test does)');
  work = mkdtempSync(join(tmpdir(), 'clh-package-'));
  for (const f of ['npmrc-user', 'npmrc-global']) writeFileSync(join(work, f), '');
  npmEnv = {
    PATH: `${NODE_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: join(work, 'home'),
    npm_config_userconfig: join(work, 'npmrc-user'),
    npm_config_globalconfig: join(work, 'npmrc-global'),
    npm_config_cache: join(work, 'cache'),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
  };
  binEnv = { PATH: npmEnv.PATH!, HOME: npmEnv.HOME!, CI: '1' };
  mkdirSync(npmEnv.HOME!);
  const p = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  assert.equal(p.code, 0, p.stderr);
  const info = (JSON.parse(p.stdout) as (typeof packed & { filename: string })[])[0]!;
  packed = info;
  tarball = join(work, info.filename);
  prefix = join(work, 'project');
  mkdirSync(prefix);
  // A project that depends on the tarball: where `npm create litestream-host` finds it offline.
  writeFileSync(join(prefix, 'package.json'), '{ "name": "project", "version": "1.0.0", "private": true }\n');
  const i = await npm(['install', '--prefix', prefix, tarball]);
  assert.equal(i.code, 0, i.stderr);
  installedBin = join(prefix, 'node_modules', '.bin', 'create-litestream-host');
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the bin, the bundle, the assets, the licences and the README\'s pictures; no sources or tests', (t) => {
  const files = packed.files.map((f) => f.path);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'THIRD-PARTY-NOTICES', 'bin/create-litestream-host.js', 'dist/cli.js', 'dist/help.txt', 'dist/version.txt', 'assets/nginx-proxy-bridge.yml', 'assets/nginx-proxy-network.yml'])
    assert.ok(files.includes(f), f);
  const pictures = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.ok(pictures.length >= 2, 'the README shows pictures');
  for (const p of pictures) assert.ok(files.includes(p), `README picture ${p} is in the package`);
  for (const f of files) {
    assert.doesNotMatch(f, /^(src|test|scripts|bench|\.build|\.ci|node_modules)\//, f);
    assert.doesNotMatch(f, /\.(tsx?|map)$|\.LEGAL\.txt$/, f);
  }
  assert.ok(files.some((f) => f.startsWith('dist/chunks/')), 'the code-split chunks');
  assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /^MIT License\n[\s\S]*Permission is hereby granted/);
  assert.equal((PKG as unknown as { license: string }).license, 'MIT');
  assert.equal(PKG.repository.url, `git+https://${CANONICAL}.git`);
  assert.equal(PKG.homepage, `https://${CANONICAL}#readme`);
  assert.equal(PKG.bugs.url, `https://${CANONICAL}/issues`);
  t.diagnostic(`packed ${packed.size} B, unpacked ${packed.unpackedSize} B, ${files.length} files`);
});

test('THIRD-PARTY-NOTICES carries the licence text of every package in the bundle, and only those', () => {
  const meta = JSON.parse(readFileSync(join(ROOT, '.build', 'metafile.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  // The metafile is this dist/'s: the same code files, no more, no fewer (help.txt and
  // version.txt are text the build writes beside them, with no code of any package).
  const dist = readdirSync(join(ROOT, 'dist'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && d.name.endsWith('.js')).map((d) => join(d.parentPath ?? d.path, d.name).slice(ROOT.length + 1).split('\\').join('/'));
  assert.deepEqual([...dist].sort(), Object.keys(meta.outputs).sort());
  const dirs = new Set<string>();
  for (const o of Object.values(meta.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(o.inputs)) {
      const at = input.lastIndexOf('node_modules/');
      if (at < 0 || bytesInOutput === 0) continue;
      const parts = input.slice(at + 'node_modules/'.length).split('/');
      dirs.add(input.slice(0, at) + 'node_modules/' + parts.slice(0, parts[0]!.startsWith('@') ? 2 : 1).join('/'));
    }
  assert.ok(dirs.size > 20, `bundled packages: ${dirs.size}`);
  const notices = readFileSync(join(ROOT, 'THIRD-PARTY-NOTICES'), 'utf8');
  const sections = notices.split(/^={79}\n/m);
  const listed = new Set([...notices.split('\n\n')[1]!.matchAll(/^ {2}(\S+) (\S+) \(/gm)].map((m) => `${m[1]} ${m[2]}`));
  const bundled = new Set<string>();
  for (const dir of dirs) {
    const pj = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; version: string };
    const id = `${pj.name} ${pj.version}`;
    bundled.add(id);
    // Its section: the header line, then its licence files' texts.
    const at = sections.findIndex((s) => s.startsWith(`${id} (`));
    assert.ok(at > 0, `${id} has a section`);
    const body = sections[at + 1]!;
    const files = readdirSync(join(ROOT, dir)).filter((f) => /^(licen[cs]e|copying|notice)([.-].*)?$/i.test(f));
    const kept = join(ROOT, 'scripts', 'licenses', `${pj.name.replace('/', '__')}.txt`);
    const texts = files.length ? files.map((f) => readFileSync(join(ROOT, dir, f), 'utf8')) : [readFileSync(kept, 'utf8')];
    for (const text of texts) assert.ok(body.includes(text.replace(/\r\n/g, '\n').trim()), `${id}: its licence text is in the notices`);
  }
  assert.deepEqual([...listed].sort(), [...bundled].sort(), 'the list at the top names exactly the bundled packages');
  // The WebSocket library only Ink's devtools used is not in the bundle.
  assert.ok(![...bundled].some((id) => /^(ws|react-devtools-core) /.test(id)), 'no ws, no react-devtools-core');
  for (const f of dist) assert.ok(!readFileSync(join(ROOT, f), 'utf8').includes('258EAFA5-E914-47DA-95CA-C5AB0DC85B11'), `${f} carries no WebSocket code`);
});

test('DEV=true in the environment leaves the bundled Ink alone (no devtools, no crash)', async () => {
  const meta = JSON.parse(readFileSync(join(ROOT, '.build', 'metafile.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const chunk = Object.entries(meta.outputs).find(([, o]) => Object.keys(o.inputs).some((i) => i.endsWith('node_modules/ink/build/reconciler.js')))?.[0];
  assert.ok(chunk, 'the chunk with Ink\'s reconciler');
  // Before: Ink warned about react-devtools-core, then read dist/package.json and crashed (ENOENT).
  const r = await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(ROOT, chunk))}); console.log('loaded')`], { env: { ...binEnv, DEV: 'true' } });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'loaded\n');
  assert.equal(r.code, 0);
});

test('the installed bin: shebang `#!/usr/bin/env node`, runs under GNU env; --env-file as Node treats it', async () => {
  const text = readFileSync(installedBin, 'utf8');
  assert.equal(text.split('\n')[0], '#!/usr/bin/env node');
  const gnu = await run('/usr/bin/env', ['--version'], { env: binEnv });
  assert.match(gnu.stdout, /GNU coreutils/, 'this machine\'s /usr/bin/env is GNU env');
  const v = await run(installedBin, ['--version'], { env: binEnv });
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, `${PKG.version}\n`);
  // A file that exists reaches the program (it reads it, then names what is still missing)...
  const file = join(work, 'present.env');
  writeFileSync(file, 'GH_TOKEN=x\n');
  const present = await run(installedBin, ['--yes', '--env-file', file], { env: binEnv });
  assert.equal(present.code, 2, present.stderr);
  assert.match(present.stderr, /--host is required/);
  assert.doesNotMatch(present.stderr, /GH_TOKEN|GitHub token/, 'the token came from the file');
  // ... a missing one is Node's (README: "A file named by --env-file that does not exist").
  for (const args of [['--env-file', join(work, 'missing.env')], [`--env-file=${join(work, 'missing.env')}`]]) {
    const missing = await run(installedBin, ['--yes', ...args], { env: binEnv });
    assert.equal(missing.code, 9);
    assert.equal(missing.stderr, `node: ${join(work, 'missing.env')}: not found\n`);
  }
});

test('the installed bin under BusyBox env, as the kernel runs its shebang', async (t) => {
  const busybox = which('busybox');
  if (!busybox) return lacking(t, 'busybox is not installed (apt-get install busybox)');
  // The shebang `#!/usr/bin/env ARG` makes the kernel run `/usr/bin/env ARG FILE args`, ARG
  // being the rest of the line as one argument. First the same with `busybox env` in the
  // place of /usr/bin/env: the old `-S node --` line fails there, ours works.
  const oldLine = '-S node --';
  const old = await run(busybox, ['env', oldLine, installedBin, '--version'], { env: binEnv });
  assert.notEqual(old.code, 0);
  assert.match(old.stderr, /invalid option -- 'S'/);
  const ours = readFileSync(installedBin, 'utf8').split('\n')[0]!.slice('#!/usr/bin/env '.length);
  const viaBusybox = await run(busybox, ['env', ours, installedBin, '--version'], { env: binEnv });
  assert.equal(viaBusybox.code, 0, viaBusybox.stderr);
  assert.equal(viaBusybox.stdout, `${PKG.version}\n`);

  // Then the kernel itself, in a private mount namespace where /usr/bin/env is BusyBox.
  const unshare = which('unshare');
  if (!unshare) return lacking(t, 'unshare (util-linux) is missing');
  const control = join(work, 'old-shebang.js');
  writeFileSync(control, `#!/usr/bin/env ${oldLine}\nconsole.log('ran');\n`);
  chmodSync(control, 0o755);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    `mount --bind ${q(busybox)} /usr/bin/env || exit 90`,
    `/usr/bin/env --help 2>&1 | head -n 1`,
    `${q(control)} 2>&1; echo "control-exit=$?"`,
    `exec ${q(installedBin)} --version`,
  ].join('\n');
  const asRoot = process.getuid?.() === 0;
  const ns = await run(unshare, [...(asRoot ? [] : ['-r']), '-m', '--propagation', 'private', 'sh', '-c', script], { env: binEnv });
  if (ns.code === 90 || /unshare failed|Operation not permitted/.test(ns.stderr)) return lacking(t, `no private mount namespace here: ${ns.stderr.trim()}`);
  const lines = ns.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^BusyBox v/, '/usr/bin/env is BusyBox inside');
  assert.match(ns.stdout, /invalid option -- 'S'[\s\S]*control-exit=[1-9]/, 'the kernel ran the old shebang through BusyBox env, which refused it');
  assert.equal(ns.code, 0, ns.stderr);
  assert.equal(lines.at(-1), PKG.version);
});

test('npm exec from the tarball: the options after -- arrive', async () => {
  // --version after --: ours, not npm's (npm would print its own version and never start us),
  // and npm's own --yes (install without asking) does not count as the program's.
  const v = await npm(['exec', '--yes', '--package', tarball, '--', 'create-litestream-host', '--version']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), PKG.version);
});

test('npm create litestream-host --dry-run --yes, the real npm: both kept by npm, named, exit 2', async () => {
  const kept = await npm(['create', 'litestream-host', '--dry-run', '--yes'], prefix);
  assert.equal(kept.code, 2, kept.stdout + kept.stderr);
  assert.match(kept.stderr, /error: npm kept --dry-run and --yes for itself: through npm create, the program gets only the options after --/);
  assert.match(kept.stderr, /npm create litestream-host -- --dry-run --yes/);
  assert.match(kept.stderr, /Nothing was changed\./);
});

test('the same from the npm_config_* environment alone, as npm sets it', async () => {
  const agent = { npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false', npm_lifecycle_event: 'npx' };
  // npm create litestream-host --dry-run --yes
  const kept = await run(installedBin, [], { env: { ...binEnv, ...agent, npm_command: 'init', npm_config_yes: 'true', npm_config_dry_run: 'true' } });
  assert.equal(kept.code, 2);
  assert.equal(kept.stdout, '');
  assert.equal(
    kept.stderr,
    'error: npm kept --dry-run and --yes for itself: through npm create, the program gets only the options after --\n  npm create litestream-host -- --dry-run --yes\nNothing was changed.\n',
  );
  // npm create litestream-host -- --dry-run --yes: they arrive, the program runs with them
  const arrived = await run(installedBin, ['--dry-run', '--yes'], { env: { ...binEnv, ...agent, npm_command: 'init', npm_config_yes: '' } });
  assert.equal(arrived.code, 2);
  assert.doesNotMatch(arrived.stderr, /npm kept/);
  assert.match(arrived.stderr, /--host is required/);
  // npm exec create-litestream-host --dry-run
  const exec = await run(installedBin, [], { env: { ...binEnv, ...agent, npm_command: 'exec', npm_config_yes: '', npm_config_dry_run: 'true' } });
  assert.equal(exec.code, 2);
  assert.match(exec.stderr, /^error: npm kept --dry-run for itself: npm exec passes the program only the options after --\n {2}npx create-litestream-host --dry-run /);
  // npx --yes create-litestream-host --version: npx's own --yes, the program's --version
  const npx = await run(installedBin, ['--version'], { env: { ...binEnv, ...agent, npm_command: 'exec', npm_config_yes: 'true' } });
  assert.equal(npx.code, 0, npx.stderr);
  assert.equal(npx.stdout, `${PKG.version}\n`);
});
