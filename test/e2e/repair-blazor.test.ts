import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { STORAGE, skipWithoutSshd, startWorld, type World } from '../helpers/world.js';
import { addMixRepo, targetOf } from '../helpers/repair.js';

// The blazor mixes run on ubuntu-22.04 and never read DEPLOY_PORT: nothing to repair, even on another SSH port.
describe('workflow repair: blazor mixes need none', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws' });
  });
  after(async () => w?.stop());

  // blazor-litestream-azure releases without a repair in test/e2e/outcome-azure.test.ts.
  for (const mix of ['blazor-litestream-aws', 'blazor-litestream-sftp']) {
    test(`${mix}: nothing repaired, one release`, async () => {
      const args = addMixRepo(w, mix);
      const repo = `acme/${mix}`;
      const files = w.gh.files(repo);
      w.gh.reset();
      // No --repair-workflow: none is needed.
      const r = await w.run(args, STORAGE[targetOf(mix)]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /ok +Workflow repair +every job runs on a runner GitHub provides/);
      assert.deepEqual(w.gh.files(repo), files);
      assert.equal(w.gh.events().filter((e) => e.kind === 'push').length, 0);
      assert.deepEqual(w.gh.runs(repo).map((x) => [x.workflow, x.event, x.status, x.conclusion]), [['release.yml', 'workflow_dispatch', 'completed', 'success']]);
    });
  }
});
