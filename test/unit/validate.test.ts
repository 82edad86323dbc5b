import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v from '../../src/validate.js';
import { TARGETS, encodeUserinfo, targetOfSecrets } from '../../src/targets/index.js';

const ok = (c: v.Check, x: string) => assert.equal(c(x), undefined, `${x} should pass: ${c(x)}`);
const bad = (c: v.Check, x: string, re: RegExp) => assert.match(c(x) ?? '(passed)', re, x);

test('DNS names: public names pass; IPs, single labels and bad labels explain the fix', () => {
  ok(v.dnsName, 'app.example.org');
  ok(v.dnsName, 'my-app.eu-west.example.co.uk.');
  bad(v.dnsName, '203.0.113.7', /IP address.*--ssh-host/);
  bad(v.dnsName, 'localhost', /no domain/);
  bad(v.dnsName, '-bad.example.org', /bad part: "-bad"/);
  bad(v.dnsName, 'a_b.example.org', /not a DNS name/);
  bad(v.dnsName, `${'a'.repeat(64)}.org`, /1-63/);
  bad(v.dnsName, '', /empty/);
});

test('SSH address accepts IPs and names, refuses user@ and ports', () => {
  ok(v.sshAddress, '127.0.0.1');
  ok(v.sshAddress, '::1');
  ok(v.sshAddress, 'droplet');
  bad(v.sshAddress, 'root@host', /--user/);
  bad(v.sshAddress, 'host:22', /--ssh-port/);
});

test('ports', () => {
  ok(v.port, '22');
  ok(v.port, '65535');
  bad(v.port, '0', /outside/);
  bad(v.port, '65536', /outside/);
  bad(v.port, '22a', /not a port/);
});

test('email: LetsEncrypt rejects example.com; odd characters refused', () => {
  ok(v.email, 'ops+tls@acme.io');
  bad(v.email, 'you@example.com', /LetsEncrypt rejects/);
  bad(v.email, 'me@sub.example.org', /reserved/);
  bad(v.email, 'nope', /not an email/);
  bad(v.email, 'a"b@acme.io', /characters before the @/);
  bad(v.email, 'a$b@acme.io', /characters before the @/);
});

test('owner/name and git remotes', () => {
  ok(v.repo, 'acme/my-app.web');
  bad(v.repo, 'acme', /owner\/name/);
  bad(v.repo, '-acme/app', /owner name/);
  bad(v.repo, 'ac--me/app', /owner name/);
  bad(v.repo, 'acme/..', /repository name/);
  assert.equal(v.repoFromRemote('git@github.com:Acme/App.git\n'), 'Acme/App');
  assert.equal(v.repoFromRemote('https://github.com/acme/app'), 'acme/app');
  assert.equal(v.repoFromRemote('ssh://git@ghe.corp:2222/acme/app.git'), 'acme/app');
  assert.equal(v.repoFromRemote('not a url'), undefined);
});

test('users, targets, api urls', () => {
  ok(v.unixUser, 'deploy');
  bad(v.unixUser, 'Deploy', /Linux user name/);
  bad(v.unixUser, "x'y", /Linux user name/);
  ok(v.target, 'azure');
  bad(v.target, 's3', /aws, azure or sftp/);
  ok(v.apiUrl, 'https://ghe.corp/api/v3');
  bad(v.apiUrl, 'ghe.corp', /not a URL/);
});

const field = (t: 'aws' | 'azure' | 'sftp', name: string) => TARGETS[t].fields.find((f) => f.name === name)!;

test('S3 bucket naming rules', () => {
  const c = field('aws', 'AWS_S3_BUCKET').validate;
  ok(c, 'my-bucket.v2');
  bad(c, 'ab', /3-63/);
  bad(c, 'My-Bucket', /lowercase/);
  bad(c, 'a..b', /two dots/);
  bad(c, '192.168.1.10', /IP address/);
  bad(c, 'xn--bucket', /reserves/);
  bad(c, 'bucket-s3alias', /reserves/);
  bad(c, 'bucket-', /start and end/);
});

test('AWS keys: unusual shapes warn, shell-breaking characters block', () => {
  const id = field('aws', 'AWS_ACCESS_KEY_ID');
  assert.equal(id.warn!('AKIAIOSFODNN7EXAMPLE'), undefined);
  assert.match(id.warn!('DO00ABCDEF') ?? '', /S3-compatible/);
  const secret = field('aws', 'AWS_SECRET_ACCESS_KEY');
  ok(secret.validate, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
  bad(secret.validate, 'ab"c', /shell line/);
  bad(secret.validate, 'ab$c', /shell line/);
  bad(secret.validate, 'ab`c', /shell line/);
  bad(secret.validate, 'a\nb', /line break/);
});

test('Azure account, container and key', () => {
  ok(field('azure', 'AZURE_STORAGEACCOUNT').validate, 'mystorage01');
  bad(field('azure', 'AZURE_STORAGEACCOUNT').validate, 'My-Storage', /3-24 lowercase/);
  bad(field('azure', 'AZURE_STORAGEACCOUNT').validate, 'ab', /3-24/);
  ok(field('azure', 'AZURE_CONTAINER').validate, 'my-container');
  bad(field('azure', 'AZURE_CONTAINER').validate, 'my--container', /single hyphens/);
  bad(field('azure', 'AZURE_CONTAINER').validate, 'Container', /lowercase/);
  ok(field('azure', 'AZURE_ACCOUNT_KEY').validate, 'tEst123/tEst123/tEst123/tEst123==');
  bad(field('azure', 'AZURE_ACCOUNT_KEY').validate, 'not-base64!', /base64/);
  bad(field('azure', 'AZURE_ACCOUNT_KEY').validate, 'two words', /whitespace/);
});

test('SFTP credentials are percent-encoded for the replica URL; plain ones are unchanged', () => {
  const pw = field('sftp', 'SFTP_PASSWORD');
  assert.equal(pw.encode!('s3cret'), 's3cret');
  const hostile = `p@ss:w/o#r?d%"$\`'x é`;
  const enc = pw.encode!(hostile);
  assert.match(enc, /^[A-Za-z0-9\-._~%]+$/);
  // Go's url.Parse (Litestream) and WHATWG URL decode userinfo the same way.
  const u = new URL(`sftp://${encodeUserinfo('us@r')}:${enc}@backup.example.org:22/db.sqlite`);
  assert.equal(decodeURIComponent(u.password), hostile);
  assert.equal(decodeURIComponent(u.username), 'us@r');
  assert.equal(u.hostname, 'backup.example.org');
  bad(pw.validate, 'a\nb', /line break/);
  ok(field('sftp', 'SFTP_PORT').validate, '2222');
  bad(field('sftp', 'SFTP_HOST').validate, 'user@host', /not a host name/);
});

test('a workflow secret set points at one target', () => {
  assert.equal(targetOfSecrets(['DEPLOY_HOST', 'AZURE_CONTAINER']), 'azure');
  assert.equal(targetOfSecrets(['DEPLOY_HOST']), undefined);
  assert.equal(targetOfSecrets(['AWS_S3_BUCKET', 'SFTP_HOST']), undefined);
});
