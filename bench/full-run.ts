/**
 * One or more full `--yes` runs against a real sshd test host and the GitHub emulator (the
 * world the end-to-end tests use), measured from the outside. Prints one JSON line:
 * { runs: [...] } — bench/run.mjs turns it into a table.
 *
 *   node --import tsx bench/full-run.ts [--runs N] [--latency MS] [--mix NAME]
 *
 * Counts come from what the servers saw, not from the program: SSH connections are sshd's
 * "Accepted publickey" lines, exec round trips its "Starting session: command" lines (sshd
 * logs at LogLevel VERBOSE), GitHub requests the emulator's stats() and request log.
 */
import { performance } from 'node:perf_hooks';
import { sshdAvailable } from '../test/harness/sshd.js';
import { needsRepair, startWorld } from '../test/helpers/world.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const runs = Number(arg('runs', '1'));
const latencyMs = Number(arg('latency', '0'));
const mix = arg('mix', 'blazor-litestream-aws');

if (!sshdAvailable()) {
  console.log(JSON.stringify({ skipped: 'needs root, /usr/sbin/sshd, util-linux and sudo (the e2e harness)' }));
  process.exit(0);
}

const SECRET_PUT = /^\/repos\/[^/]+\/[^/]+\/actions\/secrets\/[^/?]+$/;

interface Sample {
  ok: boolean;
  exit: number;
  wallMs: number;
  worldStartMs: number;
  ssh: { connections: number; byUser: Record<string, number>; execs: number; sftp: number; shells: number; sessions: number };
  github: {
    total: number;
    byMethod: Record<string, number>;
    maxConcurrent: number;
    secretPuts: number;
    secretsPhaseMs: number | null;
    secretPutMs: number[];
    gets: Record<string, number>;
    non2xx: number;
    /** GETs of /actions/runs/…: following the release, their number depends on the poll interval. */
    runPolls: number;
    /** What the workflow repair asked: the folder listing at inspection, then refs, commits, blobs, trees, the re-read files. */
    repairRequests: number;
    /** Workflow runs started in the repository (the one release, when all goes well). */
    runsStarted: number;
  };
  /** Milliseconds after the spawn, on the emulator's clock (same process, same clock). */
  timeline: { firstGithub: number | null; firstPut: number | null; lastPutEnd: number | null; dispatch: number | null; lastGithubEnd: number | null; firstJobStart: number | null };
  tail?: string;
}

const at = (t: number | undefined, origin: number): number | null => (t === undefined ? null : t - origin);

const out: Sample[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const w = await startWorld({ mix });
  const worldStartMs = performance.now() - t0;
  try {
    const logBefore = (await w.host.readLog()).length;
    w.gh.reset();
    if (latencyMs > 0) w.gh.setFaults({ latencyMs });
    const target = /-(aws|azure|sftp)$/.exec(mix)![1]!;
    const s = performance.now();
    const spawnAt = performance.timeOrigin + s;
    // The web and jamstack mixes release only with their workflow repaired.
    const r = await w.run([...w.baseArgs(target), ...(needsRepair(mix) ? ['--repair-workflow'] : [])]);
    const wallMs = performance.now() - s;

    const log = (await w.host.readLog()).slice(logBefore);
    const accepted = [...log.matchAll(/Accepted publickey for (\S+) from/g)].map((m) => m[1]!);
    const byUser: Record<string, number> = {};
    for (const u of accepted) byUser[u] = (byUser[u] ?? 0) + 1;
    const sessions = [...log.matchAll(/Starting session: (\S+)/g)].map((m) => m[1]!);

    // When the release's first job left the queue, from the jobs GitHub would list (read after the request log is taken).
    // GitHub's timestamps have whole seconds: firstJobStart - dispatch is only good to a second.
    const reqsBefore = w.gh.requests();
    const release = w.gh.runs('acme/app').find((x) => x.workflow === 'release.yml');
    const jobs = release
      ? ((await (await fetch(`${w.gh.url}/repos/acme/app/actions/runs/${release.id}/jobs`, { headers: { authorization: 'token ghp_e2etoken' } })).json()) as { jobs: { started_at: string | null }[] }).jobs
      : [];
    const starts = jobs.map((j) => (j.started_at ? Date.parse(j.started_at) : NaN)).filter((t) => !Number.isNaN(t));
    const stats = w.gh.stats();
    const reqs = reqsBefore;
    const puts = reqs.filter((q) => q.method === 'PUT' && SECRET_PUT.test(q.path.split('?')[0]!));
    const gets: Record<string, number> = {};
    for (const q of reqs.filter((q) => q.method === 'GET')) {
      const kind = q.path
        .split('?')[0]!
        .replace(/^\/repos\/[^/]+\/[^/]+/, '')
        .replace(/\/\d+/g, '/:id')
        .replace(/^\/contents\/.*/, '/contents/…')
        .replace(/^$/, '/repo');
      gets[kind] = (gets[kind] ?? 0) + 1;
    }
    out.push({
      ok: r.code === 0,
      exit: r.code,
      wallMs,
      worldStartMs,
      ssh: {
        connections: accepted.length,
        byUser,
        execs: sessions.filter((k) => k === 'command').length,
        sftp: sessions.filter((k) => k === 'subsystem').length,
        shells: sessions.filter((k) => k === 'shell').length,
        sessions: sessions.length,
      },
      github: {
        total: stats.total,
        byMethod: stats.byMethod,
        maxConcurrent: stats.maxConcurrent,
        secretPuts: puts.length,
        secretsPhaseMs: puts.length ? Math.max(...puts.map((q) => q.end)) - Math.min(...puts.map((q) => q.start)) : null,
        secretPutMs: puts.map((q) => q.end - q.start),
        gets,
        non2xx: reqs.filter((q) => q.status >= 300).length,
        runPolls: reqs.filter((q) => q.method === 'GET' && /\/actions\/runs\//.test(q.path)).length,
        repairRequests: reqs.filter((q) => {
          const path = decodeURIComponent(q.path);
          return /\/git\//.test(path) || /\/contents\/\.github\/workflows(\?|$)/.test(path) || /\/contents\/\.github\/workflows\/.*ref=[0-9a-f]{40}/.test(path);
        }).length,
        runsStarted: w.gh.events().filter((e) => e.kind === 'run').length,
      },
      timeline: {
        firstGithub: reqs.length ? reqs[0]!.start - spawnAt : null,
        firstPut: puts.length ? Math.min(...puts.map((q) => q.start)) - spawnAt : null,
        lastPutEnd: puts.length ? Math.max(...puts.map((q) => q.end)) - spawnAt : null,
        dispatch: at(reqs.find((q) => q.method === 'POST' && /\/dispatches$/.test(q.path.split('?')[0]!))?.start, spawnAt),
        lastGithubEnd: reqs.length ? Math.max(...reqs.map((q) => q.end)) - spawnAt : null,
        firstJobStart: starts.length ? Math.min(...starts) - spawnAt : null,
      },
      ...(r.code === 0 ? {} : { tail: (r.stdout + r.stderr).slice(-1500) }),
    });
  } finally {
    await w.stop();
  }
}
console.log(JSON.stringify({ mix, latencyMs, runs: out }));
