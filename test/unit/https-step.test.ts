// The HTTPS row: LetsEncrypt waited for with a bounded poll and a progress line; a failure
// names the A record, the host's addresses and the ports; --verify looks once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpsStep } from '../../src/steps/https.js';
import type { CertAnswer } from '../../src/host/https.js';
import type { ApplyContext, Deps, EngineEvent, Summary } from '../../src/steps/types.js';
import { inspection, settings } from '../helpers/inspection.js';

function ctx(answers: CertAnswer[], o: { verifyOnly?: boolean; a?: string[] } = {}) {
  const events: EngineEvent[] = [];
  let now = 0;
  const asked: string[] = [];
  const realNow = Date.now;
  Date.now = () => realNow() + now;
  const deps = {
    https: { port: 443, waitMs: 60_000, pollMs: 5000 },
    resolve: async () => ({ a: o.a ?? ['203.0.113.7'], aaaa: [] }),
    certificate: async (host: string, address: string, port: number) => {
      asked.push(`${host} ${address}:${port}`);
      return answers.length > 1 ? answers.shift()! : answers[0]!;
    },
    sleep: async (ms: number) => void (now += ms),
  } as unknown as Deps;
  const c = { ins: inspection({ settings: settings({ verifyOnly: !!o.verifyOnly }) }), deps, emit: (e: EngineEvent) => events.push(e), summary: { verified: [] } as unknown as Summary } as unknown as ApplyContext;
  return { c, events, asked, restore: () => (Date.now = realNow) };
}

const SELF: CertAnswer = { ok: false, kind: 'untrusted', reason: 'it presents a self-signed certificate (nginx-proxy), not one from LetsEncrypt yet' };
const GOOD: CertAnswer = { ok: true, issuer: "Let's Encrypt, R11", validTo: '2027-02-27', daysLeft: 89 };

test('after a release: the self-signed default is waited out, with a progress line, then issuer and expiry', async () => {
  const t = ctx([SELF, SELF, GOOD]);
  try {
    const detail = await httpsStep.apply!(t.c);
    assert.equal(detail, "a certificate for app.acme.io from Let's Encrypt, R11, valid until 2027-02-27 (89 days)");
    assert.deepEqual(t.asked, ['app.acme.io 203.0.113.7:443', 'app.acme.io 203.0.113.7:443', 'app.acme.io 203.0.113.7:443']);
    const lines = t.events.flatMap((e) => (e.type === 'output' ? [e.line] : []));
    assert.equal(lines.length, 1, 'one line while the answer stays the same');
    assert.match(lines[0]!, /waiting for LetsEncrypt: it presents a self-signed certificate .* \(0 s of 60 s\)/);
    assert.deepEqual(t.c.summary.verified, [`HTTPS: ${detail}`]);
  } finally {
    t.restore();
  }
});

test('never valid: bounded, then the A record, the host\'s addresses and the ports', async () => {
  const t = ctx([{ ok: false, kind: 'refused', reason: '198.51.100.9:443 refused the connection' }], { a: ['198.51.100.9'] });
  try {
    await assert.rejects(httpsStep.apply!(t.c), (e: Error & { fix?: string }) => {
      assert.match(e.message, /https:\/\/app\.acme\.io\/: 198\.51\.100\.9:443 refused the connection after 60 s/);
      assert.match(e.fix!, /app\.acme\.io points at 198\.51\.100\.9; the host answers on 203\.0\.113\.7;/);
      assert.match(e.fix!, /port 443 \(and 80, which LetsEncrypt validates over\) must be open/);
      assert.match(e.fix!, /docker logs nginx-proxy-le/);
      return true;
    });
    assert.equal(t.asked.length, 13, 'every 5 s for 60 s');
  } finally {
    t.restore();
  }
});

test('--verify looks once; a certificate about to expire is a failure (renewals stopped)', async () => {
  const t = ctx([SELF], { verifyOnly: true });
  try {
    await assert.rejects(httpsStep.apply!(t.c), /self-signed/);
    assert.equal(t.asked.length, 1);
  } finally {
    t.restore();
  }
  const u = ctx([{ ...GOOD, daysLeft: 4 } as CertAnswer], { verifyOnly: true });
  try {
    await assert.rejects(httpsStep.apply!(u.c), /expires 2027-02-27, in 4 days: it is not being renewed/);
  } finally {
    u.restore();
  }
});
