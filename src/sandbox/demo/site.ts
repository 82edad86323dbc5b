/**
 * The sandbox's site over HTTPS, for the check after a release: nginx-proxy on the droplet
 * answers for the app's VIRTUAL_HOST with the companion's temporary self-signed certificate
 * until LetsEncrypt has issued one, a poll or two later. The certificates are judged by the
 * program's own judgeCert, as a real handshake's would be.
 */
import type { PeerCertificate } from 'node:tls';
import { judgeCert, type CertAnswer } from '../../host/https.js';
import { PROXY_CONTAINERS } from '../../host/layout.js';
import { DROPLET_IP } from '../droplet/state.js';
import type { Sandbox } from './sandbox.js';

const DAY = 86_400_000;
const gmt = (t: number) => new Date(t).toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$2 $1 $4 $3 GMT');

function cert(host: string, issuer: { O?: string; CN: string }, from: number, days: number): PeerCertificate {
  return { subject: { CN: host }, issuer, subjectaltname: `DNS:${host}`, valid_from: gmt(from), valid_to: gmt(from + days * DAY) } as unknown as PeerCertificate;
}

/** deps.certificate for the demo: `selfSignedPolls` answers with the temporary certificate, then LetsEncrypt's. */
export function demoCertificate(sb: Sandbox, selfSignedPolls: number): (host: string, address: string, port: number) => Promise<CertAnswer> {
  let polls = 0;
  let issued: number | undefined;
  return async (host, address, port) => {
    const now = Date.now();
    const state = sb.droplet.state;
    if (address !== DROPLET_IP || port !== 443 || !state.containers.has(PROXY_CONTAINERS[0]!))
      return { ok: false, kind: 'refused', reason: `${address}:${port} refused the connection` };
    const site = sb.deployed;
    const app = site && state.containerInfo.get(site.app.container);
    if (!site || !app?.running || site.app.virtualHost !== host) {
      // nginx-proxy's default server: its own self-signed certificate, for no host of ours.
      return judgeCert(host, cert('nginx-proxy', { CN: 'nginx-proxy' }, now - DAY, 3650), 'DEPTH_ZERO_SELF_SIGNED_CERT', new Date(now));
    }
    if (issued === undefined && ++polls <= selfSignedPolls)
      return judgeCert(host, cert(host, { O: 'acme-companion', CN: host }, site.at, 365), 'DEPTH_ZERO_SELF_SIGNED_CERT', new Date(now));
    issued ??= now;
    return judgeCert(host, cert(host, { O: "Let's Encrypt", CN: 'R11' }, issued, 90), undefined, new Date(now));
  };
}
