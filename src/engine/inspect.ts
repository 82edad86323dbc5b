import { StepError } from '../errors.js';
import { getFileText, getPublicKey, getRepo, listDir, listSecrets, type RepoRef } from '../github/api.js';
import type { GitHubClient } from '../github/client.js';
import { githubFailure } from '../github/errors.js';
import { analyzeWorkflow, WorkflowParseError, type WorkflowInfo } from '../github/workflow.js';
import { agentKeyBlobs, openLogin, type OpenedLogin } from '../host/connect.js';
import { parseFacts, probeScript, type HostFacts } from '../host/probe.js';
import { shArgv } from '../host/shell.js';
import type { AuthSource, HostSession } from '../host/transport.js';
import { repoName, type Settings } from '../config/settings.js';
import { checkStorage } from '../steps/storage-run.js';
import { timed } from './timed.js';
import { proxyGenerationOf } from '../steps/proxy-compose.js';
import { desiredValues, managedNames } from '../steps/secrets.js';
import type { RepoFile } from '../config/store.js';
import type { Deps, Emit, Inspection, RepoState, Resolve } from '../steps/types.js';
import { isIP } from 'node:net';

export async function inspectHost(host: HostSession, settings: Settings): Promise<HostFacts> {
  const r = await host.exec(shArgv(probeScript({ deployUser: settings.deployUser }))).catch((e: Error) => {
    throw new StepError('inspect host', e.message, 'Re-run; nothing was changed yet');
  });
  try {
    return parseFacts(r.stdout, settings.deployUser);
  } catch (e) {
    throw new StepError('inspect host', `${(e as Error).message} (exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' / ')})`, 'Check that the login user has a POSIX shell, then re-run');
  }
}

/**
 * Reads the repository: access, default branch, the release workflow, the app's compose file, secrets.
 * GitHub answers a renamed repository's old name with a redirect that a GET follows and a
 * POST does not, so everything after the first read goes to the name GitHub gave back.
 */
export async function inspectRepo(gh: GitHubClient, settings: Settings): Promise<RepoState> {
  const asked = repoName(settings);
  const fail = (op: Parameters<typeof githubFailure>[1], name = asked) => (e: unknown) => {
    throw githubFailure(e, op, name, settings.apiUrl);
  };
  const info = await getRepo(gh, settings.repo).catch(fail('repo'));
  const [owner, repoPart] = info.fullName.split('/');
  const r = owner && repoPart ? { owner, repo: repoPart } : settings.repo;
  const name = repoName({ repo: r });
  const renamedFrom = name.toLowerCase() !== asked.toLowerCase() ? asked : undefined;
  if (info.tokenScopes && !info.tokenScopes.includes('repo') && !(info.tokenScopes.includes('public_repo') && !info.private))
    throw new StepError('github', `the token has scopes [${info.tokenScopes.join(', ') || 'none'}], without "repo"`, 'Add the repo scope to the token (and workflow, to fix workflow files), or create a new one');
  if (info.admin === false)
    throw new StepError('github', `the token's user is not an admin of ${name}; Actions secrets need admin rights`, 'Ask an owner for the admin role, or for them to run this');
  const ref = info.defaultBranch;
  const [workflowText, composeYml, composeTemplate, publicKey, secrets] = await Promise.all([
    getFileText(gh, r, `.github/workflows/${settings.workflowFile}`, ref).catch(fail('contents', name)),
    getFileText(gh, r, '.deploy/docker-compose.yml', ref).catch(fail('contents', name)),
    getFileText(gh, r, '.deploy/docker-compose-template.yml', ref).catch(fail('contents', name)),
    getPublicKey(gh, r).catch(fail('secrets', name)),
    listSecrets(gh, r).catch(fail('secrets', name)),
  ]);
  let workflow;
  try {
    workflow = workflowText === undefined ? undefined : analyzeWorkflow(workflowText);
  } catch (e) {
    if (e instanceof WorkflowParseError) throw new StepError('workflow', e.message, `Fix .github/workflows/${settings.workflowFile} on ${ref}, or name another file with --workflow`);
    throw e;
  }
  const triggers = workflow?.triggeredBy.length ? await readTriggers(gh, r, ref, settings.workflowFile, workflow).catch(fail('contents', name)) : [];
  const gen = proxyGenerationOf(composeYml ?? composeTemplate);
  return {
    info,
    workflowFile: settings.workflowFile,
    workflowText,
    workflow,
    triggers,
    appCompose: composeYml ?? composeTemplate,
    appComposePath: composeYml !== undefined ? '.deploy/docker-compose.yml' : composeTemplate !== undefined ? '.deploy/docker-compose-template.yml' : undefined,
    proxyGeneration: gen ?? 'bridge',
    proxyGenerationGuessed: !gen,
    secrets: new Map(secrets.map((s) => [s.name, s])),
    publicKey,
    ...(renamedFrom ? { renamedFrom } : {}),
  };
}

/**
 * The workflows whose completion starts the release (`on: workflow_run` names them by their
 * `name:`): a job of theirs that can never run means the release never starts that way either.
 */
async function readTriggers(gh: GitHubClient, r: RepoRef, ref: string, releaseFile: string, release: WorkflowInfo): Promise<{ path: string; text: string }[]> {
  const dir = '.github/workflows';
  const files = (await listDir(gh, r, dir, ref)).filter((f) => /\.ya?ml$/.test(f) && f !== releaseFile);
  const texts = await Promise.all(files.map(async (f) => ({ path: `${dir}/${f}`, text: await getFileText(gh, r, `${dir}/${f}`, ref) })));
  return texts.filter((t): t is { path: string; text: string } => {
    if (t.text === undefined) return false;
    try {
      const name = analyzeWorkflow(t.text).name;
      return name !== undefined && release.triggeredBy.includes(name);
    } catch {
      // Someone else's unparsable workflow is not ours to judge.
      return false;
    }
  });
}

const blank = (f: RepoFile): boolean =>
  !Object.keys(f.defaults).length && !Object.keys(f.record.secrets).length && !f.record.deployKey && !f.record.pendingKey && !f.record.lastRelease;

/** What earlier runs remembered; after a rename, what they remembered under the old name (saved under the new one from now on). */
async function loadSaved(store: Deps['store'], name: string, formerName: string | undefined): Promise<RepoFile> {
  const file = await store.load(name);
  return formerName && blank(file) ? store.load(formerName) : file;
}

export const openSession = (settings: Settings, deps: Deps, auth: AuthSource[]): Promise<OpenedLogin> =>
  openLogin({
    sshHost: settings.sshHost,
    sshPort: settings.sshPort,
    user: settings.user,
    knownHostsPath: settings.knownHostsPath,
    auth,
    confirmNewHostKey: deps.confirmNewHostKey,
    timing: deps.sshTiming,
  });

/** --host's records, and --ssh-host's when it is a name: the address SSH reached is the host's too. */
export async function lookUp(resolve: Resolve, settings: Settings): Promise<Inspection['dns']> {
  const ssh = isIP(settings.sshHost) ? Promise.resolve([settings.sshHost]) : resolve(settings.sshHost).then((r) => [...r.a, ...r.aaaa], () => []);
  try {
    const [r, sshAddresses] = await Promise.all([resolve(settings.host), ssh]);
    return { host: settings.host, a: r.a, aaaa: r.aaaa, sshAddresses };
  } catch (e) {
    return { host: settings.host, a: [], aaaa: [], error: (e as NodeJS.ErrnoException).code ?? (e as Error).message, sshAddresses: await ssh };
  }
}

/**
 * Connects (checking the host key), then reads host and repository at the same time.
 * Nothing is changed here; the one file written is a newly trusted known_hosts entry.
 */
export async function inspect(
  settings: Settings,
  deps: Deps,
  emit: Emit,
  auth: AuthSource[],
  opened?: OpenedLogin,
): Promise<{ ins: Inspection; host: HostSession; gh: GitHubClient }> {
  emit({ type: 'phase', phase: 'inspect' });
  const login = await timed(emit, 'ssh', `Connect to ${settings.user}@${settings.sshHost}:${settings.sshPort}`, 'ok', async () => {
    const l = opened ?? await openSession(settings, deps, auth);
    return [l, `${l.hostKey.type} ${l.hostKey.fingerprint}${l.recorded ? ` (recorded in ${settings.knownHostsPath})` : ''}`];
  });
  emit({ type: 'host-key', info: login.hostKey, recorded: login.recorded });
  const gh = deps.github(settings);
  try {
    const [facts, [repo, saved], dns] = await Promise.all([
      timed(emit, 'inspect-host', 'Inspect the host', 'ok', async () => {
        const f = await inspectHost(login.session, settings);
        return [f, `${f.os.pretty || f.os.id}, user ${f.user}, sudo: ${f.sudo}`];
      }),
      (async () => {
        const r = await timed(emit, 'inspect-repo', `Read ${repoName(settings)}`, 'ok', async () => {
          const r = await inspectRepo(gh, settings);
          return [r, `${r.workflow ? settings.workflowFile : 'no workflow'}, ${r.secrets.size} secrets set, default branch ${r.info.defaultBranch}`];
        });
        // From here on the run (its requests, the deploy key's comment, what the store
        // saves, the defaults cli.ts saves) uses the name GitHub gave back.
        const [owner, name] = r.info.fullName.split('/');
        if (owner && name) settings.repo = { owner, repo: name };
        if (r.renamedFrom)
          emit({
            type: 'warning',
            message: `${r.renamedFrom} is now ${r.info.fullName} on GitHub (renamed or transferred): this run uses ${r.info.fullName}. Use --repo ${r.info.fullName} from now on, and update your git remote`,
          });
        return [r, await loadSaved(deps.store, repoName(settings), r.renamedFrom)] as const;
      })(),
      lookUp(deps.resolve, settings),
    ]);
    const storage = await timed(emit, 'inspect-storage', 'Try the storage from the host', 'ok', async () => {
      const s = await checkStorage(login.session, settings, facts, repo.appCompose, repo.info.fullName);
      return [s, s.kind === 'skip' ? `not checked: ${s.why}` : `${s.finding.kind === 'blocked' ? 'blocked' : 'reachable'}, ${(s.ms / 1000).toFixed(1)} s`];
    });
    // This run's inputs become the next run's defaults whenever the engine saves (never in a dry run).
    saved.defaults = settings.answers;
    const names = managedNames({ repo, settings });
    const desired = desiredValues(settings, names);
    const digests = new Map(await Promise.all([...desired].map(async ([n, v]) => [n, await deps.store.digest(n, v)] as const)));
    const loginKeyBlobs = (
      await Promise.all(auth.map(async (a) => (a.kind === 'key' ? [a.key.getPublicSSH().toString('base64')] : agentKeyBlobs(a.socket))))
    ).flat();
    return {
      ins: { settings, hostKey: login.hostKey, hostKeyRecorded: login.recorded, facts, repo, saved, desired, digests, loginKeyBlobs, dns, storage },
      host: login.session,
      gh,
    };
  } catch (e) {
    login.session.close();
    throw e;
  }
}

/**
 * After a repair of the host: its facts read again, and the storage tried now if Docker was
 * not usable for it before (a daemon just started, Docker just installed).
 */
export async function reinspectHost(host: HostSession, ins: Inspection): Promise<void> {
  ins.facts = await inspectHost(host, ins.settings);
  if (ins.storage?.kind === 'skip') ins.storage = await checkStorage(host, ins.settings, ins.facts, ins.repo.appCompose, ins.repo.info.fullName);
}
