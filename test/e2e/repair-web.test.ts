import { test, before, after, describe } from 'node:test';
import { skipWithoutSshd, startWorld, type World } from '../helpers/world.js';
import { assertNothingWritten, repairAndRelease } from '../helpers/repair.js';

// The three web mixes on one host, each in its own repository: ubuntu-20.04 and a literal port 22.
describe('workflow repair: web mixes', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'litestream-aws' });
  });
  after(async () => w?.stop());

  test('without --repair-workflow, a fresh host and repository stay untouched', async () => {
    const r = await w.run();
    if (r.code !== 1) throw new Error(r.stdout + r.stderr);
    await assertNothingWritten(w, true);
  });
  test('litestream-aws, with a Build workflow on ubuntu-20.04 too', () => repairAndRelease(w, 'litestream-aws', true));
  test('litestream-azure', () => repairAndRelease(w, 'litestream-azure', false));
  test('litestream-sftp', () => repairAndRelease(w, 'litestream-sftp', false));
});
