/**
 * What each Docker repair of `--install-docker` (issue 11) adds to a full `--yes` run: one
 * fresh test host per scenario of the docker stand-in (test/harness/sshd.ts), the same run
 * against each, counted as bench/full-run.ts counts (sshd's "Accepted publickey" and
 * "Starting session: command" lines). Prints one JSON line; bench/run.mjs makes the table.
 *
 *   node --import tsx bench/docker-fixes.ts [--runs N]
 *
 * The run is docker-install.test.ts's: login and deploy user `tester`, --install-docker, a mix
 * that releases without --repair-workflow, --no-verify (made-up storage values, as the world
 * has). `ok` is the baseline: the same run with nothing to repair.
 */
import { performance } from 'node:perf_hooks';
import type { DockerScenario } from '../test/harness/sshd.js';
import { sshdAvailable } from '../test/harness/sshd.js';
import { needsRepair, startWorld } from '../test/helpers/world.js';

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 1;
const MIX = 'blazor-litestream-aws';
// Labels as the brief and docker-install.test.ts name the repairs.
const SCENARIOS: [DockerScenario, string][] = [
  ['ok', 'nothing to repair (baseline)'],
  ['missing', 'no Docker: installed from apt'],
  ['compose-v1', 'Compose v1 only: plugin installed'],
  ['daemon-down', 'daemon down: started'],
  ['no-permission', 'not in the docker group: joined'],
];
// The stand-in's apt is never locked here; short waits in case it were.
const FAST_LOCK = { CLH_APT_LOCK_WAIT_S: '30', CLH_APT_LOCK_POLL_S: '1' };

if (!sshdAvailable()) {
  console.log(JSON.stringify({ skipped: 'needs root, /usr/sbin/sshd, util-linux and sudo (the e2e harness)' }));
  process.exit(0);
}

interface Sample {
  ok: boolean;
  exit: number;
  wallMs: number;
  connections: number;
  execs: number;
  apt: number;
  tail?: string;
}
const out = SCENARIOS.map(([scenario, label]) => ({ scenario, label, samples: [] as Sample[] }));
/** One full run on a fresh host: a repair done once would make the next run a baseline. */
async function once(scenario: DockerScenario): Promise<Sample> {
  const w = await startWorld({ mix: MIX, scenario });
  try {
    const from = (await w.host.readLog()).length;
    const args = [...w.baseArgs('aws', 'tester'), '--install-docker', ...(needsRepair(MIX) ? ['--repair-workflow'] : [])];
    const t0 = performance.now();
    const r = await w.run(args, FAST_LOCK);
    const wallMs = performance.now() - t0;
    const log = (await w.host.readLog()).slice(from);
    return {
      ok: r.code === 0,
      exit: r.code,
      wallMs,
      connections: log.match(/Accepted publickey for /g)?.length ?? 0,
      execs: log.match(/Starting session: command/g)?.length ?? 0,
      apt: (await w.host.aptLog()).length,
      ...(r.code === 0 ? {} : { tail: (r.stdout + r.stderr).slice(-1500) }),
    };
  } finally {
    await w.stop();
  }
}
// A discarded warm-up (file cache, first sshd start), then the scenarios in turn, round after
// round, so a busy spell on the shared machine falls on all of them rather than on one.
await once('ok');
for (let n = 0; n < runs; n++) for (const o of out) o.samples.push(await once(o.scenario));
console.log(JSON.stringify({ mix: MIX, scenarios: out }));
