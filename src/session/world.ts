import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { readEnvFile } from '../config/env-file.js';
import type { CliOptions } from '../config/options.js';
import { DEFAULT_API_URL, draftFrom, type Draft, type Settings } from '../config/settings.js';
import { configDir, fileStore, type RepoFile, type Store } from '../config/store.js';
import type { Deps, EngineEvent, Summary } from '../steps/types.js';
import type { RepoPeek } from '../interview/interview.js';
import { repoFromRemote } from '../validate.js';

/**
 * What a run happens in: its inputs, its store and the few things the demo does
 * differently. The session's sequence is the same in every world.
 */
export interface World {
  /** Options this world fixes whatever the command line said (the demo's). */
  options?: Partial<CliOptions>;
  store: Store;
  /** The environment, an --env-file's values over it. */
  env: Record<string, string | undefined>;
  home: string;
  /** The inputs collected from flags, environment, saved answers and detection. */
  draft: Draft;
  /** The saved file of the repository the inputs name, when there is one. */
  saved?: RepoFile;
  /** The repository's saved file, once the wizard knows the repository. */
  loadSaved?: (repo: string) => Promise<RepoFile>;
  /** What the repository already holds, read as soon as repository and token are known. */
  peekRepo?: (d: Draft) => Promise<RepoPeek>;
  depsOverrides?: Partial<Deps>;
  /** The wizard: where prefilled values came from, a line under the intro, Enter's answer to a new host key. */
  sourceLabel?: string;
  banner?: string;
  trustByDefault?: boolean;
  /** Plain output: lines before anything runs. */
  intro?: (settings: Settings) => string[];
  /** Rewrites an event before it is shown. */
  mapEvent?: (e: EngineEvent) => EngineEvent;
  /** After a successful run: a closing note, and whether all is well (the demo's receipt). */
  afterRun?: (settings: Settings, summary: Summary) => Promise<{ ok: boolean; title: string; lines: string[] }>;
  /** Plain output: the last lines of a successful run, or of a dry run. */
  outro?: (dryRun: boolean) => string[];
  close?: () => Promise<void>;
}

function gitRemoteRepo(cwd: string): string | undefined {
  const r = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd, encoding: 'utf8', timeout: 3000 });
  return r.status === 0 ? repoFromRemote(r.stdout) : undefined;
}

function ghToken(apiUrl: string | undefined): string | undefined {
  let host = 'github.com';
  try {
    if (apiUrl) host = new URL(apiUrl).host.replace(/^api\./, '');
  } catch {
    return undefined; // a bad --github-api-url is reported by validation, with exit 2
  }
  const r = spawnSync('gh', ['auth', 'token', '--hostname', host], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** The user's world: flags, environment, env file, saved answers, git remote and `gh`. */
export async function realWorld(cli: CliOptions, processEnv: Record<string, string | undefined>, warn: (line: string) => void): Promise<World> {
  const home = homedir();
  const store = fileStore(configDir(processEnv, home), { notice: (m) => warn(`warning: ${m}`) });
  const env = { ...processEnv, ...(cli.envFile ? await readEnvFile(cli.envFile) : {}) };
  const repo = cli.repo ?? gitRemoteRepo(process.cwd());
  const saved = repo ? await store.load(repo) : undefined;
  const needGh = !env.GH_TOKEN && !env.GITHUB_TOKEN && !env.GH_ENTERPRISE_TOKEN && !env.GITHUB_ENTERPRISE_TOKEN;
  const draft = draftFrom(cli, env, saved?.defaults ?? {}, { repo, token: needGh ? ghToken(cli.githubApiUrl ?? env.GITHUB_API_URL) : undefined });
  return { store, env, home, draft, saved, loadSaved: (r) => store.load(r), peekRepo };
}

/** What the repository already holds: the release workflow's target and the secrets' names. */
export async function peekRepo(d: Draft): Promise<RepoPeek> {
  if (!d.repo || !d.token) return {};
  const [{ createGitHubClient }, { getRepo, getFileText, listSecrets }, { analyzeWorkflow }] = await Promise.all([
    import('../github/client.js'),
    import('../github/api.js'),
    import('../github/workflow.js'),
  ]);
  const gh = createGitHubClient({ token: d.token, baseUrl: d.githubApiUrl ?? DEFAULT_API_URL });
  const [owner, repo] = d.repo.split('/') as [string, string];
  const info = await getRepo(gh, { owner, repo });
  const [text, secrets] = await Promise.all([
    getFileText(gh, { owner, repo }, `.github/workflows/${d.workflow ?? 'release.yml'}`, info.defaultBranch).catch(() => undefined),
    listSecrets(gh, { owner, repo }).catch(() => undefined),
  ]);
  return { target: text ? analyzeWorkflow(text).target : undefined, secrets: secrets && new Set(secrets.map((x) => x.name)) };
}
