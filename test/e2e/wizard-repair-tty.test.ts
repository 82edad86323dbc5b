// The wizard's workflow-repair question in a real terminal (tmux) at 80 columns, on --demo:
// its sandbox repository is the web mix, on ubuntu-20.04 with a literal port 22.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN } from '../helpers/world.js';
import { promptOpen, skipWithoutTmux, startTty, type Tty } from '../helpers/tty.js';

const notBuilt = !existsSync(join(import.meta.dirname, '..', '..', 'dist', 'cli.js')) && !process.env.CI ? 'run `npm run build` first' : false;
const PATH = `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
let t: Tty | undefined;
after(async () => t?.close());

test('the repair question shows the diff at 80 columns; No stops before any change, naming --no-release', { skip: notBuilt || (process.env.CI ? false : skipWithoutTmux()) }, async () => {
  t = await startTty({ argv: [BIN, '--demo'], env: { PATH, HOME: '/nonexistent', LANG: 'C.UTF-8', CLH_DEMO_FAST: '1' }, cols: 80, rows: 60 });
  const answered = (x: string) => x.split('◇').length;
  let s = '';
  for (let prompts = 0; ; prompts++) {
    s = await t.waitFor((x) => promptOpen(x) || x.includes('Cancelled'), { what: 'a prompt' });
    if (/Commit the repair shown above/.test(s)) break;
    assert.ok(prompts < 30, `never asked about the repair:\n${s}`);
    await t.keys('Enter');
    await t.waitFor((x) => answered(x) > answered(s), { what: `question ${prompts + 1} answered` });
  }
  const rows = await t.rows();
  assert.deepEqual(rows.split('\n').filter((l) => [...l].length > 80), [], 'nothing wider than the terminal');
  assert.match(s, /Workflow repair/);
  assert.match(s, /\.github\/workflows\/release\.yml:/);
  assert.match(s, /24 - runs-on: ubuntu-20\.04/);
  assert.match(s, /\+ runs-on: ubuntu-24\.04/);
  assert.match(s, /135 - port: 22/);
  assert.match(s, /\+ port: \$\{\{ secrets\.DEPLOY_PORT \}\}/);
  // The repair question comes before "Apply N changes?": nothing has run yet.
  assert.doesNotMatch(s, /Install the docker-compose shim|Prepare the workflow repair/);
  await t.keys('n');
  await t.keys('Enter');
  const code = await t.exit();
  const end = await t.screen();
  assert.notEqual(code, 0, end);
  assert.match(end, /--no-release/);
  assert.doesNotMatch(end, /Prepare the workflow repair|Install the docker-compose shim/);
});
