import assert from 'node:assert/strict';
import { STORAGE, TOKEN, mixFiles, type World } from './world.js';

/** The templates' Build workflow: its completion starts the release (on: workflow_run). */
export const buildYml = (runner: string): string =>
  `name: Build\n\non:\n  push:\n    branches:\n      - '**'        # every branch\n\njobs:\n  build:\n    runs-on: ${runner}\n    steps:\n      - uses: actions/checkout@v4\n`;

export const targetOf = (mix: string): string => /-(aws|azure|sftp)$/.exec(mix)![1]!;

/** A repository of its own per mix, in the same world, so several mixes share one host. */
export function addMixRepo(w: World, mix: string, extra: Record<string, string> = {}): string[] {
  const repo = `acme/${mix}`;
  w.gh.addRepo({ fullName: repo, files: { ...mixFiles(mix), ...extra } });
  const args = w.baseArgs(targetOf(mix));
  args[args.indexOf('--repo') + 1] = repo;
  return args;
}

/** Nothing was written: GitHub was only read, and the host has no trace of a setup. */
export async function assertNothingWritten(w: World, freshHost: boolean): Promise<void> {
  assert.deepEqual(w.gh.events(), [], 'no secret, push, dispatch or run');
  // A blob or tree no branch points at changes nothing anyone sees: making one is how the workflow permission is checked.
  const writes = w.gh.requests().filter((r) => r.method !== 'GET' && !/^\/repos\/[^/]+\/[^/]+\/git\/(blobs|trees)$/.test(r.path));
  assert.deepEqual(writes.map((r) => `${r.method} ${r.path}`), [], 'GitHub was only read');
  if (freshHost) {
    const calls = await w.host.dockerCalls();
    assert.ok(!calls.some((c) => c.includes('up')), 'no compose up');
    const shim = await w.host.run('test -e /usr/local/bin/docker-compose && echo there || echo absent');
    assert.equal(shim.stdout.trim(), 'absent', 'no shim on the host');
  }
}

/** Every line of every file the same as before, except the repaired lines, which the fixture's retired runner and port say. */
export function assertOnlyRepairedLines(before: Record<string, string>, after: Record<string, string>): number {
  let changed = 0;
  assert.deepEqual(Object.keys(after).sort(), Object.keys(before).sort());
  for (const [path, text] of Object.entries(before)) {
    const a = text.split('\n');
    const b = after[path]!.split('\n');
    assert.equal(b.length, a.length, path);
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      changed++;
      const expect = a[i]!.replace(/ubuntu-20\.04/, 'ubuntu-24.04').replace(/^(\s*port: )22$/, '$1${{ secrets.DEPLOY_PORT }}');
      assert.equal(b[i], expect, `${path}:${i + 1}`);
    }
  }
  return changed;
}

/**
 * One full --yes --repair-workflow run of a mix with retired runners: exactly one release,
 * completed. `refusals`: also the runs that must change nothing (no --repair-workflow, a token
 * without the workflow scope); they do not depend on the storage target, so once per family.
 */
export async function repairAndRelease(w: World, mix: string, withBuild: boolean, refusals = withBuild): Promise<void> {
  const extra: Record<string, string> = withBuild ? { '.github/workflows/build.yml': buildYml('ubuntu-20.04') } : {};
  const args = addMixRepo(w, mix, extra);
  const repo = `acme/${mix}`;
  const env = STORAGE[targetOf(mix)]!;
  const before = w.gh.files(repo);
  w.gh.reset();

  const dry = await w.run([...args, '--dry-run'], env);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /- runs-on: ubuntu-20\.04/);
  assert.match(dry.stdout, /\+ runs-on: ubuntu-24\.04/);
  await assertNothingWritten(w, false);

  if (refusals) {
    const blocked = await w.run(args, env);
    assert.equal(blocked.code, 1, blocked.stdout + blocked.stderr);
    assert.match(blocked.stderr + blocked.stdout, /--repair-workflow/);
    assert.match(blocked.stderr + blocked.stdout, /--no-release/);
    await assertNothingWritten(w, false);

    w.gh.addToken({ token: 'ghp_noworkflow', scopes: ['repo'] });
    const noScope = await w.run([...args, '--repair-workflow'], { ...env, GH_TOKEN: 'ghp_noworkflow' });
    assert.equal(noScope.code, 1, noScope.stdout + noScope.stderr);
    assert.match(noScope.stderr + noScope.stdout, /"workflow" scope/);
    assert.match(noScope.stderr + noScope.stdout, /settings\/tokens\/new/);
    await assertNothingWritten(w, false);
  }

  const r = await w.run([...args, '--repair-workflow'], env);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /release: success/);
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(TOKEN));
  const changed = assertOnlyRepairedLines(before, w.gh.files(repo));
  assert.equal(changed, (mix.startsWith('litestream') ? 3 : 2) + (withBuild ? 1 : 0), 'runners (and the web mixes\' port) only');
  const commits = w.gh.commits(repo);
  assert.match(commits[0]!.message, /\[skip ci\]/);
  assert.equal(commits.filter((c) => /create-litestream-host/.test(c.message)).length, 1, 'one commit');
  const runs = w.gh.runs(repo);
  assert.deepEqual(runs.map((x) => [x.workflow, x.event, x.status, x.conclusion]), [['release.yml', 'workflow_dispatch', 'completed', 'success']], 'exactly one run: the release');
  assert.deepEqual(runs[0]!.labels, [['ubuntu-24.04'], ['ubuntu-24.04']]);
  // The commit came after every secret write.
  const ev = w.gh.events();
  const push = ev.find((e) => e.kind === 'push')!;
  assert.ok(push.at >= Math.max(...ev.filter((e) => e.kind === 'secret-put').map((e) => e.at)));

  // A repaired repository plans nothing more (once per family, as the refusals).
  if (!refusals) return;
  w.gh.reset();
  const again = await w.run([...args, '--dry-run'], env);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /ok +Workflow repair/);
}
