import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wizardFace } from '../../src/session/wizard-face.js';
import type { Prompter } from '../../src/interview/prompter.js';
import type { FaceContext } from '../../src/session/face.js';
import type { Plan } from '../../src/steps/types.js';

/** A prompter that records each question and answers from a list (true: yes, apply). */
function answering(answers: boolean[]): { p: Prompter; asked: string[]; warned: string[] } {
  const asked: string[] = [];
  const warned: string[] = [];
  const none = () => undefined;
  const p = {
    intro: none, outro: none, note: none, info: none, error: none, success: none,
    warn: (m: string) => void warned.push(m),
    confirm: async (o: { message: string }) => {
      asked.push(o.message);
      return answers.shift() ?? false;
    },
    // "Apply N changes?" is a choice: apply, show every detail, or stop.
    select: async (o: { message: string }) => {
      asked.push(o.message);
      return (answers.shift() ?? false) ? 'apply' : 'stop';
    },
  } as unknown as Prompter;
  return { p, asked, warned };
}

const ctx = { cli: {}, io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, isTTY: false }, world: { env: {} }, interrupt: () => {} } as unknown as FaceContext;
const plan: Plan = {
  items: [
    { id: 'docker', title: 'Docker', status: 'change', detail: 'install', ask: 'Install Docker Engine and Compose on the host from https://download.docker.com/linux/ubuntu?' },
    { id: 'dns', title: 'DNS for LetsEncrypt', status: 'warn', detail: 'no A record', ask: 'DNS for app.example.org is not ready, … Go on anyway?' },
    { id: 'shim', title: 'docker-compose shim', status: 'change', detail: 'install' },
  ],
  secrets: [],
  warnings: [],
};

test('the wizard asks each row\'s question before "Apply N changes?"; a no stops there with nothing applied', async () => {
  const { p, asked } = answering([false]);
  const face = await wizardFace(ctx, p);
  assert.equal(await face.confirmPlan!(plan), false);
  assert.deepEqual(asked, [plan.items[0]!.ask]);
  const second = answering([true, false]);
  assert.equal(await (await wizardFace(ctx, second.p)).confirmPlan!(plan), false);
  assert.deepEqual(second.asked, [plan.items[0]!.ask, plan.items[1]!.ask], 'going on past the DNS warning is its own question');
  const third = answering([true, true, false]);
  assert.equal(await (await wizardFace(ctx, third.p)).confirmPlan!(plan), false);
  assert.deepEqual(third.asked.at(-1), 'Apply 2 changes?');
});

test('a no to a question with askNo says what to do instead (the repair: --no-release)', async () => {
  const repair = { id: 'workflow-repair', title: 'Workflow repair', status: 'change' as const, detail: 'commit 3 line(s)', ask: 'Commit the repair shown above to main?', askNo: 'Without the repair the release could never run as it is: re-run with --no-release to set up the host and secrets only.' };
  const { p, asked, warned } = answering([false]);
  assert.equal(await (await wizardFace(ctx, p)).confirmPlan!({ ...plan, items: [repair] }), false);
  assert.deepEqual(asked, [repair.ask]);
  assert.deepEqual(warned, [repair.askNo]);
});

test('after a host repair, a question the first plan did not have is found (the engine stops to ask it on the re-run)', async () => {
  const { unaskedQuestion } = await import('../../src/engine/run.js');
  const storage = { id: 'storage', title: 'Storage (Litestream)', status: 'skip' as const, detail: 'not checked: needs a Docker daemon' };
  const asked = { ...storage, status: 'warn' as const, detail: 'a replica; the migration would replace its data', ask: 'Release anyway?' };
  const before = { ...plan, items: [...plan.items, storage] };
  const after = { ...plan, items: [...plan.items.map((i) => (i.id === 'docker' ? { ...i, status: 'ok' as const, ask: undefined } : i)), asked] };
  assert.equal(unaskedQuestion(before, after), asked);
  assert.equal(unaskedQuestion(after, after), undefined, 'asked already: nothing new');
});
