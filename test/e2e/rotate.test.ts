import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, skipWithoutSshd, startWorld, STORAGE, type World } from '../helpers/world.js';

let n = 0;
function saveKey(w: World): string {
  const pem = w.gh.secretValue(REPO, 'DEPLOY_KEY');
  assert.ok(pem);
  const file = join(w.home, `key-${++n}`);
  writeFileSync(file, pem, { mode: 0o600 });
  return file;
}
const logsIn = async (w: World, key: string, user = 'deploy') => (await w.host.ssh(['true'], { key, user })).code === 0;
const ourLines = async (w: World) => (await w.host.run('grep -c create-litestream-host /home/deploy/.ssh/authorized_keys || true')).stdout.trim();

const NEW_AWS = { AWS_ACCESS_KEY_ID: 'AKIAI44QH8DHBEXAMPLE', AWS_SECRET_ACCESS_KEY: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' };

describe('rotation', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  const args = () => [...w.baseArgs('aws', 'deploy')];
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws' });
    const r = await w.run(args());
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
  after(async () => w?.stop());

  test('--rotate: new key authorized before the old is removed, storage and email rotated, then released', async () => {
    const oldKey = saveKey(w);
    w.gh.reset();
    const r = await w.run([...args().filter((a, i, all) => all[i - 1] !== '--email' && a !== '--email'), '--email', 'new-ops@acme.io', '--rotate'], NEW_AWS);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const newKey = saveKey(w);
    assert.ok(await logsIn(w, newKey), 'the new DEPLOY_KEY logs in');
    assert.ok(!(await logsIn(w, oldKey)), 'the old deploy key no longer does');
    assert.ok(await logsIn(w, w.host.loginKey, w.host.user), 'the login key still does');
    assert.equal(await ourLines(w), '1');
    assert.equal(w.gh.secretValue(REPO, 'AWS_ACCESS_KEY_ID'), NEW_AWS.AWS_ACCESS_KEY_ID);
    assert.equal(w.gh.secretValue(REPO, 'AWS_SECRET_ACCESS_KEY'), NEW_AWS.AWS_SECRET_ACCESS_KEY);
    assert.equal(w.gh.secretValue(REPO, 'LETSENCRYPT_EMAIL'), 'new-ops@acme.io');
    const proxy = await w.host.run('cat /home/deploy/.deploy/nginx-proxy/nginx-proxy-compose.yml');
    assert.match(proxy.stdout, /DEFAULT_EMAIL=new-ops@acme\.io/);
    const ev = w.gh.events();
    const lastPut = Math.max(...ev.filter((e) => e.kind === 'secret-put').map((e) => e.at));
    assert.ok(ev.some((e) => e.kind === 'dispatch' && e.at > lastPut), 'a release was dispatched after the last secret write');
    assert.match(r.stdout, /to do by hand: Revoke the previous AWS access key/);
    assert.match(r.stdout, /rotated: deploy key \(now SHA256:[^)]+\), LETSENCRYPT_EMAIL, AWS_S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
  });

  test('re-run with nothing to do: exit 0, no write on the host or in the repository', async () => {
    const before = await w.host.run('sha256sum /usr/local/bin/docker-compose /home/deploy/.ssh/authorized_keys /home/deploy/.deploy/nginx-proxy/nginx-proxy-compose.yml; ls -la --time-style=full-iso /home/deploy/.ssh');
    w.gh.reset();
    await w.host.clearDockerCalls();
    const r = await w.run([...args().filter((a, i, all) => all[i - 1] !== '--email' && a !== '--email'), '--email', 'new-ops@acme.io'], NEW_AWS);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(w.gh.events(), []);
    assert.ok(!w.gh.requests().some((q) => q.method !== 'GET'), 'only reads');
    assert.equal((await w.host.run('sha256sum /usr/local/bin/docker-compose /home/deploy/.ssh/authorized_keys /home/deploy/.deploy/nginx-proxy/nginx-proxy-compose.yml; ls -la --time-style=full-iso /home/deploy/.ssh')).stdout, before.stdout);
    assert.ok(!(await w.host.dockerCalls()).some((c) => c.includes('up')));
  });

  test('--keep-deploy-key keeps a 0600 copy of the new private key, equal to DEPLOY_KEY', async () => {
    const kept = join(w.home, 'kept', 'deploy_key');
    const r = await w.run([...args(), '--rotate', '--rotate-only', 'deploy-key', '--keep-deploy-key', kept]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(statSync(kept).mode & 0o777, 0o600);
    assert.equal(readFileSync(kept, 'utf8'), w.gh.secretValue(REPO, 'DEPLOY_KEY'));
    assert.ok(await logsIn(w, kept));
    assert.ok(!r.stdout.includes('PRIVATE KEY'));
  });

  test('the SSH connection drops between authorizing the new key and removing the old: the next run finishes the swap', async () => {
    const oldKey = saveKey(w);
    w.gh.reset();
    w.gh.onRequest(async (route) => {
      if (/^PUT .*\/actions\/secrets\/DEPLOY_KEY/.test(route)) await w.host.dropConnections();
    });
    const r = await w.run([...args(), '--rotate', '--rotate-only', 'deploy-key']);
    w.gh.onRequest(undefined);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /re-run resumes/i);
    const newKey = saveKey(w);
    assert.ok(await logsIn(w, oldKey), 'both keys still work: the old one');
    assert.ok(await logsIn(w, newKey), 'both keys still work: the new one');
    assert.equal(await ourLines(w), '2');
    const again = await w.run(args());
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /remove 1 replaced deploy key/);
    assert.ok(await logsIn(w, newKey));
    assert.ok(!(await logsIn(w, oldKey)), 'the swap finished');
    assert.equal(await ourLines(w), '1');
  });

  test('a secret PUT that fails after retries: exit 1, the old key still works; the re-run completes', async () => {
    const oldKey = saveKey(w);
    w.gh.reset();
    w.gh.setFaults({ failSecretPutsAlways: true });
    const r = await w.run([...args(), '--rotate'], NEW_AWS);
    w.gh.setFaults({});
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /could not be written after retries/);
    assert.equal(w.gh.secretValue(REPO, 'DEPLOY_KEY'), readKey(oldKey), 'DEPLOY_KEY unchanged');
    assert.ok(await logsIn(w, oldKey), 'the host still accepts the old key');
    const again = await w.run([...args(), '--rotate'], NEW_AWS);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const newKey = saveKey(w);
    assert.ok(await logsIn(w, newKey));
    assert.ok(!(await logsIn(w, oldKey)));
    assert.equal(await ourLines(w), '1');
  });

  test('Ctrl-C during rotation: exit 130, nothing lost; the re-run completes', async () => {
    const oldKey = saveKey(w);
    w.gh.reset();
    const child = w.start([...args(), '--rotate', '--rotate-only', 'deploy-key']);
    w.gh.onRequest(async (route) => {
      if (/^PUT .*\/actions\/secrets\/DEPLOY_KEY/.test(route)) {
        child.proc.kill('SIGINT');
        await new Promise((res) => child.proc.once('exit', res));
      }
    });
    const r = await child.done;
    w.gh.onRequest(undefined);
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(r.stderr, /interrupted/);
    // Whether or not the write landed, one of the two keys is in DEPLOY_KEY and both log in.
    assert.ok(await logsIn(w, oldKey));
    assert.ok(await logsIn(w, saveKey(w)));
    const again = await w.run(args());
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const current = saveKey(w);
    assert.ok(await logsIn(w, current), 'DEPLOY_KEY logs in after the re-run');
    assert.equal(await ourLines(w), '1');
  });
});

import { readFileSync, statSync } from 'node:fs';
const readKey = (f: string) => readFileSync(f, 'utf8');
void STORAGE;
