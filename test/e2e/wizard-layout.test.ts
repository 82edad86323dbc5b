/**
 * The wizard at 60, 80 and 100 columns (the demo, in tmux): nothing crosses clack's frame
 * (every row starts on the bar), no path is split across rows, and the compact plan and
 * its question fit one 100x40 screen.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BIN } from '../helpers/world.js';
import { skipWithoutTmux, startTty, type Tty } from '../helpers/tty.js';

const PATH = `${process.execPath.replace(/\/[^/]+$/, '')}:${process.env.PATH}`;
const FRAME = /^[│◇◆●▲■└┌├◒◐◓◑✔✖⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
/** Words that must never be cut across two rows. */
const PATHS = ['/home/deploy/.deploy/nginx-proxy/nginx-proxy-compose.yml', '/usr/local/bin/docker-compose', '~deploy/.ssh/authorized_keys', 'AWS_SECRET_ACCESS_KEY'];

async function toThePlan(t: Tty, details: boolean): Promise<void> {
  // Enter takes each prefilled answer; a key is sent only to an open question.
  await t.waitFor(/◆ {2}GitHub repository/, { what: 'the first question' });
  for (let i = 0; i < 60; i++) {
    const s = await t.visible();
    if (/◆ {2}Apply \d+ changes\?/.test(s)) break;
    if (/◆ {2}.*\n(│.*\n)*└/.test(s.slice(s.lastIndexOf('◇')))) await t.keys('Enter');
    await new Promise((r) => setTimeout(r, 200));
  }
  await t.waitFor(/◆ {2}Apply \d+ changes\?/, { what: 'the plan question' });
  if (details) {
    await t.keys('Down', 'Enter');
    await t.waitFor(/The whole plan/, { what: 'the whole plan' });
    await t.waitFor(/◆ {2}Apply \d+ changes\?/, { what: 'the question again' });
  }
}

function checkRows(rows: string[], cols: number): void {
  const bad = rows.filter((r) => r.trim() && !FRAME.test(r));
  assert.deepEqual(bad, [], `rows that do not start on clack's frame at ${cols} columns`);
  const inner = rows.map((r) => r.replace(FRAME, '').replace(/│\s*$/, '').trim());
  for (let i = 1; i < inner.length; i++) {
    const a = inner[i - 1]!.split(' ').pop() ?? '';
    const b = inner[i]!.split(' ')[0] ?? '';
    if (!a || !b) continue;
    for (const p of PATHS) assert.ok(!(p.startsWith(a) && a !== p && p.slice(a.length).startsWith(b)), `${p} split across rows at ${cols} columns: "${a}" / "${b}"`);
  }
}

describe('the wizard\'s layout in a terminal', { skip: skipWithoutTmux(), concurrency: false }, () => {
  for (const cols of [60, 80, 100]) {
    test(`${cols} columns: the frame holds, no path is split, the whole plan too`, async () => {
      const t = await startTty({ argv: [BIN, '--demo'], env: { PATH, HOME: '/nonexistent', LANG: 'C.UTF-8', CLH_DEMO_FAST: '1' }, cols, rows: 180 });
      try {
        await toThePlan(t, true);
        const rows = (await t.rows()).split('\n');
        checkRows(rows, cols);
        assert.ok(rows.some((r) => r.includes('will change')), 'the plan is on screen');
        await t.keys('Down', 'Down', 'Enter'); // No, change nothing
        assert.equal(await t.exit(), 130);
      } finally {
        await t.close();
      }
    });
  }

  test('a long validation message at 60 columns continues under its own text, not at column 0', async () => {
    const t = await startTty({ argv: [BIN, '--repo', 'acme/app'], env: { PATH, HOME: '/nonexistent', LANG: 'C.UTF-8', GH_TOKEN: 'x', GITHUB_API_URL: 'http://127.0.0.1:1' }, cols: 60, rows: 60 });
    try {
      await t.waitFor(/◆ {2}Public DNS name/, { what: 'the host question' });
      await t.type('203.0.113.7');
      await t.keys('Enter');
      const s = await t.waitFor(/LetsEncrypt/, { what: 'the validation message' });
      const rows = (await t.rows()).split('\n');
      const at = rows.findIndex((r) => r.startsWith('└  the DNS name is an IP address'));
      assert.ok(at > 0, s);
      const rest = rows.slice(at + 1).filter((r) => r.trim());
      assert.ok(rest.length > 0 && rest.every((r) => r.startsWith('   ')), rest.join('\n'));
      await t.keys('C-c');
      assert.equal(await t.exit(), 130);
    } finally {
      await t.close();
    }
  });

  test('at 100x40 the compact plan and its question fit one screen', async () => {
    const t = await startTty({ argv: [BIN, '--demo'], env: { PATH, HOME: '/nonexistent', LANG: 'C.UTF-8', CLH_DEMO_FAST: '1' }, cols: 100, rows: 40 });
    try {
      await toThePlan(t, false);
      const screen = await t.visible();
      assert.match(screen, /◇ {2}Plan ─/, `the plan's top is on the screen:\n${screen}`);
      assert.match(screen, /Secrets \(names only/);
      assert.match(screen, /◆ {2}Apply \d+ changes\?/);
      await t.keys('Down', 'Down', 'Enter');
      assert.equal(await t.exit(), 130);
    } finally {
      await t.close();
    }
  });
});
