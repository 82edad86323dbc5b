import type { Settings } from '../config/settings.js';
import { StepError } from '../errors.js';
import { replicaListArgv } from '../host/litestream.js';
import type { HostFacts } from '../host/probe.js';
import { asRoot } from '../host/shell.js';
import type { HostSession } from '../host/transport.js';
import { TARGETS } from '../targets/index.js';
import { classify, parseListings } from '../targets/replica-check.js';
import { appNameOf, withAppName } from '../targets/outcome.js';
import { findSidecar, interpolate } from '../targets/replica.js';
import type { Sidecar } from '../targets/replica.js';
import type { Inspection, StorageState } from './types.js';

/** The values the compose file's `${VAR}` take: what the secrets will hold (sftp's encoded). */
export function storageValues(settings: Settings): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of TARGETS[settings.target].fields) {
    const v = settings.storage[f.name]?.reveal();
    if (v !== undefined) out.set(f.name, f.encode ? f.encode(v) : v);
  }
  return out;
}

/** Each secret value and its raw form, longest first, replaced before Litestream's words are shown. */
export function redactor(settings: Settings): (s: string) => string {
  const secrets = TARGETS[settings.target].fields
    .filter((f) => f.secret)
    .flatMap((f) => {
      const v = settings.storage[f.name]?.reveal();
      return v ? [v, f.encode ? f.encode(v) : v] : [];
    })
    .filter((v) => v.length >= 3)
    .sort((a, b) => b.length - a.length);
  return (s) => secrets.reduce((t, v) => t.split(v).join('***'), s);
}

/**
 * What the sidecar's container would get, as NAME=value lines for the host's stdin: its
 * environment and the replica URL, with the compose file's `${VAR}` filled in.
 */
export function sidecarInput(settings: Settings, sidecar: Sidecar): { stdin: string; missing: string[] } {
  const values = storageValues(settings);
  const url = interpolate(sidecar.url, (n) => values.get(n));
  const env = Object.entries(sidecar.env).map(([k, v]) => [k, interpolate(v, (n) => values.get(n))] as const);
  const missing = [...new Set([...url.missing, ...env.flatMap(([, e]) => e.missing)])];
  const lines = [...env.map(([k, e]) => `${k}=${e.text}`), `CLH_REPLICA_URL=${url.text}`];
  return { stdin: `${lines.join('\n')}\n`, missing };
}

/** The docker command as the probe says it may run: directly, or through sudo. */
export function dockerFor(facts: HostFacts): string[] | undefined {
  const d = facts.docker;
  if (!d.path || d.daemonError === 'down' || d.daemonError === 'other') return undefined;
  if (!d.daemonError) return ['docker'];
  if (facts.sudo === 'root' || facts.sudo === 'passwordless') return asRoot(['docker'], facts);
  return undefined;
}

/** The sidecar and the docker command a check of the outcome runs its image with; a StepError named `title` without either. */
export function sidecarAndDocker(ins: Inspection, title: string): { sidecar: Sidecar; docker: string[] } {
  const sidecar = ins.storage?.sidecar;
  if (!sidecar) throw new StepError(title, 'the compose file names no litestream/litestream service with a replica URL', 'Check .deploy/docker-compose*.yml in the repository');
  const docker = dockerFor(ins.facts);
  if (!docker) throw new StepError(title, 'no Docker daemon this login can use', 'See the Docker rows of the plan');
  return { sidecar, docker };
}

/**
 * Tries the storage values from the host, read-only, with the sidecar's own image, URL and
 * environment: one more SSH round trip after the inspection's.
 */
export async function checkStorage(host: HostSession, settings: Settings, facts: HostFacts, compose: string | undefined, repoFullName: string): Promise<StorageState> {
  const sidecar = findSidecar(compose);
  if (!sidecar) return { kind: 'skip', why: 'the compose file names no litestream/litestream service with a replica URL' };
  const docker = dockerFor(facts);
  if (!docker) return { kind: 'skip', why: 'needs a Docker daemon this login can use', sidecar };
  const input = sidecarInput(settings, sidecar);
  if (input.missing.length) return { kind: 'skip', why: `${input.missing.join(', ')} not given to this run (kept in the repository), so not tried`, sidecar };
  const t0 = Date.now();
  const r = await host.exec(replicaListArgv(sidecar.image, docker, withAppName(sidecar.service, appNameOf(repoFullName))), { stdin: input.stdin }).catch((e: Error) => {
    throw new StepError('inspect storage', e.message, 'Re-run; nothing was changed yet');
  });
  const redact = redactor(settings);
  const finding = classify(parseListings(redact(`${r.stdout}\n${r.stderr}`)), settings.target);
  const deployed = /^@@deployed ?(\S*)$/m.exec(r.stdout);
  return { kind: 'checked', finding, sidecar, ms: Date.now() - t0, ...(deployed ? { deployed: !!deployed[1] } : {}) };
}
