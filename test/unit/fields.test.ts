/** The field table: the parser, --help, the saved answers and the sources all come from it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELP, parseCli } from '../../src/config/options.js';
import { SWITCHES, VALUE_FIELDS } from '../../src/config/fields.js';
import { draftFrom, fieldSource, toSettings } from '../../src/config/settings.js';

test('--help fits 80 columns and names every input of the table', () => {
  for (const l of HELP.split('\n')) assert.ok(l.length <= 80, `${l.length}: ${l}`);
  for (const f of [...Object.values(VALUE_FIELDS), ...Object.values(SWITCHES)]) assert.ok(HELP.includes(`--${f.flag}`), f.flag);
});

test('every value flag parses into its field; switches into booleans; --no-release negates', () => {
  for (const [k, f] of Object.entries(VALUE_FIELDS)) assert.equal((parseCli([`--${f.flag}`, 'x']) as Record<string, unknown>)[k], 'x', f.flag);
  const c = parseCli(['-y', '--no-release', '--dry-run', '-i', 'k']);
  assert.equal(c.yes, true);
  assert.equal(c.release, false);
  assert.equal(c.dryRun, true);
  assert.equal(c.identity, 'k');
  assert.equal(parseCli([]).release, true);
});

test('sources name the flag and the environment variable', () => {
  assert.equal(fieldSource('host'), '--host');
  assert.equal(fieldSource('identity'), '-i/--identity');
  assert.equal(fieldSource('githubApiUrl'), '--github-api-url (or GITHUB_API_URL)');
  assert.match(fieldSource('token'), /^GH_TOKEN/);
});

test('the answers kept for the next run are the saved fields that differ from their defaults', () => {
  const cli = parseCli(['--host', 'App.acme.io', '--ssh-host', 'app.acme.io', '--ssh-port', '22', '--user', 'root', '--deploy-user', 'deploy', '--email', 'ops@acme.io', '--repo', 'acme/app', '--target', 'aws', '--workflow', 'release.yml', '-i', '~/.ssh/k']);
  const env = { GH_TOKEN: 't', AWS_S3_BUCKET: 'acme-db', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', GITHUB_API_URL: 'https://ghe.acme.io/api/v3' };
  const s = toSettings(draftFrom(cli, env, {}), cli, '/home/u');
  assert.deepEqual(s.answers, { host: 'App.acme.io', user: 'root', deployUser: 'deploy', identity: '~/.ssh/k', email: 'ops@acme.io', target: 'aws', githubApiUrl: 'https://ghe.acme.io/api/v3' });
  assert.equal(s.identity, '/home/u/.ssh/k');
  assert.equal(s.apiUrl, 'https://ghe.acme.io/api/v3');
});
