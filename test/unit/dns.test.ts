import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, inspection, settings } from '../helpers/inspection.js';
import { planDns } from '../../src/steps/dns.js';
import { makePlan } from '../../src/steps/index.js';
import type { HostFacts } from '../../src/host/probe.js';

const s = settings({ host: 'app.example.org', sshHost: 'app.example.org' });
const net = (over: Partial<HostFacts['net']>): HostFacts => ({ ...facts(), net: { addresses: ['203.0.113.7', '10.19.0.5'], sshServer: '203.0.113.7', reservedIp: undefined, ...over } });
const dns = (a: string[], aaaa: string[] = [], extra: { error?: string; sshAddresses?: string[] } = {}) => ({ host: 'app.example.org', a, aaaa, sshAddresses: extra.sshAddresses ?? [], ...(extra.error ? { error: extra.error } : {}) });

test('an A record pointing at the host is ok', () => {
  const r = planDns(inspection({ settings: s, facts: net({}), dns: dns(['203.0.113.7']) }));
  assert.equal(r.status, 'ok');
  assert.match(r.detail, /A → 203\.0\.113\.7 \(this host\)/);
});

test('an A record elsewhere: the exact record to set, a question, and a warning under --yes', () => {
  const ins = inspection({ settings: s, facts: net({}), dns: dns(['198.51.100.9']) });
  const r = planDns(ins);
  assert.equal(r.status, 'warn');
  assert.match(r.detail, /A app\.example\.org → 198\.51\.100\.9 is not this host: change it to A app\.example\.org → 203\.0\.113\.7/);
  assert.match(r.ask!, /Go on anyway\?/);
  assert.ok(makePlan(ins).warnings.some((w) => /DNS for LetsEncrypt: A app\.example\.org → 198\.51\.100\.9/.test(w)));
});

test('a missing record: the record to create, with the public address SSH reached', () => {
  const r = planDns(inspection({ settings: s, facts: net({ sshServer: '10.19.0.5' }), dns: dns([], [], { sshAddresses: ['203.0.113.7'] }) }));
  assert.equal(r.status, 'warn');
  assert.match(r.detail, /no A record: create A app\.example\.org → 203\.0\.113\.7/);
  assert.match(r.fix!, /^Create A app\.example\.org → 203\.0\.113\.7 at your DNS provider/);
});

test('an AAAA record pointing elsewhere is called out, though the A record is right', () => {
  const r = planDns(inspection({ settings: s, facts: net({ addresses: ['203.0.113.7', '2001:db8::7'] }), dns: dns(['203.0.113.7'], ['2001:db8::99']) }));
  assert.equal(r.status, 'warn');
  assert.match(r.detail, /AAAA app\.example\.org → 2001:db8::99 points elsewhere, and LetsEncrypt prefers IPv6/);
  assert.doesNotMatch(r.detail, /is not this host/);
});

test('an AAAA record on the host, in another spelling, is the host', () => {
  const r = planDns(inspection({ settings: s, facts: net({ addresses: ['203.0.113.7', '2001:db8:0:0::7'] }), dns: dns(['203.0.113.7'], ['2001:DB8::7']) }));
  assert.equal(r.status, 'ok', r.detail);
});

test('a reserved IP that no interface carries: a record naming it is the host, and a missing one should name it', () => {
  const droplet = net({ addresses: ['203.0.113.7', '10.19.0.5'], reservedIp: '198.51.100.20' });
  assert.equal(planDns(inspection({ settings: s, facts: droplet, dns: dns(['198.51.100.20']) })).status, 'ok');
  const missing = planDns(inspection({ settings: s, facts: droplet, dns: dns([]) }));
  assert.match(missing.detail, /create A app\.example\.org → 198\.51\.100\.20/);
});

test('a lookup that failed is a warning that says why', () => {
  const r = planDns(inspection({ settings: s, facts: net({}), dns: dns([], [], { error: 'ETIMEOUT' }) }));
  assert.equal(r.status, 'warn');
  assert.match(r.detail, /could not be resolved here \(ETIMEOUT\)/);
});
