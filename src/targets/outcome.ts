import type { TargetId } from './index.js';
import { classify, parseListings, type Listing } from './replica-check.js';

/** One container as `docker inspect` described it (host/outcome.ts's STATE_FORMAT). */
export interface ContainerState {
  status: string;
  /** healthy, unhealthy, starting, or '-' without a healthcheck. */
  health: string;
  startedAt: string;
  restarts: number;
  image: string;
}

/** What the outcome script printed. A container undefined: compose made none for that service. */
export interface Outcome {
  app?: ContainerState;
  sidecar?: ContainerState;
  /** The sidecar's first log lines naming an error since it started, as printed. */
  logErrors: string[];
  /** The host's clock. */
  now?: string;
  listings: Listing[];
}

/** The services as compose names them on the host: the workflow sets APP_NAME to the repository's name. */
/** The workflows' APP_NAME: the repository's name (github.event.repository.name), from its full name. */
export const appNameOf = (fullName: string): string => fullName.slice(fullName.indexOf('/') + 1);

export const withAppName = (service: string, repoName: string): string => service.replace(/\$\{APP_NAME\}|\$APP_NAME\b/g, repoName);

export function serviceNames(sidecar: { service: string; app?: string }, repoName: string): { app: string; sidecar: string } | undefined {
  if (!sidecar.app) return undefined;
  return { app: withAppName(sidecar.app, repoName), sidecar: withAppName(sidecar.service, repoName) };
}

function container(v: string): ContainerState | undefined {
  const f = v.split('|');
  if (f.length < 5) return undefined;
  return { status: f[0]!, health: f[1]!, startedAt: f[2]!, restarts: Number(f[3]) || 0, image: f.slice(4).join('|') };
}

export function parseOutcome(stdout: string): Outcome {
  const o: Outcome = { logErrors: [], listings: parseListings(stdout) };
  for (const line of stdout.split('\n')) {
    const m = /^@@(app|sidecar|log|now) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, k, v = ''] = m;
    if (k === 'app') o.app = container(v.trim());
    else if (k === 'sidecar') o.sidecar = container(v.trim());
    else if (k === 'log') o.logErrors.push(v.trim());
    else o.now = v.trim();
  }
  return o;
}

export type Check = { ok: true; detail: string } | { ok: false; reason: string; fix: string };

/** Whether a later look could change the answer (a container starting, a replica about to be written). */
export const settling = (o: Outcome): boolean =>
  o.sidecar?.health === 'starting' || o.app?.status === 'restarting' || o.app?.status === 'created';

const since = (iso: string, now: string | undefined): string => {
  const ms = (now ? Date.parse(now) : Date.now()) - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} days`;
};

export function judgeContainers(o: Outcome, names: { app: string; sidecar: string }, ssh: string): Check {
  const logs = (n: string) => `Look at \`docker logs\` of the ${n} container on the host (${ssh}), then re-run the release`;
  if (!o.sidecar) return { ok: false, reason: `no container of the Litestream service ${names.sidecar} on the host`, fix: 'The release did not start it: open the workflow run\'s deploy job; then re-run the release' };
  if (o.sidecar.status !== 'running') return { ok: false, reason: `the Litestream container (${names.sidecar}) is ${o.sidecar.status}, not running: nothing is replicated`, fix: logs(names.sidecar) };
  if (o.sidecar.health === 'unhealthy')
    return { ok: false, reason: `the Litestream container (${names.sidecar}) is unhealthy: its restore check failed`, fix: 'Check the storage values (its healthcheck restores the replica with them); ' + logs(names.sidecar) };
  if (!o.app) return { ok: false, reason: `no container of the app service ${names.app} on the host`, fix: 'The release did not start it: open the workflow run\'s deploy job' };
  if (o.app.status !== 'running') return { ok: false, reason: `the app container (${names.app}) is ${o.app.status}, not running`, fix: logs(names.app) };
  const health = o.sidecar.health === '-' ? 'running' : o.sidecar.health;
  return { ok: true, detail: `app up ${since(o.app.startedAt, o.now)}, Litestream ${health}${o.app.restarts ? ` (the app restarted ${o.app.restarts} time${o.app.restarts === 1 ? '' : 's'})` : ''}` };
}

/** The first error the sidecar logged since it started, quoted (masked by the caller). */
export function judgeLog(o: Outcome, names: { sidecar: string }, ssh: string): Check {
  const first = o.logErrors[0];
  if (!first) return { ok: true, detail: 'no replication error since Litestream started' };
  return {
    ok: false,
    reason: `Litestream logged an error since it started: ${first.slice(0, 240)}`,
    fix: `Check the storage values it names. The whole log, on the host (${ssh}): docker logs $(docker ps -q --filter label=com.docker.compose.service=${names.sidecar})`,
  };
}

/** The replica's latest write, against the app's and the sidecar's start. */
export function judgeReplica(o: Outcome, target: TargetId): Check {
  const f = classify(o.listings, target);
  if (f.kind === 'blocked') return { ok: false, reason: `the replica could not be read: ${f.reason}`, fix: f.fix };
  if (f.kind === 'empty') return { ok: false, reason: 'no replica on the storage: Litestream has written nothing there', fix: 'Check the Litestream container\'s log and that the compose file\'s replica URL uses the storage values given' };
  if (f.format === '0.5' || !f.latest) return { ok: true, detail: `a Litestream ${f.format} replica (its latest write time is not listed by ${f.image})` };
  const latest = Date.parse(f.latest);
  // Litestream lists whole seconds; docker gives nanoseconds.
  const floor = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) * 1000 : NaN);
  const app = floor(o.app?.startedAt);
  const side = floor(o.sidecar?.startedAt);
  const gen = f.generation ? `generation ${f.generation}, ` : '';
  if (latest >= app) return { ok: true, detail: `written ${since(f.latest, o.now)} ago (${gen}latest ${f.latest}), since the app started` };
  if (latest >= side) return { ok: true, detail: `written ${since(f.latest, o.now)} ago (${gen}latest ${f.latest}), after Litestream started; the app has written nothing since it started` };
  return {
    ok: false,
    reason: `the replica's latest write (${f.latest}) is older than the Litestream container (started ${o.sidecar?.startedAt ?? '?'}): it is not replicating there`,
    fix: 'Check the Litestream container\'s log, and that the compose file\'s replica URL is the one given to this run',
  };
}
