import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, parseListings } from '../../src/targets/replica-check.js';
import { findSidecar, interpolate, parseVersion, restoresV03 } from '../../src/targets/replica.js';
import { drillFailure, parseDrill } from '../../src/targets/drill.js';

const MIX = join(import.meta.dirname, '..', 'fixtures', 'servicestack-mix');

test('the sidecar of each mix compose file: image, replica URL and env as written', () => {
  const blazor = findSidecar(readFileSync(join(MIX, 'blazor-litestream-sftp/.deploy/docker-compose.yml'), 'utf8'))!;
  assert.equal(blazor.image, 'litestream/litestream');
  assert.equal(blazor.tag, undefined);
  assert.equal(blazor.url, 'sftp://${SFTP_USERNAME}:${SFTP_PASSWORD}@${SFTP_HOST}:${SFTP_PORT}/MyApp.sqlite');
  const jam = findSidecar(readFileSync(join(MIX, 'jamstack-litestream-aws/.deploy/docker-compose-template.yml'), 'utf8'))!;
  assert.equal(jam.service, '${APP_NAME}-litestream');
  assert.deepEqual(jam.env, { LITESTREAM_ACCESS_KEY_ID: '${AWS_ACCESS_KEY_ID}', LITESTREAM_SECRET_ACCESS_KEY: '${AWS_SECRET_ACCESS_KEY}' });
  assert.equal(findSidecar('services:\n  x:\n    image: litestream/litestream:0.3.13\n    command: replicate /d.db abs://a@c/p\n')?.tag, '0.3.13');
  assert.equal(findSidecar('services:\n  x:\n    image: nginx\n'), undefined);
  assert.equal(findSidecar(': not yaml: ['), undefined);
});

test('interpolation: ${VAR}, defaults, $$, and what is missing', () => {
  const v = (n: string) => ({ A: 'x', B: '' } as Record<string, string>)[n];
  assert.deepEqual(interpolate('s3://${A}/$A/${C:-d}/$$', v), { text: 's3://x/x/d/$', missing: [] });
  assert.deepEqual(interpolate('${B}${C}', v).missing, ['B', 'C']);
});

test('which image restores a 0.3 replica (traps.md)', () => {
  const v = (s: string) => parseVersion(s)!;
  assert.equal(restoresV03(v('v0.3.13'), 'sftp'), true);
  assert.equal(restoresV03(v('v0.5.16'), 'aws'), true);
  assert.equal(restoresV03(v('v0.5.6'), 'aws'), false);
  assert.equal(restoresV03(v('0.5.16'), 'azure'), false);
  assert.equal(restoresV03(v('v0.5.16'), 'sftp'), false);
});

const listing = (image: string, version: string, body: string) => `@@image ${image}\n@@version ${version}\n@@list x\n${body}\n@@status 0\n@@exit 0\n`;
const HEADER = 'name  generation        lag   start                 end';

test('classify: refused, missing, network, empty, replica', () => {
  const err = (e: string) => listing('litestream/litestream', 'v0.3.13', `time=t level=ERROR msg="cannot list generations" db=/x replica=s3 error="${e}"\n${HEADER}`);
  const c = (out: string, t: 'aws' | 'azure' | 'sftp' = 'aws') => classify(parseListings(out), t);
  assert.match(JSON.stringify(c(err('SignatureDoesNotMatch: The request signature\\n\\tstatus code: 403'))), /AWS_SECRET_ACCESS_KEY/);
  assert.match(JSON.stringify(c(err('NoSuchBucket: The specified bucket does not exist'))), /AWS_S3_BUCKET/);
  assert.match(JSON.stringify(c(err('ssh: handshake failed: ssh: unable to authenticate, attempted methods [none password]'), 'sftp')), /SFTP_USERNAME and SFTP_PASSWORD/);
  assert.match(JSON.stringify(c(err('dial tcp 127.0.0.1:1: connect: connection refused'), 'sftp')), /no network path[\s\S]*SFTP_HOST and SFTP_PORT/);
  assert.equal(c(listing('litestream/litestream', 'v0.3.13', HEADER)).kind, 'empty');
  const r = c(listing('litestream/litestream', 'v0.3.13', `${HEADER}\ns3  7d0c4954c62e02f6  2.9s  2026-11-29T23:31:53Z  2026-11-29T23:40:00Z`));
  assert.deepEqual(r, { kind: 'replica', image: 'litestream/litestream', version: 'v0.3.13', format: '0.3', generation: '7d0c4954c62e02f6', latest: '2026-11-29T23:40:00Z' });
  const timeout = parseListings(listing('i', 'v0.3.13', '').replace('@@status 0', '@@status 124'));
  assert.match(JSON.stringify(classify(timeout, 'azure')), /did not answer in time/);
});

test('a 0.3 replica and a 0.5 image that cannot restore it: blocked, with the pin', () => {
  const old = listing('litestream/litestream:0.3.13', 'v0.3.13', `${HEADER}\nsftp  7d0c4954c62e02f6  2.9s  2026-01-01T00:00:00Z  2026-01-02T00:00:00Z`);
  const out = listing('litestream/litestream', 'v0.5.16', '') + old;
  const f = classify(parseListings(out), 'sftp');
  assert.equal(f.kind, 'blocked');
  assert.match(JSON.stringify(f), /written by Litestream 0\.3[\s\S]*image: litestream\/litestream:0\.3\.13/);
  assert.equal(classify(parseListings(out), 'aws').kind, 'replica', '0.5.7+ restores a 0.3 S3 replica');
  assert.equal(classify(parseListings(listing('litestream/litestream', 'v0.5.16', '') + listing('litestream/litestream:0.3.13', 'v0.3.13', HEADER)), 'azure').kind, 'empty');
});

test('the drill: figures, no replica, a damaged database', () => {
  const d = parseDrill('@@version v0.3.13\n@@restore 0\n@@size 28672\n@@integrity ok\n@@tables 2\n@@exit 0\n');
  assert.deepEqual(d, { version: 'v0.3.13', restoreExit: 0, bytes: 28672, integrity: 'ok', tables: 2, dockerExit: 0 });
  assert.equal(drillFailure(d), undefined);
  assert.match(drillFailure(parseDrill('time=t level=ERROR msg="failed to run" error="no matching backups found"\n@@restore 1\n@@exit 0\n'))!.reason, /no replica to restore/);
  assert.match(drillFailure({ ...d, integrity: '*** in database main *** Page 3 is never used' })!.reason, /integrity_check/);
});

test('the plan row, --no-release: a 0.3 replica behind a 0.5 image is blocked with the pin as an edit of the compose file', async () => {
  const { inspection, repoState, settings } = await import('../helpers/inspection.js');
  const { planStorage } = await import('../../src/steps/storage.js');
  const repo = { ...repoState('blazor-litestream-sftp'), appComposePath: '.deploy/docker-compose.yml' };
  const sidecar = findSidecar(repo.appCompose)!;
  const old = listing('litestream/litestream:0.3.13', 'v0.3.13', `${HEADER}\nsftp  7d0c4954c62e02f6  2.9s  2026-01-01T00:00:00Z  2026-01-02T00:00:00Z`);
  const finding = classify(parseListings(listing('litestream/litestream', 'v0.5.16', '') + old), 'sftp');
  const row = planStorage({ ...inspection({ repo, settings: settings({ release: false }) }), storage: { kind: 'checked', finding, sidecar, ms: 900 } });
  assert.equal(row.status, 'blocked');
  assert.match(row.detail, /written by Litestream 0\.3 \(generation 7d0c4954c62e02f6, latest 2026-01-02T00:00:00Z\)/);
  assert.equal(row.fix, 'Pin the Litestream image in .deploy/docker-compose.yml (on the default branch), then re-run:\n-     image: litestream/litestream\n+     image: litestream/litestream:0.3.13');
  assert.equal(planStorage(inspection()).status, 'skip');
});
