// Issue 10, the storage check before any change: the real Litestream v0.3.13 on the test
// host (its docker stand-in runs the binary for `docker run litestream/litestream…`) against
// s3rver, Azurite and an SFTP account: refused credentials or a wrong bucket stop the run
// before anything changes, naming the value; right values say "no replica yet".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { litestreamAvailable } from '../harness/litestream.js';
import { seedReplica, writes } from '../helpers/outcome.js';
import { useRealLitestream } from '../harness/storage-docker.js';
import { startAzurite, type AzureStorage } from '../harness/storage-azure.js';
import { startS3, type S3Storage } from '../harness/storage-s3.js';
import { startSftp, type SftpStorage } from '../harness/storage-sftp.js';
import { skipWithoutSshd, startWorld, type RunResult, type World } from '../helpers/world.js';

const skip = skipWithoutSshd() || (litestreamAvailable() ? false : 'needs the litestream npm package and sqlite3');

/** The figures a run printed: the storage check's row and time, the drill's line (for the report). */
const figures = (label: string, out: string) =>
  console.log(`${label}: ${out.split('\n').filter((l) => /inspect-storage|Storage \(Litestream\)|Restore drill/.test(l)).map((l) => l.trim().replace(/\s+/g, ' ')).join(' | ')}`);

/** Nothing changed: no GitHub write, no deploy user, no shim, no container or network made. */
async function assertUnchanged(w: World, r: RunResult, secrets: string[]): Promise<void> {
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, out);
  assert.match(r.stderr, /nothing was changed/);
  assert.equal((await w.host.run('id deploy >/dev/null 2>&1 && echo yes || echo no')).stdout.trim(), 'no', 'no deploy user');
  assert.equal((await w.host.run('test -e /usr/local/bin/docker-compose && echo yes || echo no')).stdout.trim(), 'no', 'no shim');
  // No GitHub write, and no docker call but reads (the helper is stricter than a list of writes).
  assert.deepEqual(await writes(w), []);
  for (const s of secrets) assert.ok(!out.includes(s), 'a secret value was printed');
}

describe('storage check: S3 (s3rver)', { skip, concurrency: false }, () => {
  let w: World;
  let s3: S3Storage;
  const env = () => ({ AWS_S3_BUCKET: s3.bucket, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey });
  before(async () => {
    [w, s3] = await Promise.all([startWorld({ mix: 'litestream-aws', realStorage: true }), startS3()]);
    await useRealLitestream(w.host, { endpoint: s3.endpoint, region: s3.region });
  });
  after(async () => Promise.allSettled([w?.stop(), s3?.stop()]));

  test('a wrong secret key stops the run before any change, naming AWS_SECRET_ACCESS_KEY', async () => {
    w.gh.reset();
    await w.host.clearDockerCalls();
    const wrong = 'wrongsecretwrongsecretwrongsecret0123456';
    const r = await w.run(undefined, { ...env(), AWS_SECRET_ACCESS_KEY: wrong });
    assert.match(r.stdout + r.stderr, /refused the secret key[\s\S]*AWS_SECRET_ACCESS_KEY/);
    figures('s3 wrong secret', r.stdout + r.stderr);
    await assertUnchanged(w, r, [wrong, s3.credentials.secretAccessKey]);
  });

  test('a bucket that does not exist stops the run, naming AWS_S3_BUCKET', async () => {
    w.gh.reset();
    await w.host.clearDockerCalls();
    const r = await w.run(undefined, { ...env(), AWS_S3_BUCKET: 'no-such-bucket' });
    assert.match(r.stdout + r.stderr, /bucket does not exist[\s\S]*AWS_S3_BUCKET/);
    await assertUnchanged(w, r, [s3.credentials.secretAccessKey]);
  });

  test('right values: reachable, no replica yet (dry run)', async () => {
    const r = await w.run([...w.baseArgs('aws'), '--dry-run'], env());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no replica yet/);
    figures('s3 empty', r.stdout);
  });

  test('a replica there: the plan reports its format, generation and latest time (dry run)', async () => {
    await seedReplica(s3);
    const r = await w.run([...w.baseArgs('aws'), '--dry-run'], env());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /a Litestream 0\.3 replica, generation [0-9a-f]{16}, latest \d{4}-/);
    assert.ok(!(r.stdout + r.stderr).includes(s3.credentials.secretAccessKey));
    figures('s3 replica', r.stdout);
  });
});

describe('storage check: Azure Blob (Azurite)', { skip, concurrency: false }, () => {
  let w: World;
  let az: AzureStorage;
  const env = () => ({ AZURE_STORAGEACCOUNT: az.accountName, AZURE_ACCOUNT_KEY: az.accountKey, AZURE_CONTAINER: az.container });
  before(async () => {
    [w, az] = await Promise.all([startWorld({ mix: 'litestream-azure', realStorage: true }), startAzurite()]);
    await useRealLitestream(w.host, { endpoint: `${az.endpoint.replace(/\/+$/, '')}` });
  });
  after(async () => Promise.allSettled([w?.stop(), az?.stop()]));

  test('a wrong account key stops the run, naming AZURE_ACCOUNT_KEY', async () => {
    w.gh.reset();
    await w.host.clearDockerCalls();
    const wrong = Buffer.alloc(64, 7).toString('base64');
    const r = await w.run(undefined, { ...env(), AZURE_ACCOUNT_KEY: wrong });
    assert.match(r.stdout + r.stderr, /refused the credentials[\s\S]*AZURE_ACCOUNT_KEY/);
    await assertUnchanged(w, r, [wrong, az.accountKey]);
  });

  test('a container that does not exist stops the run, naming AZURE_CONTAINER', async () => {
    w.gh.reset();
    await w.host.clearDockerCalls();
    const r = await w.run(undefined, { ...env(), AZURE_CONTAINER: 'no-such-container' });
    assert.match(r.stdout + r.stderr, /container does not exist[\s\S]*AZURE_CONTAINER/);
    await assertUnchanged(w, r, [az.accountKey]);
  });

});

describe('storage check: SFTP (OpenSSH)', { skip, concurrency: false }, () => {
  let w: World;
  let sftp: SftpStorage;
  const env = () => ({ SFTP_USERNAME: sftp.user, SFTP_PASSWORD: sftp.password, SFTP_HOST: '127.0.0.1', SFTP_PORT: String(sftp.port) });
  before(async () => {
    [w, sftp] = await Promise.all([startWorld({ mix: 'litestream-sftp', realStorage: true }), startSftp({ dirs: ['MyApp.sqlite'] })]);
    await useRealLitestream(w.host);
  });
  after(async () => Promise.allSettled([w?.stop(), sftp?.stop()]));

  test('a wrong password stops the run, naming SFTP_PASSWORD', async () => {
    w.gh.reset();
    await w.host.clearDockerCalls();
    const wrong = 'wrong pass:w/o#rd';
    const r = await w.run(undefined, { ...env(), SFTP_PASSWORD: wrong });
    assert.match(r.stdout + r.stderr, /refused the credentials[\s\S]*SFTP_PASSWORD/);
    figures('sftp wrong password', r.stdout + r.stderr);
    await assertUnchanged(w, r, [wrong, sftp.password]);
  });

  test('right values (a password with every URL character): no replica yet', async () => {
    const r = await w.run([...w.baseArgs('sftp'), '--dry-run'], env());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no replica yet/);
    assert.ok(!(r.stdout + r.stderr).includes(sftp.password));
  });

});
