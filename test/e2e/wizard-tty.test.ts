// The guided wizard in a real pseudo-terminal (a tmux pane): questions answered by typing,
// the host-key prompt, Ctrl-C at a question and during the live view, and `--demo`.
// Runs the BUILT program (bin/ -> dist/): `npm test` builds first.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, REPO, TOKEN, skipWithoutSshd, startWorld, type World } from '../helpers/world.js';
import { cursorShownAtEnd, promptOpen, skipWithoutTmux, startTty, sttyRestored, type Tty } from '../helpers/tty.js';

const ROOT = join(import.meta.dirname, '..', '..');
const notBuilt = !existsSync(join(ROOT, 'dist', 'cli.js')) && !process.env.CI ? 'run `npm run build` first' : false;
// CI installs tmux: there a missing one fails instead of skipping.
const skipTty = notBuilt || (process.env.CI ? false : skipWithoutTmux());
// On CI the sshd harness must be there (startWorld throws); elsewhere these tests skip without it.
const skipSshd = skipTty || (process.env.CI ? false : skipWithoutSshd());

/** Typed at the secret question; unlike the prompt's example value, so seeing it on screen means it leaked. */
const SECRET = 'tty5ecret/Kq7Zr2Wv9Xy4Lm8Np3Bc6Df1Gh0Jk5Tu';
const BUCKET = 'acme-db-tty';
const KEY_ID = 'AKIAI44QH8DHBEXAMPLE';

const PATH = `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

/** The program's whole environment: no CI, so it is the wizard; the token and the emulator from the world. */
const envOf = (w: World, extra: Record<string, string> = {}): Record<string, string> => ({
  PATH,
  HOME: w.home,
  LANG: 'C.UTF-8',
  GH_TOKEN: TOKEN,
  GITHUB_API_URL: w.gh.url,
  CLH_POLL_MS: '50',
  // --host points at the test host: no DNS question in these runs.
  CLH_DNS: JSON.stringify({ 'app.acme.io': { a: ['127.0.0.1'] } }),
  ...extra,
});

/**
 * Only what the interview cannot type well: the login key file, where sshd listens, and a
 * known_hosts file that does not know the host (so the trust question comes).
 */
function wizardArgv(w: World): string[] {
  const knownHosts = join(w.home, `known_hosts.${Date.now()}`);
  writeFileSync(knownHosts, '', { mode: 0o600 });
  // The world's storage values are made up and no sidecar writes a replica: no restore drill (see startWorld).
  return [BIN, '-i', w.host.loginKey, '--ssh-host', '127.0.0.1', '--ssh-port', String(w.host.port), '--known-hosts', knownHosts, '--no-verify'];
}

/** Waits for clack's open question starting with `q`, replaces any prefilled answer with `text` and submits it. */
async function answer(t: Tty, q: string, text: string | undefined, o: { clear?: boolean } = {}): Promise<string> {
  const open = await t.waitFor((s) => s.includes(`◆  ${q}`) && promptOpen(s), { what: `the question "${q}"` });
  if (o.clear) await t.keys('C-u');
  if (text !== undefined) await t.type(text);
  await t.keys('Enter');
  await t.waitFor((s) => s.includes(`◇  ${q}`), { what: `"${q}" answered` });
  return open;
}

/** From the start to the host-key question: repository, host name, login user. */
async function answerUpToTrust(t: Tty): Promise<string> {
  await answer(t, 'GitHub repository (owner/name)', REPO);
  await answer(t, "Public DNS name of the host (the site's address)", 'app.acme.io');
  await answer(t, 'SSH login user (with sudo, or root)', 'tester', { clear: true });
  return t.waitFor((s) => /◆  Trust ssh-ed25519 key SHA256:\S+ of 127\.0\.0\.1:\d+\?/.test(s) && promptOpen(s), { what: 'the host-key question' });
}

/**
 * Running rows (a spinner, then the step's title) that a redraw left behind: the same step
 * also has a row further down, finished (✔) or running again.
 */
function staleRunningRows(screen: string): string[] {
  const lines = screen.split('\n');
  const step = (l: string) => /^([⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✔]) (.+?)(?: {2}.*| \d+(?:\.\d+)?m?s)?$/.exec(l);
  return lines.filter((l, i) => {
    const m = step(l);
    if (!m || m[1] === '✔') return false;
    return lines.slice(i + 1).some((x) => step(x)?.[2] === m[2]);
  });
}

/** The terminal is usable again after the program: line mode, echo, signals, cursor shown. */
function assertTerminalRestored(t: Tty) {
  const mode = sttyRestored(t.stty());
  assert.deepEqual(mode, { icanon: true, echo: true, isig: true }, `stty -a after the program:\n${t.stty()}`);
  assert.ok(cursorShownAtEnd(t.raw()), 'the last cursor escape the program wrote shows the cursor');
}

describe('the wizard in a terminal, against sshd and the GitHub emulator', { skip: skipSshd, concurrency: true }, () => {
  test('a full interactive run: every question typed, the host key trusted, the plan confirmed', async () => {
    const w = await startWorld({ mix: 'blazor-litestream-aws' });
    const t = await startTty({ argv: wizardArgv(w), env: envOf(w) });
    try {
      // The interview.
      const first = await t.waitFor((s) => s.includes('◆  GitHub repository') && promptOpen(s));
      assert.match(first, /What happens/);
      assert.match(first, /Nothing changes until you confirm the plan\./);
      await answer(t, 'GitHub repository (owner/name)', REPO);
      await t.waitFor('GitHub token: from GH_TOKEN');
      await answer(t, "Public DNS name of the host (the site's address)", 'app.acme.io');
      await answer(t, 'SSH login user (with sudo, or root)', 'tester', { clear: true });
      const trust = await t.waitFor((s) => /◆  Trust ssh-ed25519 key/.test(s) && promptOpen(s), { what: 'the host-key question' });
      assert.match(trust, /The host answered with a key this computer has not seen/);
      assert.ok(trust.includes(w.host.hostKeyFingerprint), 'the fingerprint is shown');
      await t.keys('y');
      await t.waitFor(/◇  Trust ssh-ed25519 key[^]*?\n│  Yes\n/, { what: 'the key trusted' });
      await answer(t, 'Deploy user', 'deploy', { clear: true });
      await answer(t, 'LetsEncrypt email', 'ops@acme.io');
      const where = await answer(t, 'Where should Litestream replicate the database?', undefined);
      assert.match(where, /● AWS S3 [^○]*\(the workflow uses this\)/, "AWS S3, read from the workflow, is preselected");
      await answer(t, 'S3 bucket', BUCKET);
      await answer(t, 'Access key id', KEY_ID);
      await t.waitFor((s) => s.includes('◆  Secret access key') && promptOpen(s));
      await t.type(SECRET);
      const typed = await t.screen();
      assert.ok(!typed.includes(SECRET) && !typed.includes(SECRET.slice(0, 12)), 'the secret is masked while typed');
      await t.keys('Enter');

      // The plan.
      const plan = await t.waitFor((s) => s.includes('◆  Apply') && promptOpen(s), { what: 'the plan and its question' });
      assert.match(plan, /Plan/);
      assert.match(plan, /will change/);
      for (const n of ['DEPLOY_HOST', 'DEPLOY_KEY', 'DEPLOY_USERNAME', 'LETSENCRYPT_EMAIL', 'AWS_S3_BUCKET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
        assert.ok(plan.includes(n), `the plan names ${n}`);
      await t.keys('Enter');

      // The live view, then the summary.
      const live = await t.waitFor(/✔ Install the docker-compose shim/);
      assert.match(live, /◇  Apply \d+ changes\?\n│  Yes/);
      // People press Enter at a wizard: keys typed during the live view must not end up in
      // its rows (an echoed Enter moved the cursor under Ink and left stale spinner rows).
      for (let i = 0; i < 4; i++) {
        await t.keys('Enter');
        await new Promise((r) => setTimeout(r, 150));
      }
      const end = await t.waitFor('└  Done.', { what: 'the end of the run' });
      assert.equal(await t.exit(), 0, end);
      for (const row of ['Install the docker-compose shim', 'Create the deploy user', 'Start nginx-proxy + LetsEncrypt', 'Authorize a new deploy key', 'Write repository secrets', 'Release: release.yml'])
        assert.match(end, new RegExp(`^✔ ${row.replace(/[+.]/g, '\\$&')}`, 'm'), row);
      assert.match(end, /^Workflow run: success$/m);
      assert.match(end, /^ {2}✔ push_to_registry$/m);
      assert.match(end, /^ {2}✔ deploy_via_ssh$/m);
      assert.match(end, /site: https:\/\/app\.acme\.io/);
      // Each step is one row: no stale copies of a running row left by a redraw.
      assert.doesNotMatch(end, /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /m, 'no spinner row left on screen');
      const raw = t.raw();
      assert.ok(!end.includes(SECRET) && !raw.includes(SECRET), 'the secret never reached the terminal');
      assert.ok(!raw.includes(TOKEN) && !raw.includes('PRIVATE KEY'), 'neither the token nor the deploy key reached the terminal');
      assertTerminalRestored(t);

      // What the repository received.
      const names = w.gh.secrets(REPO).map((s) => s.name).sort();
      assert.deepEqual(names, ['AWS_ACCESS_KEY_ID', 'AWS_S3_BUCKET', 'AWS_SECRET_ACCESS_KEY', 'DEPLOY_HOST', 'DEPLOY_KEY', 'DEPLOY_USERNAME', 'LETSENCRYPT_EMAIL']);
      assert.equal(w.gh.secretValue(REPO, 'AWS_SECRET_ACCESS_KEY'), SECRET);
      assert.equal(w.gh.secretValue(REPO, 'AWS_S3_BUCKET'), BUCKET);
      assert.equal(w.gh.secretValue(REPO, 'AWS_ACCESS_KEY_ID'), KEY_ID);
      assert.equal(w.gh.secretValue(REPO, 'DEPLOY_HOST'), 'app.acme.io');
      assert.equal(w.gh.secretValue(REPO, 'DEPLOY_USERNAME'), 'deploy');
      assert.equal(w.gh.secretValue(REPO, 'LETSENCRYPT_EMAIL'), 'ops@acme.io');
      assert.match(w.gh.secretValue(REPO, 'DEPLOY_KEY') ?? '', /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
      assert.deepEqual(w.gh.dispatches(REPO).map((d) => d.inputs), [{ version: 'latest' }]);
    } finally {
      await t.close();
      await w.stop();
    }
  });

  test('the host key refused (Enter: the default is No): exit 1 naming the fingerprint, nothing changed', async () => {
    const w = await startWorld({ mix: 'blazor-litestream-aws' });
    const t = await startTty({ argv: wizardArgv(w), env: envOf(w) });
    try {
      const q = await answerUpToTrust(t);
      assert.match(q, /○ Yes \/ ● No/, 'No is the default');
      await t.keys('Enter');
      const code = await t.exit();
      const s = await t.screen();
      assert.equal(code, 1, s);
      const after = s.slice(s.lastIndexOf('Trust ssh-ed25519'));
      assert.ok(after.includes(w.host.hostKeyFingerprint), `the message names the fingerprint:\n${after}`);
      assert.deepEqual(w.gh.events().filter((e) => e.kind === 'secret-put'), [], 'no secret written');
      assert.deepEqual(w.gh.dispatches(REPO), [], 'no release');
      const calls = await w.host.dockerCalls();
      assert.ok(!calls.some((c) => c.includes('up')), `no compose up: ${JSON.stringify(calls)}`);
      assert.equal((await w.host.run('test -e /usr/local/bin/docker-compose && echo present || echo absent')).stdout.trim(), 'absent', 'no shim');
      assertTerminalRestored(t);
    } finally {
      await t.close();
      await w.stop();
    }
  });

  test('Ctrl-C at a question: exit 130, "Cancelled: nothing was changed", terminal restored', async () => {
    const w = await startWorld({ mix: 'blazor-litestream-aws' });
    const t = await startTty({ argv: wizardArgv(w), env: envOf(w) });
    try {
      await answer(t, 'GitHub repository (owner/name)', REPO);
      await t.waitFor((s) => s.includes("◆  Public DNS name of the host (the site's address)") && promptOpen(s));
      await t.type('app.acme');
      await t.keys('C-c');
      const code = await t.exit();
      const s = await t.screen();
      assert.equal(code, 130, s);
      assert.match(s, /Cancelled: nothing was changed\./);
      assert.deepEqual(w.gh.events(), [], 'nothing written to GitHub');
      assertTerminalRestored(t);
    } finally {
      await t.close();
      await w.stop();
    }
  });

  test('Ctrl-C during the live view: exit 130, terminal restored', async () => {
    const w = await startWorld({ mix: 'blazor-litestream-aws' });
    // Storage values from the environment: fewer questions on the way to the live view.
    const t = await startTty({
      argv: [...wizardArgv(w), '--deploy-user', 'deploy', '--email', 'ops@acme.io', '--target', 'aws'],
      env: envOf(w, { AWS_S3_BUCKET: BUCKET, AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }),
    });
    try {
      await answerUpToTrust(t);
      await t.keys('y');
      await t.waitFor((s) => s.includes('◆  Apply') && promptOpen(s), { what: 'the plan' });
      // From now on GitHub answers slowly: the secrets step stays on screen, spinning.
      w.gh.setFaults({ latencyMs: 1500 });
      await t.keys('Enter');
      const live = await t.waitFor(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Write repository secrets/m, { what: 'the secrets step running in the live view' });
      assert.match(live, /^✔ Install the docker-compose shim/m);
      await t.keys('C-c');
      const code = await t.exit();
      const s = await t.screen();
      assert.equal(code, 130, s);
      assert.match(s, /interrupted/);
      assert.deepEqual(w.gh.dispatches(REPO), [], 'no release');
      assertTerminalRestored(t);
    } finally {
      w.gh.setFaults({});
      await t.close();
      await w.stop();
    }
  });
});

describe('--demo in a terminal', { skip: skipTty }, () => {
  let t: Tty | undefined;
  after(async () => t?.close());

  test('Enter through every prompt: the run, then what the sandbox received, exit 0', async () => {
    t = await startTty({ argv: [BIN, '--demo'], env: { PATH, HOME: '/nonexistent', LANG: 'C.UTF-8', CLH_DEMO_FAST: '1' } });
    // An answered question turns from ◆ to ◇: count them to press Enter once per question.
    const answered = (x: string) => x.split('◇').length;
    let prompts = 0;
    for (;;) {
      const s = await t.waitFor((x) => promptOpen(x) || x.includes('└  Done.') || x.includes('Cancelled'), { what: 'a prompt or the end' });
      if (!promptOpen(s)) break;
      assert.ok(prompts < 30, `too many prompts:\n${s}`);
      await t.keys('Enter');
      prompts++;
      await t.waitFor((x) => answered(x) > answered(s), { what: `question ${prompts} answered` });
    }
    const code = await t.exit();
    const s = await t.screen();
    assert.equal(code, 0, s);
    assert.ok(prompts >= 8, `every question was asked (${prompts})`);
    assert.match(s, /What the sandbox received/);
    assert.match(s, /site: https:\/\/app\.litestream-demo\.dev/);
    assert.doesNotMatch(s, /MISMATCH|MISSING/);
    assert.doesNotMatch(s, /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /m, 'no spinner row left on screen');
    assertTerminalRestored(t);
  });

  test('the terminal narrowed and widened during the live view: redrawn to fit, no stale rows, exit 0', async () => {
    // Not CLH_DEMO_FAST: the release takes seconds, time enough to resize while it runs.
    const r = await startTty({ argv: [BIN, '--demo'], env: { PATH, HOME: '/nonexistent', LANG: 'C.UTF-8' }, cols: 100, rows: 50 });
    try {
      const answered = (x: string) => x.split('◇').length;
      const live = (x: string) => /^Workflow run: /m.test(x);
      for (let prompts = 0; ; prompts++) {
        const s = await r.waitFor((x) => promptOpen(x) || live(x) || x.includes('└  Done.') || x.includes('Cancelled'), { what: 'a prompt or the live view' });
        if (!promptOpen(s)) {
          assert.ok(live(s) && !s.includes('└  Done.'), `the live view, still running:\n${s}`);
          break;
        }
        assert.ok(prompts < 30, `too many prompts:\n${s}`);
        await r.keys('Enter');
        await r.waitFor((x) => answered(x) > answered(s), { what: `question ${prompts + 1} answered` });
      }

      // Narrower: the view clears the screen and draws everything again at 60 columns.
      await r.resize(60, 50);
      await new Promise((f) => setTimeout(f, 1000));
      const narrow = await r.rows();
      const long = narrow.split('\n').filter((l) => [...l].length > 60);
      assert.deepEqual(long, [], `no row wider than the 60 columns after the resize:\n${narrow}`);
      assert.match(narrow, /^✔ Install the docker-compose shim/m, `the finished rows drawn again:\n${narrow}`);
      assert.deepEqual(staleRunningRows(narrow), [], `no stale running row after the resize:\n${narrow}`);
      // Wider: no clear needed, the rows just get room again.
      await r.resize(90, 50);

      await r.waitFor('└  Done.', { what: 'the end of the run' });
      const code = await r.exit();
      const final = await r.visible();
      assert.equal(code, 0, final);
      // The receipt is taller than the terminal: its heading has scrolled up.
      assert.match(await r.screen(), /What the sandbox received/);
      assert.match(final, /└  Done\.\s*$/);
      assert.doesNotMatch(final, /MISMATCH|MISSING/);
      assert.doesNotMatch(final, /^\s*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /m, `no spinner row left on the final screen:\n${final}`);
      // Everything drawn since the redraw (the clear pushed what was on screen before into the
      // scrollback, where the running row of that moment stays): each step once, finished.
      const all = await r.screen();
      const redrawn = all.slice(all.lastIndexOf('\n✔ Install the docker-compose shim') + 1);
      assert.deepEqual(staleRunningRows(redrawn), [], `no stale running row since the redraw:\n${redrawn}`);
      assert.doesNotMatch(redrawn, /^\s*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /m, `no spinner row left since the redraw:\n${redrawn}`);
      for (const row of ['Install the docker-compose shim', 'Create the deploy user', 'Start nginx-proxy + LetsEncrypt', 'Authorize a new deploy key', 'Write repository secrets', 'Release: release.yml'])
        assert.equal(redrawn.split('\n').filter((l) => l.startsWith(`✔ ${row}`)).length, 1, `one "✔ ${row}" row since the redraw:\n${redrawn}`);
      // The narrowing cleared the screen once; widening did not.
      assert.equal(r.raw().split('\u001b[H\u001b[2J').length - 1, 1, 'one clear, for the narrowing');
      assertTerminalRestored(r);
    } finally {
      await r.close();
    }
  });
});
