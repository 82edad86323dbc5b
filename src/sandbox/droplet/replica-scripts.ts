/**
 * The droplet's answers to the scripts that run Litestream or read the app's containers (the
 * storage listing before the plan, the outcome read and the restore drill after a release),
 * from the model in litestream.ts: what Litestream 0.3.13 would print for what the storage
 * holds, and what docker would say of the containers.
 */
import { sha256, type Host } from './host.js';
import { containerId } from './docker.js';
import { dbAt, describeUrl, generationsTable, LITESTREAM_VERSION, replicaAt, sidecarLog } from './litestream.js';
import type { VContainer } from './state.js';

/** The NAME=value lines the program sends on stdin. */
export function stdinValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of text.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) out.set(l.slice(0, i), l.slice(i + 1));
  }
  return out;
}

const slog = (t: number) => `time=${new Date(t).toISOString()}`;

/** Whether `image` runs Litestream 0.3.13 here: the droplet pulls only that. */
const runsLitestream = (image: string): boolean => /^(docker\.io\/)?litestream\/litestream(:0\.3\.13|:latest)?$/.test(image);

/** What LIST_INNER prints inside the container (host/litestream.ts): the version, the generations of the replica at url. */
export function listInner(host: Host, url: string | undefined, now: number): string {
  const r = url ? host.state.storage.get(url) : undefined;
  const db = r && host.state.databases.get(r.db);
  const at = r && db ? replicaAt(r, db, now) : undefined;
  const rows = r && at ? [{ name: r.name, generation: r.generation, lag: now - at.end, start: at.start, end: at.end }] : [];
  return `@@version ${LITESTREAM_VERSION}\n@@list generations\n${generationsTable(rows)}@@status 0\n`;
}

/** replicaListArgv's output: the image's listing (0.3.13 here, so no second one). */
export function replicaList(host: Host, image: string, stdin: string, now = Date.now(), sidecar?: string): string {
  const running = sidecar === undefined ? undefined : ofService(host, sidecar);
  const deployed = sidecar === undefined ? '' : `@@deployed ${running ? containerId(running.name, true) : ''}\n`;
  if (!runsLitestream(image)) return `${deployed}@@image ${image}\nUnable to find image '${image}' locally\ndocker: Error response from daemon: manifest unknown.\n@@exit 125\n`;
  return `${deployed}@@image ${image}\n${listInner(host, stdinValues(stdin).get('CLH_REPLICA_URL'), now)}@@exit 0\n`;
}

/** Docker's StartedAt: RFC 3339 with nanoseconds. */
function startedAtText(c: VContainer, now: number): string {
  const ns = String(parseInt(sha256(`started:${c.name}`).slice(0, 8), 16) % 1_000_000).padStart(6, '0');
  return new Date(c.startedAt ?? now).toISOString().replace(/Z$/, `${ns}Z`);
}

/** `docker inspect -f STATE_FORMAT` of a container. */
function stateLine(c: VContainer, now: number): string {
  const status = !c.running ? 'exited' : c.startedAt !== undefined && now < c.startedAt ? 'created' : 'running';
  const health = c.healthyAt === undefined ? '-' : now >= c.healthyAt ? 'healthy' : 'starting';
  return `${status}|${health}|${startedAtText(c, now)}|${c.restarts ?? 0}|${c.image}`;
}

/** The first container of a compose service, newest first as `docker ps -aq` lists them. */
const ofService = (host: Host, service: string): VContainer | undefined => [...host.state.containerInfo.values()].reverse().find((c) => c.service === service);

/** The sidecar's `docker logs`, as the outcome script greps them: the first three lines naming an error. */
export function sidecarLogLines(host: Host, c: VContainer, now: number): string[] {
  const r = c.replica ? host.state.storage.get(c.replica) : undefined;
  const db = r && host.state.databases.get(r.db);
  if (!r || !db) return [];
  return sidecarLog(r, db, c.startedAt ?? now, now, describeUrl(r.url).describe);
}

/** outcomeArgv's output (host/outcome.ts). */
export function outcome(host: Host, names: { app: string; sidecar: string }, image: string, stdin: string, now = Date.now()): string {
  const app = ofService(host, names.app);
  const side = ofService(host, names.sidecar);
  let out = `@@app ${app ? stateLine(app, now) : ''}\n@@sidecar ${side ? stateLine(side, now) : ''}\n`;
  if (side)
    for (const l of sidecarLogLines(host, side, now)
      .filter((l) => /(^|[^a-z])error/i.test(l))
      .slice(0, 3))
      out += `@@log ${l.slice(0, 400)}\n`;
  out += `@@now ${new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z')}\n`;
  return out + replicaList(host, image, stdin, now);
}

/**
 * restoreDrillArgv's output (host/litestream.ts): Litestream restores the replica's latest
 * state into a temporary file; sqlite3 checks it. The figures are the replica's, so a replica
 * missing from the storage restores nothing, in Litestream's words.
 */
export function restoreDrill(host: Host, image: string, stdin: string, now = Date.now()): string {
  if (!runsLitestream(image)) return `Unable to find image '${image}' locally\ndocker: Error response from daemon: manifest unknown.\n@@exit 125\n`;
  const url = stdinValues(stdin).get('CLH_REPLICA_URL');
  const r = url ? host.state.storage.get(url) : undefined;
  const db = r && host.state.databases.get(r.db);
  const at = r && db ? replicaAt(r, db, now) : undefined;
  let out = `@@version ${LITESTREAM_VERSION}\n`;
  if (!r || !at) return `${out}${slog(now + 180)} level=ERROR msg="failed to run" error="no matching backups found"\n@@restore 1\n@@exit 0\n`;
  const tmp = `/tmp/tmp.${sha256(`drill:${now}`).slice(0, 10)}`;
  const out2 = [
    `${slog(now + 150)} level=INFO msg="restoring snapshot" db=${tmp}/live.db replica=${r.name} generation=${r.generation} index=0 path=${tmp}/restored.db.tmp`,
    `${slog(now + 190)} level=INFO msg="restoring wal files" db=${tmp}/live.db replica=${r.name} generation=${r.generation} index_min=0 index_max=0`,
    `${slog(now + 230)} level=INFO msg="renaming database from temporary location" db=${tmp}/live.db replica=${r.name}`,
  ];
  out += `${out2.join('\n')}\n@@restore 0\n@@size ${at.view.bytes}\n@@integrity ok \n@@tables ${at.view.tables.length}\n@@exit 0\n`;
  return out;
}

/** The figures the drill restores now, for the receipt: from the replica, as the drill reads them. */
export function replicaFigures(host: Host, url: string, now = Date.now()): { bytes: number; tables: number; rows: number; generation: string; end: number; live: { bytes: number; rows: number } } | undefined {
  const r = host.state.storage.get(url);
  const db = r && host.state.databases.get(r.db);
  const at = r && db ? replicaAt(r, db, now) : undefined;
  if (!r || !db || !at) return undefined;
  const live = dbAt(db, now);
  return { bytes: at.view.bytes, tables: at.view.tables.length, rows: at.view.rows, generation: r.generation, end: at.end, live: { bytes: live.bytes, rows: live.rows } };
}
