/**
 * Issue 7, the pure parts: env-file readings, saved answers per host, one normalization,
 * printable host text, damaged saved state, unreadable local files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ambiguousLines, readEnvFile } from '../../src/config/env-file.js';
import { parseCli } from '../../src/config/options.js';
import { draftFrom, savedFor, toSettings } from '../../src/config/settings.js';
import { fileStore, parseRepoFile } from '../../src/config/store.js';
import { StepError, UsageError } from '../../src/errors.js';
import { readLocalText } from '../../src/local-files.js';
import { parseFacts } from '../../src/host/probe.js';
import { printable, printableDeep, printableLine } from '../../src/printable.js';
import { Sensitive } from '../../src/sensitive.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'clh-faults-'));

test('env file: an unquoted # inside a value is refused with its line and name, never its value', async () => {
  const text = ['# a comment', 'AWS_S3_BUCKET=acme-db # trailing comment is fine', 'SFTP_PASSWORD=abc#def', "QUOTED='x#y'", 'MULTI="line1', 'X=inside#quotes"', 'EMPTY=#just a comment', 'export TOKEN=t#1'].join('\n');
  assert.deepEqual(ambiguousLines(text), [
    { line: 3, name: 'SFTP_PASSWORD' },
    { line: 8, name: 'TOKEN' },
  ]);
  const dir = tmp();
  const f = join(dir, '.env');
  writeFileSync(f, 'SFTP_USERNAME=backup\nSFTP_PASSWORD=s3cr#tvalue\n');
  const e = await readEnvFile(f).catch((x: unknown) => x);
  assert.ok(e instanceof UsageError);
  assert.match(e.message, /line 2: the value of SFTP_PASSWORD holds "#"/);
  assert.match(e.fix!, /SFTP_PASSWORD='…#…'/);
  assert.ok(!`${e.message}${e.fix}`.includes('s3cr'), 'the value is not shown');
  writeFileSync(f, "SFTP_PASSWORD='s3cr#tvalue'\nAWS_S3_BUCKET=acme-db # note\n");
  assert.deepEqual(await readEnvFile(f), { SFTP_PASSWORD: 's3cr#tvalue', AWS_S3_BUCKET: 'acme-db' });
});

test('saved connection answers belong to their host', () => {
  const saved = { host: 'a.acme.io', sshHost: '203.0.113.7', sshPort: '2222', user: 'root', deployUser: 'deploy', identity: '~/.ssh/a', email: 'ops@acme.io', target: 'aws' };
  assert.deepEqual(savedFor(saved, undefined), saved);
  assert.deepEqual(savedFor(saved, 'A.acme.io.'), saved, 'the same host, spelled differently');
  assert.deepEqual(savedFor(saved, 'b.acme.io'), { host: 'a.acme.io', email: 'ops@acme.io', target: 'aws' });
  const d = draftFrom(parseCli(['--host', 'b.acme.io']), {}, saved);
  assert.equal(d.sshHost, undefined);
  assert.equal(d.user, undefined);
  assert.equal(d.email, 'ops@acme.io', 'answers about the repository still apply');
});

test('plain values are normalized once; what is stored is what was validated; secrets byte for byte', () => {
  const env = { GH_TOKEN: 't', SFTP_USERNAME: ' backup ', SFTP_PASSWORD: ' pass word ', SFTP_HOST: ' sftp.acme.io', SFTP_PORT: '2222 ' };
  const cli = parseCli(['--host', ' app.acme.io ', '--user', 'root ', '--email', ' ops@acme.io', '--repo', 'acme/app ', '--target', 'sftp', '--ssh-port', ' 22']);
  const s = toSettings(draftFrom(cli, env, {}), cli, '/home/x');
  assert.equal(s.storage.SFTP_HOST!.reveal(), 'sftp.acme.io');
  assert.equal(s.storage.SFTP_PORT!.reveal(), '2222');
  assert.equal(s.storage.SFTP_USERNAME!.reveal(), 'backup');
  assert.equal(s.storage.SFTP_PASSWORD!.reveal(), ' pass word ', 'a secret keeps its spaces');
  assert.equal(s.host, 'app.acme.io');
  assert.equal(s.user, 'root');
  assert.equal(s.email, 'ops@acme.io');
  assert.deepEqual(s.repo, { owner: 'acme', repo: 'app' });
  assert.equal(s.sshPort, 22);
});

test('host and GitHub text is made printable: escapes, BEL, CR and bidi overrides removed', () => {
  const evil = 'Ubuntu\u001b]0;pwned\u0007 24.04\u001b[2J\rFAKE\u202e';
  assert.equal(printableLine(evil), 'Ubuntu 24.04FAKE');
  assert.equal(printable('a\u001b[31m\nb\u0007'), 'a\nb');
  const ev = printableDeep({ type: 'run', jobs: [{ name: 'build\u001b[2J', steps: [{ name: '\u0007x' }] }], n: 1, b: Buffer.from('\u001b') });
  assert.equal(ev.jobs[0]!.name, 'build');
  assert.equal(ev.jobs[0]!.steps[0]!.name, 'x');
  assert.equal(ev.b.toString(), '\u001b', 'buffers are data, not text');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const facts = parseFacts(`os.pretty=${evil}\nos.id=ubuntu\ndocker.path=/usr/bin/docker\ndocker.server.rc=1\ndocker.server=${b64('Cannot connect to the Docker daemon\u001b[2J')}\nprobe.done=1\n`, 'deploy');
  assert.equal(facts.os.pretty, 'Ubuntu 24.04FAKE');
  assert.equal(facts.docker.daemonMessage, 'Cannot connect to the Docker daemon');
  const err = new StepError('inspect \u001b[2Jhost', 'it said \u001b]0;x\u0007hi\r', 'fix\u0007 it\nsecond line');
  assert.equal(err.step, 'inspect host');
  assert.equal(err.cause_, 'it said hi');
  assert.equal(err.fix, 'fix it\nsecond line');
});

test('a damaged saved state is kept aside (when the run saves), said once, and the run starts fresh', async () => {
  const dir = tmp();
  mkdirSync(join(dir, 'repos'), { recursive: true });
  const file = join(dir, 'repos', 'acme__app.json');
  writeFileSync(file, '{"defaults": {"host": "a.acme.io"}, "record": {"secrets": {"X": {"hm');
  writeFileSync(join(dir, 'digest-salt'), 'not hex\n');
  const notices: string[] = [];
  const store = fileStore(dir, { notice: (m) => notices.push(m), now: () => new Date('2026-11-29T10:00:00Z') });
  assert.deepEqual(await store.load('acme/app'), { defaults: {}, record: { secrets: {} } });
  await store.load('acme/app');
  await store.digest('X', new Sensitive('v'));
  assert.equal(notices.length, 2, notices.join('\n'));
  assert.match(notices.join('\n'), /acme\/app .*is damaged: this run goes on as a first run would; the file is kept as .*acme__app\.json\.damaged-2026-11-29T10-00-00-000Z/);
  assert.ok(existsSync(file), 'nothing moved before a save (a dry run writes nothing)');
  await store.save('acme/app', { defaults: { host: 'b.acme.io' }, record: { secrets: {} } });
  assert.match(readFileSync(join(dir, 'repos', 'acme__app.json.damaged-2026-11-29T10-00-00-000Z'), 'utf8'), /"hm$/, 'the damaged file is kept whole');
  assert.ok(readdirSync(dir).some((n) => n.startsWith('digest-salt.damaged-')));
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).defaults.host, 'b.acme.io');
  assert.equal(parseRepoFile('[]'), undefined);
  assert.equal(parseRepoFile('{"record":{"secrets":{"A":3}}}'), undefined);
  assert.deepEqual(parseRepoFile('{}'), { defaults: {}, record: { secrets: {} } });
});

test('only a missing local file reads as "nothing there"; anything else stops naming the file', async () => {
  const dir = tmp();
  assert.equal(await readLocalText(join(dir, 'missing'), 'known_hosts file'), undefined);
  const e = await readLocalText(dir, 'known_hosts file').catch((x: unknown) => x);
  assert.ok(e instanceof UsageError);
  assert.match(e.message, new RegExp(`known_hosts file ${dir} cannot be read: is a folder`));
  const store = fileStore(dir);
  mkdirSync(join(dir, 'repos', 'acme__app.json'), { recursive: true });
  await assert.rejects(store.load('acme/app'), /saved state .*acme__app\.json cannot be read/);
  const f = join(dir, 'locked');
  writeFileSync(f, 'x');
  chmodSync(f, 0o200);
  if (process.getuid?.() !== 0) await assert.rejects(readLocalText(f, 'known_hosts file'), /permission denied/);
});
