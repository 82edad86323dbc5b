import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { clackPrompter } from '../../src/interview/prompter.js';
import { interview, type InterviewContext } from '../../src/interview/interview.js';
import { parseCli } from '../../src/config/options.js';
import { draftFrom } from '../../src/config/settings.js';
import { Interrupted } from '../../src/errors.js';
import type { OpenedLogin } from '../../src/host/connect.js';

/** Drives clack through its own input/output streams, answering each question as it appears. */
function terminal() {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (b: boolean) => void };
  const output = new PassThrough() as PassThrough & { columns?: number; isTTY?: boolean };
  output.columns = 100;
  let screen = '';
  output.on('data', (d) => (screen += d.toString()));
  const plain = () => screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  let consumed = 0;
  async function answer(question: RegExp, keys: string) {
    for (let i = 0; i < 400; i++) {
      const rest = plain().slice(consumed);
      const m = question.exec(rest);
      if (m) {
        consumed += m.index + m[0].length;
        await new Promise((r) => setTimeout(r, 5));
        input.write(keys);
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`question ${question} never appeared; screen:\n${plain().slice(-1500)}`);
  }
  return { input, output, answer, plain };
}

const ENTER = '\r';
const fakeLogin = { session: { close() {} }, hostKey: { host: 'h', port: 22, type: 'ssh-ed25519', fingerprint: 'SHA256:demo', blob: Buffer.alloc(0) }, recorded: true } as unknown as OpenedLogin;

function ctx(argv: string[], env: Record<string, string> = {}, over: Partial<InterviewContext> = {}): InterviewContext {
  const cli = parseCli(argv);
  return {
    cli,
    draft: draftFrom(cli, env, {}, {}),
    env,
    home: '/nonexistent-home',
    authSources: async () => [],
    connect: async (_d, _a, confirm) => {
      assert.equal(await confirm(fakeLogin.hostKey), true);
      return fakeLogin;
    },
    ...over,
  };
}

test('asks every question in order, validates as you type, masks secrets', async () => {
  const t = terminal();
  const p = await clackPrompter({ input: t.input, output: t.output });
  const run = interview(p, ctx([], { SSH_AUTH_SOCK: '/tmp/agent.sock' }));
  await t.answer(/GitHub repository/, `acme/app${ENTER}`);
  await t.answer(/GitHub token/, `ghp_typedsecret${ENTER}`);
  await t.answer(/Public DNS name/, `203.0.113.7${ENTER}`);
  await t.answer(/LetsEncrypt needs a DNS name/, `\u0015app.acme.io${ENTER}`); // Ctrl-U clears the line
  await t.answer(/SSH address/, ENTER);
  await t.answer(/SSH port/, ENTER);
  await t.answer(/SSH login user/, ENTER);
  await t.answer(/Key to log in with/, ENTER);
  await t.answer(/Trust ssh-ed25519 key SHA256:demo/, `y${ENTER}`);
  await t.answer(/Deploy user/, `\u0015deploy${ENTER}`); // the default is the login user, root
  await t.answer(/LetsEncrypt email/, `you@example.com${ENTER}`);
  await t.answer(/LetsEncrypt rejects/, `\u0015ops@acme.io${ENTER}`);
  await t.answer(/replicate the database/, `\u001b[B${ENTER}`); // down: azure
  await t.answer(/Account key/, `c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5MDAwMDAwMDAwMA==${ENTER}`);
  await t.answer(/Storage account/, `acmestorage${ENTER}`);
  await t.answer(/Container/, `acme-db${ENTER}`);
  const r = await run;
  assert.equal(r.settings.host, 'app.acme.io');
  assert.equal(r.settings.sshHost, 'app.acme.io');
  assert.equal(r.settings.user, 'root');
  assert.equal(r.settings.deployUser, 'deploy');
  assert.equal(r.settings.email, 'ops@acme.io');
  assert.equal(r.settings.target, 'azure');
  assert.equal(r.settings.storage.AZURE_ACCOUNT_KEY!.reveal(), 'c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5MDAwMDAwMDAwMA==');
  assert.equal(r.settings.token.reveal(), 'ghp_typedsecret');
  const screen = t.plain();
  assert.ok(!screen.includes('ghp_typedsecret'), 'token masked');
  assert.ok(!screen.includes('c2VjcmV0'), 'account key masked');
  assert.match(screen, /settings\/tokens\/new\?scopes=repo,workflow/);
  assert.ok(screen.indexOf('GitHub repository') < screen.indexOf('Public DNS name'));
  assert.ok(screen.indexOf('Trust ssh-ed25519') < screen.indexOf('Deploy user'), 'connects before the remaining questions');
});

test('flags and environment skip their questions', async () => {
  const t = terminal();
  const p = await clackPrompter({ input: t.input, output: t.output });
  const env = { GH_TOKEN: 'ghp_env', AWS_S3_BUCKET: 'acme-db', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  const run = interview(p, ctx(['--repo', 'acme/app', '--host', 'app.acme.io', '--user', 'root', '-i', '/k', '--deploy-user', 'deploy', '--email', 'ops@acme.io', '--target', 'aws'], env));
  await t.answer(/SSH address/, ENTER);
  await t.answer(/SSH port/, ENTER);
  await t.answer(/Trust/, `y${ENTER}`);
  const r = await run;
  assert.equal(r.settings.target, 'aws');
  assert.doesNotMatch(t.plain(), /GitHub repository \(owner|Deploy user \(|LetsEncrypt email \(|S3 bucket:/);
  assert.match(t.plain(), /GitHub token: from GH_TOKEN/);
});

test('Ctrl-C at a question is an interruption with nothing changed', async () => {
  const t = terminal();
  const p = await clackPrompter({ input: t.input, output: t.output });
  const run = interview(p, ctx([]));
  await t.answer(/GitHub repository/, '\u0003');
  await assert.rejects(run, Interrupted);
  assert.match(t.plain(), /Cancelled: nothing was changed/);
});

test('a re-run of a finished setup offers repair, rotate or a new host', async () => {
  const t = terminal();
  const p = await clackPrompter({ input: t.input, output: t.output });
  const saved = { defaults: { host: 'app.acme.io', user: 'root', deployUser: 'deploy', email: 'ops@acme.io', target: 'aws' }, record: { secrets: { AWS_S3_BUCKET: { hmac: 'x', at: 'y' }, AWS_ACCESS_KEY_ID: { hmac: 'x', at: 'y' }, AWS_SECRET_ACCESS_KEY: { hmac: 'x', at: 'y' } }, deployKey: { fingerprint: 'f', publicKey: 'p', at: 'a' }, host: 'app.acme.io' } };
  const run = interview(p, ctx(['--repo', 'acme/app', '-i', '/k'], { GH_TOKEN: 'x' }, { loadSaved: async () => saved }));
  await t.answer(/set up before on app\.acme\.io/, `\u001b[B${ENTER}`); // rotate
  await t.answer(/What to rotate/, ENTER); // all preselected
  await t.answer(/Public DNS name/, ENTER);
  await t.answer(/SSH address/, ENTER);
  await t.answer(/SSH port/, ENTER);
  await t.answer(/SSH login user/, ENTER);
  await t.answer(/Trust/, `y${ENTER}`);
  await t.answer(/Deploy user/, ENTER);
  await t.answer(/LetsEncrypt email/, `\u0015new@acme.io${ENTER}`);
  await t.answer(/replicate the database/, ENTER);
  await t.answer(/S3 bucket/, `acme-db${ENTER}`);
  await t.answer(/Access key id/, `AKIAIOSFODNN7EXAMPL2${ENTER}`);
  await t.answer(/Secret access key/, `newSecretKeyNewSecretKeyNewSecretKey0001${ENTER}`);
  const r = await run;
  assert.equal(r.choice, 'rotate');
  assert.deepEqual(r.settings.rotateItems, ['deploy-key', 'storage', 'email']);
  assert.equal(r.settings.email, 'new@acme.io');
  assert.equal(r.settings.storage.AWS_ACCESS_KEY_ID!.reveal(), 'AKIAIOSFODNN7EXAMPL2');
});

test('a setup made on another machine is recognised from the repository; its storage secrets are kept, not asked', async () => {
  const t = terminal();
  const p = await clackPrompter({ input: t.input, output: t.output });
  const peekRepo = async () => ({ target: 'sftp' as const, secrets: new Set(['DEPLOY_KEY', 'SFTP_USERNAME', 'SFTP_PASSWORD', 'SFTP_HOST', 'SFTP_PORT']) });
  const run = interview(p, ctx(['--repo', 'acme/app', '--host', 'app.acme.io', '--user', 'root', '-i', '/k', '--deploy-user', 'deploy', '--email', 'ops@acme.io'], { GH_TOKEN: 'x' }, { peekRepo, loadSaved: async () => ({ defaults: {}, record: { secrets: {} } }) }));
  await t.answer(/set up before \(its DEPLOY_KEY is set\)/, ENTER); // check and repair
  await t.answer(/SSH address/, ENTER);
  await t.answer(/SSH port/, ENTER);
  await t.answer(/Trust/, `y${ENTER}`);
  await t.answer(/replicate the database/, ENTER); // the workflow's target is preselected
  const r = await run;
  assert.equal(r.choice, 'repair');
  assert.equal(r.settings.target, 'sftp');
  assert.deepEqual(Object.keys(r.settings.storage), []);
  assert.match(t.plain(), /SFTP \(the workflow uses this\)/);
  assert.doesNotMatch(t.plain(), /SFTP password:/);
});

test('answers saved for one host are not offered for another: the SSH address follows the new host', async () => {
  const t = terminal();
  const p = await clackPrompter({ input: t.input, output: t.output });
  const saved = { defaults: { host: 'a.acme.io', sshHost: '203.0.113.7', sshPort: '2222', user: 'admin', deployUser: 'deploy', email: 'ops@acme.io', target: 'aws' }, record: { secrets: {} } };
  const seen: string[] = [];
  const run = interview(
    p,
    ctx(['--repo', 'acme/app', '-i', '/k'], { GH_TOKEN: 'x', AWS_S3_BUCKET: 'acme-db', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, {
      loadSaved: async () => saved,
      connect: async (d, _a, confirm) => {
        seen.push(`${d.user}@${d.sshHost}:${d.sshPort}`);
        assert.equal(await confirm(fakeLogin.hostKey), true);
        return fakeLogin;
      },
    }),
  );
  await t.answer(/Public DNS name/, `\u0015b.acme.io${ENTER}`);
  await t.answer(/SSH address/, ENTER);
  await t.answer(/SSH port/, ENTER);
  await t.answer(/SSH login user/, ENTER);
  await t.answer(/Trust/, `y${ENTER}`);
  await t.answer(/Deploy user/, ENTER);
  await t.answer(/LetsEncrypt email/, ENTER);
  await t.answer(/replicate the database/, ENTER);
  const r = await run;
  assert.deepEqual(seen, ['root@b.acme.io:22'], 'the new host with the defaults, not 203.0.113.7:2222 as admin');
  assert.equal(r.settings.email, 'ops@acme.io', 'answers about the repository still apply');
});

test('the workflow\'s target is offered; another one is refused at the question; a contradicting --target is bad input', async () => {
  const t = terminal();
  const p = await clackPrompter({ input: t.input, output: t.output });
  const peekRepo = async () => ({ target: 'sftp' as const, secrets: new Set<string>() });
  const env = { GH_TOKEN: 'x', SFTP_USERNAME: 'backup', SFTP_PASSWORD: 'pw', SFTP_HOST: 'sftp.acme.io', SFTP_PORT: '22' };
  const flags = ['--repo', 'acme/app', '--host', 'app.acme.io', '--user', 'root', '-i', '/k', '--deploy-user', 'deploy', '--email', 'ops@acme.io'];
  const run = interview(p, ctx(flags, env, { peekRepo }));
  await t.answer(/SSH address/, ENTER);
  await t.answer(/SSH port/, ENTER);
  await t.answer(/Trust/, `y${ENTER}`);
  await t.answer(/replicate the database/, `\u001b[A\u001b[A${ENTER}`); // up twice: AWS S3
  await t.answer(/release workflow replicates to SFTP: choose SFTP/, '');
  await t.answer(/replicate the database/, ENTER); // the workflow's, preselected
  const r = await run;
  assert.equal(r.settings.target, 'sftp');
  const t2 = terminal();
  const p2 = await clackPrompter({ input: t2.input, output: t2.output });
  const bad = interview(p2, ctx([...flags, '--target', 'aws'], env, { peekRepo }));
  await t2.answer(/SSH address/, ENTER);
  await t2.answer(/SSH port/, ENTER);
  await t2.answer(/Trust/, `y${ENTER}`);
  await assert.rejects(bad, (e: Error) => e.name === 'UsageError' && /--target aws: the release workflow replicates to SFTP/.test(e.message));
});
