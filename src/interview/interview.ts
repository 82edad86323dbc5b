import { homedir } from 'node:os';
import type { CliOptions } from '../config/options.js';
import { SAVED_KEYS, type ValueKey } from '../config/fields.js';
import { CONNECTION_FIELDS, DEFAULT_API_URL, expandHome, sameHost, savedFor, toSettings, type Draft, type SavedKey, type Settings } from '../config/settings.js';
import type { RepoFile } from '../config/store.js';
import { StepError, UsageError } from '../errors.js';
import { tokenPageUrl } from '../github/errors.js';
import type { HostKeyInfo, OpenedLogin } from '../host/connect.js';
import type { AuthSource } from '../host/transport.js';
import { Sensitive } from '../sensitive.js';
import { TARGETS, TARGET_IDS, type TargetId } from '../targets/index.js';
import * as v from '../validate.js';
import { wrapWords } from '../ui/wrap.js';
import { detectLoginKeys } from './login-key.js';
import type { Prompter } from './prompter.js';

export type RerunChoice = 'repair' | 'rotate' | 'new-host';

export interface RepoPeek {
  target?: TargetId;
  secrets?: Set<string>;
}

export interface InterviewContext {
  cli: CliOptions;
  draft: Draft;
  env: Record<string, string | undefined>;
  home?: string;
  /** The answer Enter gives to "Trust this host key?": no, except in the sandbox. */
  trustByDefault?: boolean;
  /** The terminal's width, for the intro's paragraphs. */
  columns?: number;
  /** Shown under the intro (the demo says it is a sandbox). */
  banner?: string;
  /** Where prefilled secret values came from (default: the environment). */
  sourceLabel?: string;
  /**
   * Reads the repository once repository and token are known (best effort): the release
   * workflow's target, and the names of the secrets already set there.
   */
  peekRepo?: (d: Draft) => Promise<RepoPeek>;
  /** Loads the repository's saved file once the repository is known. */
  loadSaved?: (repo: string) => Promise<RepoFile>;
  /** Connects with the answers so far: the host key is checked (and asked about) here. */
  connect: (d: Draft, auth: AuthSource[], confirmNewHostKey: (i: HostKeyInfo) => Promise<boolean>) => Promise<OpenedLogin>;
  authSources: (o: { identity?: string; passphrase?: Sensitive; home: string; agentSocket?: string }) => Promise<AuthSource[]>;
}

export interface InterviewResult {
  settings: Settings;
  auth: AuthSource[];
  login: OpenedLogin;
  choice: RerunChoice | undefined;
}

/** A validator's problem under a question names the field too ("SSH port is empty: …"). */
const check = (c: v.Check, field: string) => (x: string) => {
  const p = c(x);
  return p && /^(is|contains|has) /.test(p) ? `${field} ${p}` : p;
};

/** Asks only what flags, environment and saved answers did not settle, in a natural order. */
export async function interview(p: Prompter, ctx: InterviewContext): Promise<InterviewResult> {
  const { cli } = ctx;
  const home = ctx.home ?? homedir();
  const d: Draft = { ...ctx.draft, storage: { ...ctx.draft.storage } };
  const given = (k: ValueKey) => cli[k] !== undefined;

  p.intro('create-litestream-host');
  // Paragraphs, wrapped to the note's width (clack would break our own line ends again).
  const noteWidth = Math.max(30, (ctx.columns ?? 80) - 6);
  const para = (t: string) => wrapWords(t, noteWidth);
  p.note(
    [
      ...para('This sets up a Linux host and a GitHub repository made from the ServiceStack Litestream templates, then releases the app:'),
      ...['1. check the host (Docker, Compose v2, ports) over SSH', '2. install a docker-compose shim, start nginx-proxy + LetsEncrypt', "3. create a deploy key, write the repository's Actions secrets", '4. run the release workflow and follow it'].flatMap((l) =>
        wrapWords(l, noteWidth - 5).map((x, n) => (n ? '     ' : '  ') + x),
      ),
      '',
      ...para('You need: a host you can SSH into, the repository, a GitHub token, and a storage account (AWS S3, Azure Blob or any SFTP server).'),
      ...para('About 5 minutes of questions; the first release takes 5-10 more.'),
      ...para('Nothing changes until you confirm the plan.'),
    ].join('\n'),
    'What happens',
  );
  if (ctx.banner) p.info(ctx.banner);

  // Repository first: saved answers are per repository.
  if (!given('repo')) d.repo = await p.text({ message: 'GitHub repository (owner/name)', initial: d.repo, placeholder: 'acme/my-app', validate: check(v.repo, 'the repository') });
  let saved: RepoFile | undefined;
  if (ctx.loadSaved && d.repo) {
    saved = await ctx.loadSaved(d.repo);
    const defaults = savedFor(saved.defaults, d.host);
    for (const k of SAVED_KEYS as SavedKey[]) d[k] ??= defaults[k];
  }

  const tokenVar = ['GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN'].find((n) => ctx.env[n] && ctx.env[n] === d.token?.reveal());
  if (d.token) p.info(`GitHub token: from ${ctx.sourceLabel ?? tokenVar ?? '`gh auth token`'}`);
  else {
    p.info(`Create a token (classic, scopes repo and workflow): ${tokenPageUrl(d.githubApiUrl ?? DEFAULT_API_URL)}`);
    d.token = new Sensitive(await p.secret({ message: 'GitHub token', validate: (t) => (t.trim() ? undefined : 'paste the token, or press Ctrl-C and set GH_TOKEN') }));
  }
  // What the repository already holds: a setup made elsewhere is recognised too.
  const peek: RepoPeek = (await ctx.peekRepo?.(d).catch(() => undefined)) ?? {};

  let choice: RerunChoice | undefined;
  let rotate = cli.rotate;
  if ((saved?.record.deployKey || peek.secrets?.has('DEPLOY_KEY')) && !cli.rotate) {
    choice = await p.select<RerunChoice>({
      message: `${d.repo} was set up before${saved?.record.host ? ` on ${saved.record.host}` : ' (its DEPLOY_KEY is set)'}. What now?`,
      options: [
        { value: 'repair', label: 'Check and repair', hint: 'does only what is missing' },
        { value: 'rotate', label: 'Rotate credentials', hint: 'new deploy key, storage keys, email' },
        { value: 'new-host', label: 'Start over for another host' },
      ],
      initial: 'repair',
    });
    rotate = choice === 'rotate';
    if (choice === 'new-host') for (const k of ['host', 'sshHost', 'sshPort', 'user', 'deployUser'] as const) d[k] = undefined;
  }
  let rotateItems = cli.rotateOnly;
  if (rotate && !rotateItems.length)
    rotateItems = await p.multiselect({
      message: 'What to rotate?',
      options: [
        { value: 'deploy-key', label: 'Deploy key', hint: 'new key authorized before the old one is removed' },
        { value: 'storage', label: 'Storage credentials', hint: 'asks for the new values' },
        { value: 'email', label: 'LetsEncrypt email' },
      ],
      initial: ['deploy-key', 'storage', 'email'],
    });


  // The host and how to reach it; connect before asking anything else.
  let login: OpenedLogin | undefined;
  let auth: AuthSource[] = [];
  const agentSocket = ctx.env.SSH_AUTH_SOCK;
  for (let attempt = 0; !login; attempt++) {
    const ask = attempt > 0;
    if (ask || !given('host')) d.host = await p.text({ message: 'Public DNS name of the host (the site\'s address)', initial: d.host, placeholder: 'app.example.org', validate: check(v.dnsName, 'the DNS name') });
    // Another host: the answers saved for the previous one (its address, users, key) do not apply.
    const prev = saved?.defaults;
    if (prev?.host && d.host && !sameHost(d.host, prev.host))
      for (const k of CONNECTION_FIELDS) if (!given(k) && d[k] === prev[k]) d[k] = undefined;
    if (ask || !given('sshHost')) d.sshHost = await p.text({ message: 'SSH address (an IP works while DNS propagates)', initial: d.sshHost ?? d.host, validate: check(v.sshAddress, 'the SSH address') });
    if (ask || !given('sshPort')) d.sshPort = await p.text({ message: 'SSH port', initial: d.sshPort ?? '22', validate: check(v.port, 'the SSH port') });
    if (ask || !given('user')) d.user = await p.text({ message: 'SSH login user (with sudo, or root)', initial: d.user ?? 'root', validate: check(v.unixUser, 'the login user') });
    if (ask || !given('identity')) {
      const keys = await detectLoginKeys(home, agentSocket);
      const initial = d.identity ? keys.find((k) => k.value === expandHome(d.identity!, home))?.value ?? 'other' : keys[0]!.value;
      const pick = await p.select({ message: 'Key to log in with', options: keys.map((k) => ({ value: k.value, label: k.label, hint: k.hint })), initial });
      d.identity = pick === 'agent' ? undefined : pick === 'other' ? await p.text({ message: 'Private key file', initial: d.identity, placeholder: '~/.ssh/id_ed25519' }) : pick;
    }
    try {
      auth = await ctx.authSources({ identity: d.identity ? expandHome(d.identity, home) : undefined, passphrase: d.passphrase, home, agentSocket: d.identity ? undefined : agentSocket });
    } catch (e) {
      if (e instanceof UsageError && /encrypted/.test(e.message)) {
        d.passphrase = new Sensitive(await p.secret({ message: `Passphrase of ${d.identity}` }));
        attempt--;
        continue;
      }
      if (e instanceof UsageError) {
        p.error(e.message);
        continue;
      }
      throw e;
    }
    const s = p.spinner();
    s.start(`Connecting to ${d.user}@${d.sshHost}:${d.sshPort ?? 22}`);
    try {
      login = await ctx.connect(d, auth, async (info) => {
        s.stop('The host answered with a key this computer has not seen');
        const yes = await p.confirm({
          message: `Trust ${info.type} key ${info.fingerprint} of ${info.host}:${info.port}? Compare it with your provider's console.`,
          initial: ctx.trustByDefault ?? false,
        });
        if (yes) s.start(`Connecting to ${d.user}@${d.sshHost}:${d.sshPort ?? 22}`);
        return yes;
      });
      s.stop(`Connected to ${d.user}@${d.sshHost}:${d.sshPort ?? 22}`);
      p.info(`Host key ${login.hostKey.type} ${login.hostKey.fingerprint}${login.recorded ? ' (recorded in known_hosts)' : ''}`);
    } catch (e) {
      s.fail('Could not connect');
      if (e instanceof StepError && e.step === 'host key') throw e;
      if (e instanceof StepError) {
        p.error(`${e.cause_}\n${e.fix}`);
        if (!(await p.confirm({ message: 'Change the SSH answers and try again?', initial: true }))) throw e;
        continue;
      }
      throw e;
    }
  }

  if (!given('deployUser')) {
    if (d.user === 'root' && !d.deployUser) p.info('The release workflow logs in as the deploy user: one such as deploy is safer than root (it is created if missing)');
    d.deployUser = await p.text({
      // The same default as --deploy-user under --yes: the login user.
      message: 'Deploy user (the release workflow logs in as it)',
      initial: d.deployUser ?? d.user,
      validate: check(v.unixUser, 'the deploy user'),
    });
  }
  if (!given('email') || (rotate && rotateItems.includes('email')))
    d.email = await p.text({ message: 'LetsEncrypt email (certificate notices)', initial: d.email, placeholder: 'ops@your-domain.com', validate: check(v.email, 'the email') });

  // The release workflow decides the target: it is offered, and another one refused here.
  const used = peek.target;
  if (given('target') && used && d.target !== used)
    throw new UsageError(`--target ${d.target}: the release workflow replicates to ${TARGETS[used].title}`, `Use --target ${used}, or apply the ${d.target} Litestream mix to the repository first`);
  while (!given('target')) {
    d.target = await p.select<TargetId>({
      message: 'Where should Litestream replicate the database?',
      options: TARGET_IDS.map((t) => ({ value: t, label: `${TARGETS[t].title}${used === t ? ' (the workflow uses this)' : ''}`, hint: TARGETS[t].blurb })),
      initial: used ?? (d.target as TargetId | undefined) ?? 'aws',
    });
    if (!used || d.target === used) break;
    p.error(`The release workflow replicates to ${TARGETS[used].title}: choose ${TARGETS[used].title}, or apply the ${TARGETS[d.target as TargetId].title} Litestream mix to the repository first.`);
  }
  const target = TARGETS[d.target as TargetId];
  // Set before (by this program, or found in the repository): kept unless rotated.
  const recorded = (n: string) => !!saved?.record.secrets[n] || !!peek.secrets?.has(n);
  const rotatingStorage = rotate && rotateItems.includes('storage');
  for (const f of target.fields) {
    if (d.storage[f.name] && !rotatingStorage) {
      p.info(`${f.name}: from ${ctx.sourceLabel ?? 'the environment'}`);
      continue;
    }
    if (recorded(f.name) && !rotatingStorage) continue;
    const message = `${f.label}: ${f.hint} (e.g. ${f.example})`;
    const value = f.secret
      ? await p.secret({ message, validate: check(f.validate, f.name) })
      : await p.text({ message, placeholder: f.example, validate: check(f.validate, f.name) });
    const warn = f.warn?.(value);
    if (warn) p.warn(`${f.name} ${warn}`);
    d.storage[f.name] = new Sensitive(value);
  }

  const cliFinal: CliOptions = { ...cli, rotate, rotateOnly: rotateItems };
  const settings = toSettings(d, cliFinal, home, { storageAlreadySet: (n) => recorded(n) && !rotatingStorage });
  return { settings, auth, login: login!, choice };
}
