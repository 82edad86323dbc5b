// A site on loopback with certificates made by openssl: a test CA (the "LetsEncrypt" the
// program is told to trust through NODE_EXTRA_CA_CERTS), a leaf for the host name, one for
// another name, and nginx-proxy's kind of self-signed default.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSecureContext, createServer, type Server } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

/** Outside CI a machine without openssl skips these tests; CI installs it (.ci/run). */
export const skipWithoutOpenssl = (): string | false => (existsSync('/usr/bin/openssl') || process.env.CI ? false : 'needs openssl (CI installs it)');

export interface Pair {
  key: string;
  cert: string;
}

export interface Certs {
  dir: string;
  /** PEM path of the test CA, for NODE_EXTRA_CA_CERTS. */
  caPath: string;
  ca: string;
  /** Signed by the CA for `host`, `days` long. */
  leaf: (host: string, days?: number) => Pair;
  selfSigned: (cn: string) => Pair;
  remove: () => void;
}

const ssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'clh-certs-'));
  ssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/O=Test Encrypt/CN=T11']);
  let n = 0;
  const pair = (name: string): Pair => ({ key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.pem`), 'utf8') });
  return {
    dir,
    caPath: join(dir, 'ca.pem'),
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    leaf(host, days = 90) {
      const name = `leaf${++n}`;
      ssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${host}`]);
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=DNS:${host}\n`);
      ssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', String(days), '-extfile', `${name}.ext`]);
      return pair(name);
    },
    selfSigned(cn) {
      const name = `self${++n}`;
      ssl(dir, ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3650', '-subj', `/CN=${cn}`]);
      return pair(name);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Site {
  port: number;
  /** Serves this certificate from the next handshake on (LetsEncrypt arriving). */
  use: (p: Pair) => void;
  /** TLS handshakes begun so far. */
  handshakes: () => number;
  stop: () => Promise<void>;
}

/** A TLS server on 127.0.0.1 that answers handshakes and closes. */
export async function startSite(first: Pair): Promise<Site> {
  let current = first;
  let n = 0;
  const server: Server = createServer({ SNICallback: (_name, cb) => (n++, cb(null, createSecureContext(current))), ...first }, (s) => s.end());
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    use: (p) => void (current = p),
    handshakes: () => n,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
