/**
 * A repository renamed on GitHub, set up with its old name: GitHub redirects the old name
 * (a GET follows, a POST such as the release dispatch does not), so the run must move to
 * the name GitHub gives back, say so, and remember the repository under it.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, skipWithoutSshd, startWorld, type World } from '../helpers/world.js';

const NEW = 'acme/app-v2';

describe('a renamed repository, given by its old name', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  let id: number;
  const saved = (name: string) => join(w.home, '.config', 'create-litestream-host', 'repos', `${name.replace('/', '__')}.json`);
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws' });
    id = w.gh.renameRepo(REPO, NEW);
  });
  after(async () => w?.stop());

  test('a full run with the old --repo: secrets and release go to the new name, the user is told, the new name is saved', { timeout: 90_000 }, async () => {
    const r = await w.run(w.baseArgs('aws'));
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /warning: acme\/app is now acme\/app-v2 on GitHub \(renamed or transferred\): this run uses acme\/app-v2\. Use --repo acme\/app-v2/);
    const names = w.gh.secrets(NEW).map((s) => s.name).sort();
    assert.deepEqual(names, ['AWS_ACCESS_KEY_ID', 'AWS_S3_BUCKET', 'AWS_SECRET_ACCESS_KEY', 'DEPLOY_HOST', 'DEPLOY_KEY', 'DEPLOY_USERNAME', 'LETSENCRYPT_EMAIL']);
    assert.equal(w.gh.dispatches(NEW).length, 1, 'released in the renamed repository');
    assert.match(r.stdout, /release: success/);
    // Only the first read goes through the redirect; every later request names the new repository.
    const paths = w.gh.requests().map((q) => q.path);
    const viaOld = paths.filter((p) => p === '/repos/acme/app' || p.startsWith('/repos/acme/app/') || p.startsWith('/repositories/'));
    assert.deepEqual(viaOld, ['/repos/acme/app', `/repositories/${id}`]);
    assert.ok(paths.some((p) => p.startsWith('/repos/acme/app-v2/actions/workflows/release.yml/dispatches')));
    // Remembered under the new name: defaults and the record of what was written.
    assert.ok(existsSync(saved(NEW)), 'saved under the new name');
    assert.ok(!existsSync(saved(REPO)), 'nothing saved under the old name');
    const file = JSON.parse(readFileSync(saved(NEW), 'utf8')) as { defaults: { host?: string }; record: { secrets: Record<string, unknown>; lastRelease?: { conclusion: string } } };
    assert.equal(file.defaults.host, 'app.acme.io');
    assert.equal(file.record.lastRelease?.conclusion, 'success');
    // The deploy key on the host carries the new name, so later runs recognise it.
    const keys = await w.host.run('cat /home/deploy/.ssh/authorized_keys');
    assert.match(keys.stdout, /create-litestream-host acme\/app-v2 /);
  });

  test('a re-run with the old name again works and changes nothing', { timeout: 90_000 }, async () => {
    w.gh.reset();
    const r = await w.run(w.baseArgs('aws'));
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /warning: acme\/app is now acme\/app-v2/);
    assert.match(r.stdout, /nothing to change/);
    assert.deepEqual(w.gh.events(), [], 'no secret written, no second release');
    assert.equal(w.gh.dispatches(NEW).length, 1);
  });

  test('and with the new name: the same state, no warning', { timeout: 90_000 }, async () => {
    w.gh.reset();
    const args = w.baseArgs('aws');
    args[args.indexOf('--repo') + 1] = NEW;
    const r = await w.run(args);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /renamed or transferred/);
    assert.match(r.stdout, /nothing to change/);
    assert.deepEqual(w.gh.events(), []);
  });
});

describe('a repository renamed after it was set up', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws' });
  });
  after(async () => w?.stop());

  test('a re-run with the old name finds the earlier setup (record and deploy key) and changes nothing', { timeout: 120_000 }, async () => {
    const first = await w.run(w.baseArgs('aws'));
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    w.gh.renameRepo(REPO, NEW);
    w.gh.reset();
    const r = await w.run(w.baseArgs('aws'));
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /warning: acme\/app is now acme\/app-v2/);
    assert.match(r.stdout, /nothing to change/);
    assert.deepEqual(w.gh.events(), [], 'no secret rewritten, no second release');
    assert.ok(existsSync(join(w.home, '.config', 'create-litestream-host', 'repos', 'acme__app-v2.json')), 'the record moved to the new name');
  });
});
