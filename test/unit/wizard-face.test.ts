/** The wizard's face: after a failure, a row still in flight is not printed under the error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parseCli } from '../../src/config/options.js';
import { draftFrom } from '../../src/config/settings.js';
import { memoryStore } from '../../src/config/store.js';
import { StepError } from '../../src/errors.js';
import type { Prompter } from '../../src/interview/prompter.js';
import { wizardFace } from '../../src/session/wizard-face.js';

test('an inspection row that ends after the failure is not shown below the error', async () => {
  const said: string[] = [];
  const say = (kind: string) => (t: string) => void said.push(`${kind}: ${t}`);
  const p = { intro: say('intro'), outro: say('outro'), note: say('note'), info: say('info'), warn: say('warn'), error: say('error'), success: say('success') } as unknown as Prompter;
  const cli = parseCli([]);
  const face = await wizardFace(
    { cli, io: { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), isTTY: true }, world: { store: memoryStore(), env: {}, home: '/h', draft: draftFrom(cli, {}, {}) }, interrupt: () => {} },
    p,
  );
  face.emit({ type: 'step-end', id: 'inspect-repo', status: 'fail', detail: 'the token cannot see it', ms: 5 });
  await face.fail(new StepError('github', 'the token cannot see acme/app', 'Check --repo'));
  face.emit({ type: 'step-end', id: 'inspect-host', status: 'ok', detail: 'Ubuntu 24.04, user root', ms: 90 });
  assert.match(said.at(-1)!, /^error: error: github: the token cannot see acme\/app/);
  assert.ok(!said.some((l) => l.startsWith('success: Host')), said.join('\n'));
});
