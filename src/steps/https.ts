import { StepError } from '../errors.js';
import type { CertAnswer } from '../host/https.js';
import { PROXY_CONTAINERS } from '../host/layout.js';
import { isIP } from 'node:net';
import { hostAddresses, isPublicV4 } from './dns.js';
import { afterRelease } from './outcome.js';
import type { ApplyContext, Step } from './types.js';

const TITLE = 'HTTPS';
/** LetsEncrypt renews 30 days before expiry: much less left means renewal is failing. */
const MIN_DAYS = 10;

/** What usually stops LetsEncrypt, with this host's values to check. */
function hint(ctx: ApplyContext, records: string[], last: CertAnswer): string {
  const { settings } = ctx.ins;
  // Only addresses the internet could reach: a record naming a private one would not help.
  const at = [...hostAddresses(ctx.ins)].filter((a) => isPublicV4(a) || (isIP(a) === 6 && !/^(::1$|fe80:|fc|fd)/i.test(a)));
  const points = records.length ? `${settings.host} points at ${records.join(', ')}` : `${settings.host} has no A record`;
  const record = `${points}${at.length ? `; the host answers on ${at.join(', ')}` : ''}`;
  const ports = last.ok === false && (last.kind === 'refused' || last.kind === 'timeout') ? 'port 443 (and 80, which LetsEncrypt validates over) must be open: ufw and the cloud firewall' : 'ports 80 and 443 must be open to the internet (LetsEncrypt validates over 80)';
  return `Usually the A record or closed ports: ${record}; ${ports}. The companion's log: docker logs ${PROXY_CONTAINERS[1]} (on the host). It retries by itself; check again with --verify`;
}

async function checkSite(ctx: ApplyContext): Promise<string> {
  const { deps, ins } = ctx;
  const host = ins.settings.host;
  const { port, waitMs, pollMs } = deps.https;
  // Right after the first release LetsEncrypt needs a minute or two; months later one look is the answer.
  const wait = ins.settings.verifyOnly ? 0 : waitMs;
  const t0 = Date.now();
  let records: string[] = [];
  let last: CertAnswer;
  let said = '';
  for (;;) {
    const r = await deps.resolve(host).catch(() => ({ a: [], aaaa: [] }));
    records = [...r.a, ...r.aaaa];
    const address = records[0];
    last = address ? await deps.certificate(host, address, port) : { ok: false, kind: 'other', reason: 'has no A or AAAA record' };
    if (last.ok) break;
    const spent = Date.now() - t0;
    if (spent >= wait) break;
    // A progress line when the answer changes, and every half minute.
    const line = `waiting for LetsEncrypt: ${last.reason}`;
    if (line !== said || Math.floor(spent / 30_000) !== Math.floor((spent - pollMs) / 30_000))
      ctx.emit({ type: 'output', id: 'https', line: `${line} (${Math.round(spent / 1000)} s of ${Math.round(wait / 1000)} s)` });
    said = line;
    await deps.sleep(pollMs);
  }
  if (!last.ok) throw new StepError(TITLE, `https://${host}/: ${last.reason}${wait ? ` after ${Math.round((Date.now() - t0) / 1000)} s` : ''}`, hint(ctx, records, last));
  if (last.daysLeft < MIN_DAYS)
    throw new StepError(TITLE, `the certificate of ${host} (from ${last.issuer}) expires ${last.validTo}, in ${last.daysLeft} days: it is not being renewed`, `The companion's log says why: docker logs ${PROXY_CONTAINERS[1]} (on the host); port 80 must stay open for renewals`);
  const detail = `a certificate for ${host} from ${last.issuer}, valid until ${last.validTo} (${last.daysLeft} days)`;
  (ctx.summary.verified ??= []).push(`${TITLE}: ${detail}`);
  return detail;
}

export const httpsStep: Step = {
  id: 'https',
  title: TITLE,
  doing: (ins) => `Check https://${ins.settings.host}/`,
  verify: true,
  phase: 'release',
  ownSummary: true,
  runs: afterRelease,
  apply: checkSite,
};
