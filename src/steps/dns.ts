import { isIP } from 'node:net';
import type { Inspection, Row, Step } from './types.js';

const PRIVATE_V4 = [/^10\./, /^127\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./];
export const isPublicV4 = (a: string): boolean => isIP(a) === 4 && !PRIVATE_V4.some((r) => r.test(a));

/** IPv6 has several spellings of one address; compare them in one. */
function canonical(a: string): string {
  if (isIP(a) !== 6) return a;
  try {
    return new URL(`http://[${a}]/`).hostname.slice(1, -1);
  } catch {
    return a.toLowerCase();
  }
}

/** Every address the host is known to answer on: its interfaces, where SSH reached it, a droplet's reserved IP. */
export function hostAddresses(ins: Inspection): Set<string> {
  const { net } = ins.facts;
  return new Set([...net.addresses, net.sshServer, net.reservedIp, ...ins.dns.sshAddresses].filter((a): a is string => !!a).map(canonical));
}

/**
 * The address an A record should name: a reserved IP first (it survives a rebuilt droplet,
 * and the seed's guide points the record at it), then where SSH reached the host, then a
 * public interface.
 */
export function recordTarget(ins: Inspection): string | undefined {
  const { net } = ins.facts;
  const candidates = [net.reservedIp, ...ins.dns.sshAddresses, net.sshServer, ...net.addresses];
  return candidates.find((a): a is string => !!a && isPublicV4(a)) ?? candidates.find((a): a is string => !!a && isIP(a) === 4 && !a.startsWith('127.'));
}

/**
 * LetsEncrypt allows five failed validations per name an hour, and the usual cause is a
 * record that does not point at the host: say so before the proxy asks for a certificate.
 */
export function planDns(ins: Inspection): Row {
  const { dns } = ins;
  const name = dns.host;
  const mine = hostAddresses(ins);
  const target = recordTarget(ins);
  const create = target ? `create A ${name} → ${target}` : `create an A record for ${name} with the host's public IPv4 address`;
  const ask = `DNS for ${name} is not ready, and LetsEncrypt allows 5 failed validations per name an hour. Go on anyway?`;
  const fix = `${create[0]!.toUpperCase()}${create.slice(1)} at your DNS provider, wait for it to resolve (dig +short ${name}), then re-run`;
  if (dns.error) return { status: 'warn', detail: `${name} could not be resolved here (${dns.error}); ${create} if it is missing`, fix, ask };
  const foreignA = dns.a.filter((a) => !mine.has(canonical(a)));
  const foreignAaaa = dns.aaaa.filter((a) => !mine.has(canonical(a)));
  const problems: string[] = [];
  if (!dns.a.length && !dns.aaaa.length) problems.push(`${name} has no A record: ${create}`);
  else if (!dns.a.length) problems.push(`${name} has no A record`);
  if (foreignA.length) problems.push(`A ${name} → ${foreignA.join(', ')} is not this host${target ? `: change it to A ${name} → ${target}` : ''}`);
  if (foreignAaaa.length)
    problems.push(`AAAA ${name} → ${foreignAaaa.join(', ')} points elsewhere, and LetsEncrypt prefers IPv6: remove it or point it at this host`);
  if (problems.length) return { status: 'warn', detail: problems.join('; '), fix, ask };
  const all = [...dns.a.map((a) => `A → ${a}`), ...dns.aaaa.map((a) => `AAAA → ${a}`)].join(', ');
  return { status: 'ok', detail: `${name}: ${all} (this host)` };
}

export const dnsStep: Step = { id: 'dns', title: 'DNS for LetsEncrypt', plan: planDns };
