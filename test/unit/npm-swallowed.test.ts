/**
 * Issue 12: options npm kept for itself. The environments below are what npm 11.19 passed
 * to a probe package (measured with `npm create probe ...`, `npx ...`, `npm exec ...`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSwallowed, npmrcReader, npmSwallowed } from '../../src/config/npm-swallowed.js';

const none = () => undefined;
// What every npm 11 run passes, whatever the options (trimmed).
const base = { npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false', npm_config_yes: '', npm_lifecycle_event: 'npx' };
const create = (extra: Record<string, string> = {}) => ({ ...base, npm_command: 'init', ...extra });
const exec = (extra: Record<string, string> = {}) => ({ ...base, npm_command: 'exec', ...extra });

test('npm create litestream-host --dry-run --yes: both named, with the -- fix', () => {
  const e = npmSwallowed([], create({ npm_config_yes: 'true', npm_config_dry_run: 'true' }), none);
  assert.ok(e);
  assert.equal(e.exitCode, 2);
  assert.match(e.message, /npm kept --dry-run and --yes for itself/);
  assert.equal(e.fix, 'npm create litestream-host -- --dry-run --yes');
});

test('options after -- arrive: nothing is flagged', () => {
  assert.equal(findSwallowed(['--dry-run', '--yes'], create(), none), undefined);
  // npm create ... --yes -- --yes: npm took one, the program got the other
  assert.equal(findSwallowed(['--yes', '--dry-run'], create({ npm_config_yes: 'true', npm_config_dry_run: 'true' }), none), undefined);
  assert.equal(findSwallowed(['-y'], create({ npm_config_yes: 'true' }), none), undefined);
  assert.deepEqual(findSwallowed(['-iKEYy'], create({ npm_config_yes: 'true' }), none)?.options, ['--yes'], '-i takes the rest of the group as its value');
  assert.equal(findSwallowed(['-yV'], create({ npm_config_yes: 'true', npm_config_v: 'true' }), none), undefined);
});

test('npx create-litestream-host --yes passes it through; npx --yes is npx\'s own install switch', () => {
  // npx create-litestream-host --yes --dry-run: argv has both, npm_config_yes empty
  assert.equal(findSwallowed(['--yes', '--dry-run'], exec(), none), undefined);
  // npx --yes create-litestream-host (or npm exec create-litestream-host --yes): not flagged
  assert.equal(findSwallowed([], exec({ npm_config_yes: 'true' }), none), undefined);
  // npm exec create-litestream-host --dry-run: flagged, with the npx form as the fix
  const e = npmSwallowed([], exec({ npm_config_dry_run: 'true' }), none)!;
  assert.match(e.message, /npm kept --dry-run for itself: npm exec passes/);
  assert.match(e.fix!, /^npx create-litestream-host --dry-run .*npm exec create-litestream-host -- --dry-run/);
});

test('every option of ours that npm took as unknown config is named', () => {
  // npm create litestream-host --host app.x.org --demo -i key --target aws --ssh-port 22 --rotate -V --no-release
  const env = create({ npm_config_host: 'true', npm_config_demo: 'true', npm_config_include_workspace_root: 'true', npm_config_target: 'true', npm_config_ssh_port: 'true', npm_config_rotate: 'true', npm_config_v: 'true', npm_config_release: '' });
  const s = findSwallowed(['app.x.org', 'key', 'aws', '22'], env, none)!;
  assert.deepEqual(s.options, ['--host <value>', '--ssh-port <value>', '--target <value>', '--no-release', '--rotate', '--demo', '-V']);
  const e = npmSwallowed(['app.x.org'], env, none)!;
  assert.match(e.message, /npm kept --host, --ssh-port, --target, --no-release, --rotate, --demo and -V for itself/);
  assert.equal(e.fix, 'npm create litestream-host -- --host <value> --ssh-port <value> --target <value> --no-release --rotate --demo -V');
});

test('what npm or the user meant as npm\'s own setting is not flagged', () => {
  // not started by npm create / npm exec (npm test, npm run, a plain shell)
  assert.equal(findSwallowed([], { npm_command: 'run-script', npm_config_dry_run: 'true' }, none), undefined);
  assert.equal(findSwallowed([], { npm_config_dry_run: 'true', npm_config_yes: 'true' }, none), undefined);
  // yes=true / dry-run=true in an .npmrc
  assert.equal(findSwallowed([], create({ npm_config_yes: 'true' }), (k) => (k === 'yes' ? 'true' : undefined)), undefined);
  assert.equal(findSwallowed([], create({ npm_config_dry_run: 'true' }), (k) => (k === 'dry-run' ? 'true' : undefined)), undefined);
  // ... but yes=false there and --yes on npm's command line is npm's command line
  assert.deepEqual(findSwallowed([], create({ npm_config_yes: 'true' }), (k) => (k === 'yes' ? 'false' : undefined))?.options, ['--yes']);
  // NPM_CONFIG_YES=true in the environment: npm leaves it, the lowercase name is unset
  assert.equal(findSwallowed([], { ...create(), NPM_CONFIG_YES: 'true', npm_config_yes: undefined } as Record<string, string | undefined>, none), undefined);
  // --target=28.0.0 forms (node-gyp and Electron set npm_config_target too)
  assert.equal(findSwallowed([], create({ npm_config_target: '28.0.0' }), none), undefined);
  // npm's false for a flag it knows is not ours
  assert.equal(findSwallowed([], create({ npm_config_yes: 'false', npm_config_dry_run: 'false' }), none), undefined);
});

test('the .npmrc reader looks at the files npm names, only when asked', () => {
  const reads: string[] = [];
  const files: Record<string, string> = {
    '/proj/.npmrc': 'registry=https://r.example/\nyes=false\nyes=true\n',
    '/home/u/.npmrc': '; comment\n yes = false\ndry-run = "false"\n',
    '/usr/lib/node_modules/npm/npmrc': 'dry_run=true\nrotate=\n',
  };
  const sets = npmrcReader(
    { npm_config_local_prefix: '/proj', npm_config_userconfig: '/home/u/.npmrc', npm_config_globalconfig: '/usr/etc/npmrc', npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js' },
    (p) => {
      reads.push(p);
      if (!(p in files)) throw new Error('ENOENT');
      return files[p]!;
    },
  );
  assert.equal(reads.length, 0);
  assert.equal(sets('yes'), 'true', 'the project file first, its last line');
  assert.equal(sets('dry-run'), 'false', 'dry_run and dry-run are one key; the user file before the built-in one');
  assert.equal(sets('rotate'), '');
  assert.equal(sets('demo'), undefined);
  assert.deepEqual(reads, ['/proj/.npmrc', '/home/u/.npmrc', '/usr/etc/npmrc', '/usr/lib/node_modules/npm/npmrc']);
});
