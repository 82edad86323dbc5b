// The HTTPS check's reading of a certificate, against a real TLS server on loopback with
// certificates openssl made: trusted for the name, for another name, self-signed, refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { fetchCert, judgeCert } from '../../src/host/https.js';
import { makeCerts, skipWithoutOpenssl, startSite, type Certs, type Site } from '../helpers/site.js';

describe('HTTPS certificate', { skip: skipWithoutOpenssl() }, () => {
  let certs: Certs;
  let site: Site;
  before(async () => {
    certs = makeCerts();
    site = await startSite(certs.selfSigned('nginx-proxy default'));
  });
  after(async () => {
    await site?.stop();
    certs?.remove();
  });

  test('nginx-proxy\'s self-signed default: not from LetsEncrypt yet', async () => {
    const a = await fetchCert('app.acme.io', '127.0.0.1', site.port);
    assert.equal(a.ok, false);
    assert.match(JSON.stringify(a), /not valid for app\.acme\.io|self-signed/);
  });

  test('a certificate for another name is named as such', async () => {
    site.use(certs.leaf('other.example.org'));
    const a = await fetchCert('app.acme.io', '127.0.0.1', site.port);
    assert.ok(!a.ok && a.kind === 'name', JSON.stringify(a));
    assert.match(a.reason, /not valid for app\.acme\.io \(it names other\.example\.org\)/);
  });

  test('signed by a CA the process does not trust: untrusted', async () => {
    site.use(certs.leaf('app.acme.io'));
    const a = await fetchCert('app.acme.io', '127.0.0.1', site.port);
    assert.ok(!a.ok && a.kind === 'untrusted', JSON.stringify(a));
    assert.match(a.reason, /Test Encrypt/);
  });

  test('trusted for the name: issuer and expiry (judged as the TLS layer would, with the CA trusted)', () => {
    const p = certs.leaf('app.acme.io', 60);
    const x = new X509Certificate(p.cert);
    // The peer certificate object as tls gives it: subject, issuer, valid_to and the SANs.
    const peer = { subject: { CN: 'app.acme.io' }, issuer: { O: 'Test Encrypt', CN: 'T11' }, subjectaltname: x.subjectAltName, valid_to: x.validTo } as never;
    const a = judgeCert('app.acme.io', peer, undefined, new Date());
    assert.ok(a.ok, JSON.stringify(a));
    assert.equal(a.issuer, 'Test Encrypt, T11');
    assert.ok(a.daysLeft >= 58 && a.daysLeft <= 60, String(a.daysLeft));
  });

  test('nothing listening: refused, quickly', async () => {
    const port = site.port;
    await site.stop();
    const a = await fetchCert('app.acme.io', '127.0.0.1', port, 2000);
    assert.ok(!a.ok && a.kind === 'refused', JSON.stringify(a));
    site = await startSite(certs.selfSigned('x'));
  });
});
