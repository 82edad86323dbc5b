import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';

/** What `https://HOST/` presented: a certificate the system's CAs trust for HOST, or why not. */
export type CertAnswer =
  | { ok: true; issuer: string; validTo: string; daysLeft: number }
  | { ok: false; reason: string; kind: 'refused' | 'timeout' | 'untrusted' | 'name' | 'other'; issuer?: string };

const nameOf = (c: PeerCertificate['issuer'] | undefined): string =>
  [c?.O, c?.CN].filter((x, i, a) => x && a.indexOf(x) === i).join(', ') || 'an unnamed issuer';

/** Judges a presented certificate, given the TLS layer's verdict: pure, so tests need no server. */
export function judgeCert(host: string, cert: PeerCertificate | undefined, authorizationError: string | undefined, now: Date): CertAnswer {
  if (!cert || !cert.valid_to) return { ok: false, kind: 'other', reason: 'the server presented no certificate' };
  const issuer = nameOf(cert.issuer);
  const nameErr = checkServerIdentity(host, cert);
  if (nameErr) return { ok: false, kind: 'name', issuer, reason: `its certificate (from ${issuer}) is not valid for ${host}${cert.subject?.CN ? ` (it names ${cert.subject.CN})` : ''}` };
  if (authorizationError) {
    const self = /SELF_SIGNED|self.signed/i.test(authorizationError);
    return { ok: false, kind: 'untrusted', issuer, reason: self ? `it presents a self-signed certificate (${issuer}), not one from LetsEncrypt yet` : `its certificate (from ${issuer}) is not trusted: ${authorizationError}` };
  }
  const validTo = new Date(cert.valid_to);
  return { ok: true, issuer, validTo: validTo.toISOString().slice(0, 10), daysLeft: Math.floor((validTo.getTime() - now.getTime()) / 86_400_000) };
}

/**
 * One TLS handshake with `address:port` for `host` (SNI), trusting the system's CAs (and
 * NODE_EXTRA_CA_CERTS). The handshake is never refused locally, so an untrusted or
 * wrongly-named certificate is described rather than only rejected.
 */
export function fetchCert(host: string, address: string, port: number, timeoutMs = 10_000): Promise<CertAnswer> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port, servername: host, rejectUnauthorized: false, timeout: timeoutMs });
    const done = (a: CertAnswer) => {
      s.destroy();
      resolve(a);
    };
    s.once('secureConnect', () => {
      const err = s.authorizationError;
      done(judgeCert(host, s.getPeerCertificate(), err ? String(err) : undefined, new Date()));
    });
    s.once('timeout', () => done({ ok: false, kind: 'timeout', reason: `no answer on ${address}:${port} within ${Math.round(timeoutMs / 1000)} s` }));
    s.once('error', (e: NodeJS.ErrnoException) =>
      done({ ok: false, kind: e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ETIMEDOUT' ? 'timeout' : 'other', reason: e.code === 'ECONNREFUSED' ? `${address}:${port} refused the connection` : `${e.code ?? 'error'}: ${e.message}` }),
    );
  });
}
