/**
 * The release's deploy job, as the sandbox plays it: when the release run completes (by the
 * emulator's clock), the droplet gets what the template's deploy_via_ssh job gives a real
 * host: the compose template filled with the repository's opened secrets under the deploy
 * user's ~/.deploy/, the migration's database on the app's volume, the Litestream sidecar
 * (healthy once its restore check passed) and the app started after it, writing to the
 * database, and the sidecar's replica on the sandbox's storage.
 */
import { parse as parseYaml } from 'yaml';
import { newGeneration, TEMPLATE_TABLES, describeUrl, type VDatabase } from '../droplet/litestream.js';
import type { DropletState } from '../droplet/state.js';
import type { GitHubEmulator } from '../github-emulator.js';

/** What the deploy left on the droplet, for the receipt and the site. */
export interface Deployment {
  at: number;
  /** The run it followed. */
  runId: number;
  composePath: string;
  project: string;
  app: { service: string; container: string; startedAt: number; virtualHost?: string };
  sidecar: { service: string; container: string; startedAt: number; healthyAt: number };
  /** The database's path on the host, and the replica URL the sidecar writes to (no value printed from it). */
  db: string;
  replicaUrl: string;
}

/** envsubst: ${NAME} and $NAME from `vars`, empty when unset. */
export const envsubst = (text: string, vars: Record<string, string>): string => text.replace(/\$\{(\w+)\}|\$([A-Za-z_]\w*)/g, (_, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? '');

/** Compose v2's project name for a file: its folder's name, lower case, only [a-z0-9_-], starting with a letter or digit. */
export const composeProject = (file: string): string =>
  (file.split('/').slice(-2, -1)[0] ?? 'default')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[^a-z0-9]+/, '');

type Service = { image?: string; command?: string | string[]; depends_on?: Record<string, unknown> | string[]; profiles?: string[]; environment?: Record<string, string>; volumes?: string[]; healthcheck?: unknown };

/**
 * Deploys the repository's release on the droplet at `now`. The containers were started by
 * the job's `docker-compose up` a moment before the run completed: up to `upAgoMs` ago, never
 * before the run was created.
 */
export function deployRelease(o: { state: DropletState; github: GitHubEmulator; repo: string; runId: number; runCreatedAt: number; version: string; now: number; appWriteMs: number; upAgoMs: number }): Deployment | undefined {
  const { state, github, repo, now } = o;
  const secret = (n: string) => github.secretValue(repo, n);
  const deployUser = secret('DEPLOY_USERNAME');
  const user = deployUser ? state.users.get(deployUser) : undefined;
  const template = github.files(repo)['.deploy/docker-compose-template.yml'];
  if (!user || !template) return undefined;
  const name = repo.split('/')[1]!;
  const vars: Record<string, string> = { RELEASE_VERSION: o.version, IMAGE_REPO: repo.toLowerCase(), APP_NAME: name, HOST_DOMAIN: secret('DEPLOY_HOST') ?? '' };
  for (const s of github.secrets(repo)) if (!(s.name in vars)) vars[s.name] = s.value;
  const compose = envsubst(template, vars);
  const dir = `${user.home}/.deploy`;
  if (!state.dirs.has(dir)) state.dirs.set(dir, { mode: 0o755, owner: user.name });
  const composePath = `${dir}/${name}-docker-compose.yml`;
  state.files.set(composePath, { content: compose, mode: 0o644, owner: user.name });

  const doc = (parseYaml(compose) ?? {}) as { services?: Record<string, Service | null> };
  const services = Object.entries(doc.services ?? {}).map(([svc, s]) => [svc, s ?? {}] as const);
  const sidecarEntry = services.find(([, s]) => /^(docker\.io\/)?litestream\/litestream(:|$)/.test(s.image ?? ''));
  if (!sidecarEntry) return undefined;
  const [sidecarSvc, sidecar] = sidecarEntry;
  const dependsOn = (s: Service) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));
  const appEntry = services.find(([svc, s]) => svc !== sidecarSvc && !s.profiles?.length && dependsOn(s).includes(sidecarSvc));
  if (!appEntry) return undefined;
  const [appSvc, app] = appEntry;
  const command = (Array.isArray(sidecar.command) ? sidecar.command.join(' ') : (sidecar.command ?? '')).split(/\s+/);
  const url = command.find((w) => /^\w+:\/\//.test(w));
  const dbInContainer = command.find((w) => w.startsWith('/') && !w.endsWith('litestream')) ?? '/data/db.sqlite';
  if (!url) return undefined;

  const project = composeProject(composePath);
  const volume = (sidecar.volumes ?? []).map((v) => v.split(':')).find(([, at]) => at && dbInContainer.startsWith(`${at}/`));
  const volumeDir = `/var/lib/docker/volumes/${project}_${volume?.[0] ?? 'data'}/_data`;
  state.dirs.set(volumeDir.replace(/\/_data$/, ''), { mode: 0o755, owner: 'root' });
  state.dirs.set(volumeDir, { mode: 0o755, owner: 'root' });
  const dbPath = `${volumeDir}${dbInContainer.slice((volume?.[1] ?? '').length)}`;
  state.networks.add(`${project}_default`);

  // The timeline: the migration, then `up`: the sidecar, healthy once its restore check ran, then the app.
  const upAt = Math.max(o.runCreatedAt + Math.floor((now - o.runCreatedAt) / 2), now - o.upAgoMs);
  const span = now - upAt;
  const healthyAt = upAt + Math.min(420, Math.floor(span / 3));
  const appAt = healthyAt + Math.min(35, Math.floor(span / 10));
  const db: VDatabase = {
    path: dbInContainer,
    createdAt: upAt - Math.min(900, span),
    tables: TEMPLATE_TABLES.map((t) => ({ ...t })),
    writer: { from: appAt + Math.min(150, Math.floor(span / 8)), everyMs: o.appWriteMs, table: 'CrudEvent', also: 'Booking' },
  };
  state.databases.set(dbPath, db);
  state.storage.set(url, { url, name: describeUrl(url).name, generation: newGeneration(), db: dbPath, snapshotAt: upAt + Math.min(120, Math.floor(span / 6)), syncMs: 1000 });

  const container = (svc: string) => `${project}-${svc}-1`;
  const migration = services.find(([svc, s]) => s.profiles?.length && svc.startsWith(appSvc));
  if (migration)
    state.containerInfo.set(container(migration[0]), { name: container(migration[0]), image: migration[1].image ?? '', service: migration[0], project, running: false, startedAt: db.createdAt, restarts: 0 });
  for (const [svc, s, startedAt, extra] of [
    [sidecarSvc, sidecar, upAt, { healthyAt: sidecar.healthcheck ? healthyAt : undefined, replica: url }],
    [appSvc, app, appAt, {}],
  ] as const) {
    const n = container(svc);
    state.containerInfo.delete(n);
    state.containerInfo.set(n, { name: n, image: s.image ?? `${project}-${svc}`, service: svc, project, running: true, startedAt, restarts: 0, ...extra });
    state.containers.delete(n);
    state.containers.add(n);
  }
  return {
    at: now,
    runId: o.runId,
    composePath,
    project,
    app: { service: appSvc, container: container(appSvc), startedAt: appAt, virtualHost: app.environment?.VIRTUAL_HOST },
    sidecar: { service: sidecarSvc, container: container(sidecarSvc), startedAt: upAt, healthyAt },
    db: dbPath,
    replicaUrl: url,
  };
}

/**
 * Deploys once, before the first request the emulator handles after a release run of
 * `workflow` completed with success: as the deploy job did while the run was in progress.
 */
export function deployOnRelease(o: { state: DropletState; github: GitHubEmulator; repo: string; workflow: string; appWriteMs: number; upAgoMs: number; onDeploy: (d: Deployment) => void }): void {
  let done = false;
  o.github.onRequest(() => {
    if (done) return;
    const run = o.github.runs(o.repo).find((r) => r.workflow === o.workflow && r.status === 'completed' && r.conclusion === 'success');
    if (!run) return;
    done = true;
    const version = o.github.dispatches(o.repo).find((d) => d.runId === run.id)?.inputs.version || 'latest';
    const d = deployRelease({ state: o.state, github: o.github, repo: o.repo, runId: run.id, runCreatedAt: run.createdAt, version, now: Date.now(), appWriteMs: o.appWriteMs, upAgoMs: o.upAgoMs });
    if (d) o.onDeploy(d);
  });
}
