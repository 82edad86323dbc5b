import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wizardFace } from '../../src/session/wizard-face.js';
import type { Prompter } from '../../src/interview/prompter.js';
import type { FaceContext } from '../../src/session/face.js';
import type { Plan } from '../../src/steps/types.js';

/** A prompter that records each question and answers from a list (true: yes, apply). */
function answering(answers: boolean[]): { p: Prompter; asked: string[] } {
  const asked: string[] = [];
  const none = () => undefined;
  const p = {
    intro: none, outro: none, note: none, info: none, warn: none, error: none, success: none,
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
  return { p, asked };
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
