/** Issue 12, what a new user meets: messages that name the field and the fix, plain logs without repeats. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli } from '../../src/config/options.js';
import { draftFrom, draftWarnings } from '../../src/config/settings.js';
import { TARGETS } from '../../src/targets/index.js';
import { plainReporter } from '../../src/ui/plain-reporter.js';
import { restoreTestLines, secretLine } from '../../src/ui/format.js';
import * as v from '../../src/validate.js';

test('a URL as the host says to drop the scheme, not a lecture about DNS', () => {
  assert.match(v.dnsName('https://app.example.org')!, /is a URL: give only the name, app\.example\.org \(drop https:\/\/\)/);
  assert.match(v.dnsName('https://app.example.org/login')!, /drop https:\/\/ and what follows the name/);
});

test('the SFTP host error names the SFTP fields, not the app server\'s flags', () => {
  const sftpHost = TARGETS.sftp.fields.find((f) => f.name === 'SFTP_HOST')!;
  const p = sftpHost.validate('backup@sftp.acme.io:2222')!;
  assert.match(p, /use SFTP_USERNAME and SFTP_PORT/);
  assert.doesNotMatch(p, /--user|--ssh-port/);
  assert.match(v.sshAddress('u@h')!, /use --user and --ssh-port/);
  for (const f of TARGETS.sftp.fields) assert.notEqual(f.validate(''), 'is empty', `${f.name} says what to give`);
});

test('an optional secret not set reads "optional NAME: not set", once', () => {
  assert.equal(secretLine({ name: 'APPSETTINGS_PATCH', action: 'optional', note: 'not set' }).replace(/ +/g, ' '), 'optional APPSETTINGS_PATCH: not set');
});

test('the restore hint names the host it logs in to', () => {
  assert.match(restoreTestLines('ssh -p 2222 deploy@203.0.113.7')[1]!, /^ {2}it logs in \(ssh -p 2222 deploy@203\.0\.113\.7\), restores the replica/);
});

test('plain output: each job step once, with its outcome; the secrets count once, at the end', () => {
  const lines: string[] = [];
  const r = plainReporter((l) => lines.push(l), { deployUser: 'deploy' });
  for (let i = 0; i <= 7; i++) r({ type: 'progress', id: 'secrets', done: i, total: 7 });
  const job = (status: string, conclusion: string | null, step: [string, string | null]) => ({ id: 1, name: 'deploy', status, conclusion, steps: [{ name: 'up', number: 1, status: step[0], conclusion: step[1] }] });
  r({ type: 'run', url: 'u', status: 'in_progress', conclusion: null, jobs: [job('in_progress', null, ['in_progress', null])] });
  r({ type: 'run', url: 'u', status: 'in_progress', conclusion: null, jobs: [job('in_progress', null, ['completed', 'success'])] });
  r({ type: 'run', url: 'u', status: 'completed', conclusion: 'success', jobs: [job('completed', 'success', ['completed', 'success'])] });
  assert.deepEqual(lines.filter((l) => /secrets$/.test(l)), ['    7/7 secrets']);
  assert.deepEqual(lines.filter((l) => /step up/.test(l)), ['    step up: success']);
});

test('with --github-api-url, GH_ENTERPRISE_TOKEN comes first (as gh reads it)', () => {
  const d = draftFrom(parseCli(['--github-api-url', 'https://ghe.acme.io/api/v3']), { GH_ENTERPRISE_TOKEN: 'ent', GH_TOKEN: 'com' }, {});
  assert.equal(d.token!.reveal(), 'ent');
  assert.equal(draftFrom(parseCli([]), { GH_ENTERPRISE_TOKEN: 'ent', GH_TOKEN: 'com' }, {}).token!.reveal(), 'com');
});

test('root as the deploy user is said, not silent', () => {
  assert.match(draftWarnings(draftFrom(parseCli(['--user', 'root']), {}, {})).join('\n'), /will log in as root .*--deploy-user deploy/);
  assert.deepEqual(draftWarnings(draftFrom(parseCli(['--user', 'root', '--deploy-user', 'deploy']), {}, {})), []);
});
