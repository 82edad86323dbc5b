/**
 * The release workflow's deploy job (`deploy_via_ssh` of the mix workflows), done for real
 * against the test host: the compose template filled in as the job's envsubst step does, copied
 * to the deploy user's ~/.deploy over SSH with the DEPLOY_KEY secret (which proves the key the
 * program authorized), then the job's docker-compose commands. The docker stand-in then runs
 * the sidecar (real Litestream) and the app (sqlite3 writing rows): see test/harness/README.md.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import type { TestHost } from '../harness/sshd.js';

export interface DeployCommand {
  /** What ran on the host (no secret values: those travel in the compose file only). */
  script: string;
  code: number;
  stdout: string;
  stderr: string;
}

export interface DeployRecord {
  repo: string;
  /** The release run this deploy belongs to; undefined when called directly. */
  runId?: number;
  at: number;
  ms: number;
  user: string;
  /** Where the filled-in compose file went, e.g. ~/.deploy/app-docker-compose.yml. */
  composeFile: string;
  /** Its text (holds the storage secrets, as on a real host: never print it). */
  compose: string;
  commands: DeployCommand[];
  ok: boolean;
  /** Why it failed, secret-free: the step and its exit code / SSH error. */
  error?: string;
}

export interface DeployOptions {
  host: TestHost;
  gh: GitHubEmulator;
  repo: string;
  /** Branch, tag or sha whose files are deployed; default: the default branch. */
  ref?: string;
  /** The workflow's TAG_NAME: inputs.version, else 'latest'. */
  version?: string;
  runId?: number;
  /** SSH port; default host.port (the workflow's DEPLOY_PORT / 22 both mean the test host). */
  port?: number;
}

/** GNU envsubst, as danielr1996/envsubst-action runs it: every $NAME / ${NAME}, unset → empty. */
export const envsubst = (text: string, vars: Record<string, string>): string =>
  text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? '');

/**
 * The variables the deploy job gives the template: the workflow's own names for secrets
 * (`HOST_DOMAIN: ${{ secrets.DEPLOY_HOST }}`, or for Blazor's .env `echo "X=${{ secrets.Y }}"`),
 * every secret under its own name, and the job's computed values.
 */
export function deployVars(workflow: string, secrets: Record<string, string>, repo: string, version: string): Record<string, string> {
  const vars: Record<string, string> = { ...secrets };
  const mapped = /^\s*(?:echo\s+"?)?([A-Z_][A-Z0-9_]*)[:=]\s*\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}/gm;
  for (const m of workflow.matchAll(mapped)) vars[m[1]!] = secrets[m[2]!] ?? '';
  const name = repo.split('/')[1]!;
  Object.assign(vars, { APP_NAME: name, IMAGE_REPO: repo.toLowerCase(), RELEASE_VERSION: version });
  return vars;
}

function ssh(o: { key: string; user: string; port: number; knownHosts: string; script: string; input?: string; timeoutMs?: number }): Promise<DeployCommand> {
  const args = [
    '-F', '/dev/null',
    '-i', o.key,
    '-p', String(o.port),
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${o.knownHosts}`,
    '-o', 'ConnectTimeout=10',
    `${o.user}@127.0.0.1`,
    o.script,
  ];
  return new Promise((resolve) => {
    const child = execFile('ssh', args, { timeout: o.timeoutMs ?? 60_000, maxBuffer: 8 << 20, env: { PATH: process.env.PATH } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 255) : 0;
      resolve({ script: o.script, code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin!.end(o.input ?? '');
  });
}

/** Runs the deploy job once. Never throws for a failed step: `ok`/`error` say it. */
export async function deployRelease(o: DeployOptions): Promise<DeployRecord> {
  const start = Date.now();
  const files = o.gh.files(o.repo, o.ref);
  const workflow = files['.github/workflows/release.yml'] ?? '';
  const secrets = Object.fromEntries(o.gh.secrets(o.repo).map((s) => [s.name, s.value]));
  const name = o.repo.split('/')[1]!;
  const vars = deployVars(workflow, secrets, o.repo, o.version ?? 'latest');
  // Blazor: docker-compose.yml + a generated .env in ~/.deploy/NAME/; the others: an envsubst'd template.
  const blazor = files['.deploy/docker-compose.yml'] !== undefined;
  const template = files['.deploy/docker-compose-template.yml'] ?? files['.deploy/docker-compose.yml'];
  const user = secrets.DEPLOY_USERNAME ?? '';
  const record: DeployRecord = { repo: o.repo, runId: o.runId, at: start, ms: 0, user, composeFile: '', compose: '', commands: [], ok: false };
  const fail = (error: string): DeployRecord => Object.assign(record, { ok: false, error, ms: Date.now() - start });
  if (!template) return fail('no .deploy/docker-compose-template.yml or .deploy/docker-compose.yml in the repository');
  if (!user || !secrets.DEPLOY_KEY) return fail(`secret ${user ? 'DEPLOY_KEY' : 'DEPLOY_USERNAME'} is not set`);

  const dir = await mkdtemp(join(tmpdir(), 'clh-deploy-'));
  try {
    const key = join(dir, 'deploy_key');
    await writeFile(key, secrets.DEPLOY_KEY.endsWith('\n') ? secrets.DEPLOY_KEY : `${secrets.DEPLOY_KEY}\n`, { mode: 0o600 });
    const run = async (script: string, input?: string): Promise<DeployCommand> => {
      const r = await ssh({ key, user, port: o.port ?? o.host.port, knownHosts: o.host.knownHostsFile, script, input });
      record.commands.push(r);
      return r;
    };
    let steps: { name: string; script: string }[];
    if (blazor) {
      const env = Object.entries(vars)
        .filter(([k]) => /^(HOST_DOMAIN|LETSENCRYPT_EMAIL|APP_NAME|IMAGE_REPO|RELEASE_VERSION|DEPLOY_API|DEPLOY_CDN|AWS_.*|AZURE_.*|SFTP_.*)$/.test(k))
        .map(([k, v]) => `${k}=${v}\n`)
        .join('');
      record.composeFile = `~/.deploy/${name}/docker-compose.yml`;
      record.compose = template;
      const up = await run(`mkdir -p ~/.deploy/${name} && cat > ~/.deploy/${name}/docker-compose.yml`, template);
      if (up.code !== 0) return fail(`copy compose file: ssh exited ${up.code}: ${up.stderr.trim().split('\n').pop()}`);
      const envUp = await run(`umask 077 && cat > ~/.deploy/${name}/.env`, `# Autogenerated .env file\n${env}`);
      if (envUp.code !== 0) return fail(`copy .env: ssh exited ${envUp.code}`);
      steps = [
        { name: 'Run remote db migrations', script: `set -e; cd ~/.deploy/${name}; docker compose pull; docker compose up app-migration --exit-code-from app-migration` },
        { name: 'remote docker-compose up via ssh', script: `cd ~/.deploy/${name}; docker compose pull; docker compose up app -d` },
      ];
    } else {
      record.composeFile = `~/.deploy/${name}-docker-compose.yml`;
      record.compose = envsubst(template, vars);
      const cp = await run(`mkdir -p ~/.deploy && cat > ~/.deploy/${name}-docker-compose.yml`, record.compose);
      if (cp.code !== 0) return fail(`copy compose file via scp: ssh exited ${cp.code}: ${cp.stderr.trim().split('\n').pop()}`);
      const f = `~/.deploy/${name}-docker-compose.yml`;
      steps = [
        { name: 'Run remote db migrations', script: `docker-compose -f ${f} pull; docker-compose -f ${f} up ${name}-migration` },
        { name: 'remote docker-compose up via ssh', script: `docker-compose -f ${f} pull; docker-compose -f ${f} up -d` },
      ];
    }
    for (const s of steps) {
      const r = await run(s.script);
      // appleboy/ssh-action fails the step on the script's exit status (its last command's).
      if (r.code !== 0) return fail(`step "${s.name}" exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' / ')}`);
    }
    return Object.assign(record, { ok: true, ms: Date.now() - start });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Deploys each release run (release.yml) that has completed with success by the clock, once,
 * in run order. Returns the new records. Meant for `gh.onRequest`: the request waits for it.
 */
export function deployWatcher(o: { host: TestHost; gh: GitHubEmulator; repo: string; log?: (line: string) => void }): {
  check(): Promise<DeployRecord[]>;
  deploys(): DeployRecord[];
} {
  const done = new Set<number>();
  const records: DeployRecord[] = [];
  let busy: Promise<DeployRecord[]> | undefined;
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  async function once(): Promise<DeployRecord[]> {
    const fresh: DeployRecord[] = [];
    for (const run of o.gh.runs(o.repo)) {
      if (run.workflow !== 'release.yml' || run.status !== 'completed' || run.conclusion !== 'success' || done.has(run.id)) continue;
      done.add(run.id);
      const version = o.gh.dispatches(o.repo).find((d) => d.runId === run.id)?.inputs.version || 'latest';
      const r = await deployRelease({ host: o.host, gh: o.gh, repo: o.repo, ref: run.headSha, version, runId: run.id });
      records.push(r);
      fresh.push(r);
      if (!r.ok) log(`world: deploy of release run ${run.id} FAILED: ${r.error}`);
    }
    return fresh;
  }
  return {
    // Concurrent requests wait for the same deploy rather than starting a second one.
    check: () => (busy ??= once().finally(() => (busy = undefined))),
    deploys: () => [...records],
  };
}
