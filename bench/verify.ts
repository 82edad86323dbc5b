/**
 * The checks of the outcome, end to end (issue 10): one full `--yes` run whose release really
 * deploys on the test host (the docker stand-in runs the real Litestream sidecar and a sqlite3
 * app against s3rver), then N `--verify` runs. Prints one JSON line for bench/run.mjs.
 *
 *   node --import tsx bench/verify.ts [--runs N]
 *
 * Round trips come from sshd's log, as in full-run.ts: --verify's are the inspection's probe,
 * the storage check, the outcome read (containers, log, replica) and the drill.
 */
import { performance } from 'node:perf_hooks';
import { litestreamAvailable } from '../test/harness/litestream.js';
import { sshdAvailable } from '../test/harness/sshd.js';
import { useRealLitestream } from '../test/harness/storage-docker.js';
import { startS3 } from '../test/harness/storage-s3.js';
import { sshCounts } from '../test/helpers/outcome.js';
import { makeCerts, startSite } from '../test/helpers/site.js';
import { startWorld } from '../test/helpers/world.js';

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 3;
if (!sshdAvailable() || !litestreamAvailable()) {
  console.log(JSON.stringify({ skipped: 'needs root, sshd, util-linux, sudo, the litestream npm package and sqlite3' }));
  process.exit(0);
}

const certs = makeCerts();
const [w, s3, site] = await Promise.all([startWorld({ mix: 'litestream-aws', realStorage: true, deploy: true }), startS3(), startSite(certs.leaf('app.acme.io'))]);
try {
  await useRealLitestream(w.host, { endpoint: s3.endpoint, region: s3.region });
  const env = {
    AWS_S3_BUCKET: s3.bucket,
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    NODE_EXTRA_CA_CERTS: certs.caPath,
    CLH_HTTPS_PORT: String(site.port),
  };
  /** A run's wall time, its SSH figures, and each check's own time as the run printed it. */
  const measure = async (args: string[]) => {
    const { size } = await sshCounts(w, 0);
    const t0 = performance.now();
    const r = await w.run(args, env);
    const wallMs = performance.now() - t0;
    const n = await sshCounts(w, size);
    const checks: Record<string, number> = {};
    for (const m of r.stdout.matchAll(/^(?:ok|done) +(outcome-containers|outcome-log|outcome-replica|restore-drill|https|inspect-storage): .* \((\d+(?:\.\d+)?)(ms|s)\)$/gm)) checks[m[1]!] = Number(m[2]) * (m[3] === 's' ? 1000 : 1);
    return { ok: r.code === 0, exit: r.code, wallMs, logins: n.logins, execs: n.execs, checks, ...(r.code === 0 ? {} : { tail: (r.stdout + r.stderr).slice(-1500) }) };
  };
  const full = await measure([...w.baseArgs('aws'), '--repair-workflow']);
  const verify = [];
  for (let k = 0; k < runs; k++) verify.push(await measure([...w.baseArgs('aws').filter((a) => a !== '--yes'), '--verify']));
  console.log(JSON.stringify({ full, verify }));
} finally {
  await Promise.allSettled([w.stop(), s3.stop(), site.stop()]);
  certs.remove();
}
