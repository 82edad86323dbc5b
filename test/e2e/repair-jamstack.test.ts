import { test, before, after, describe } from 'node:test';
import { skipWithoutSshd, startWorld, type World } from '../helpers/world.js';
import { assertNothingWritten, repairAndRelease } from '../helpers/repair.js';

// The three jamstack mixes on one host, each in its own repository: ubuntu-20.04; their literal port 22 stays (they never read DEPLOY_PORT).
describe('workflow repair: jamstack mixes', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'jamstack-litestream-aws' });
  });
  after(async () => w?.stop());

  test('without --repair-workflow, a fresh host and repository stay untouched', async () => {
    const r = await w.run();
    if (r.code !== 1) throw new Error(r.stdout + r.stderr);
    await assertNothingWritten(w, true);
  });
  test('a fine-grained token without "Workflows: write": exit 1 naming it, host and repository untouched', async () => {
    w.gh.addToken({ token: 'github_pat_fine', workflows: false });
    w.gh.reset();
    const r = await w.run([...w.baseArgs('aws'), '--repair-workflow'], { GH_TOKEN: 'github_pat_fine' });
    if (r.code !== 1 || !/Workflows: write/.test(r.stdout + r.stderr)) throw new Error(r.stdout + r.stderr);
    await assertNothingWritten(w, true);
  });
  test('jamstack-litestream-aws, with a Build workflow on ubuntu-20.04 too', () => repairAndRelease(w, 'jamstack-litestream-aws', true));
  test('jamstack-litestream-azure', () => repairAndRelease(w, 'jamstack-litestream-azure', false));
  test('jamstack-litestream-sftp', () => repairAndRelease(w, 'jamstack-litestream-sftp', false));
});
