// A 0.3 replica behind an unpinned (0.5) image: the compose file's image line pinned, offered
// like the workflow repair (the wizard asks; --yes needs --repair-workflow), every other byte kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pinImageText } from '../../src/github/repair.js';
import { planStorage } from '../../src/steps/storage.js';
import { planRepair, proposedRepairs } from '../../src/steps/workflow-repair.js';
import { classify, parseListings } from '../../src/targets/replica-check.js';
import { findSidecar, PINNED_V03 } from '../../src/targets/replica.js';
import { mixes } from '../helpers/fixtures.js';
import { inspection, repoState, settings } from '../helpers/inspection.js';
import type { Inspection } from '../../src/steps/types.js';

const HEADER = 'name  generation        lag  start                 end';
const listing = (image: string, version: string, body: string) => `@@image ${image}\n@@version ${version}\n@@list x\n${body}\n@@status 0\n@@exit 0\n`;

test('all nine mixes: only the sidecar\'s image line changes', () => {
  for (const m of mixes()) {
    const { text, changes } = pinImageText(m.compose, 'litestream/litestream', PINNED_V03);
    assert.equal(changes.length, 1, m.name);
    assert.equal(changes[0]!.after, changes[0]!.before.replace('litestream/litestream', PINNED_V03), m.name);
    assert.equal(text, m.compose.replace(/image: litestream\/litestream\n/, `image: ${PINNED_V03}\n`), m.name);
  }
  const odd = 'services:\r\n  ls:\r\n    image: "litestream/litestream"  # sidecar\r\n    other: litestream/litestream';
  assert.equal(pinImageText(odd, 'litestream/litestream', PINNED_V03).text, `services:\r\n  ls:\r\n    image: "${PINNED_V03}"  # sidecar\r\n    other: litestream/litestream`);
});

/** A 0.3 replica on SFTP, the compose file's image 0.5 (no 0.5 restores 0.3 SFTP replicas). */
function blockedByFormat(over: Parameters<typeof settings>[0] = {}, mix = 'litestream-sftp'): Inspection {
  const repo = { ...repoState(mix), appComposePath: mix.startsWith('blazor') ? '.deploy/docker-compose.yml' : '.deploy/docker-compose-template.yml' };
  const sidecar = findSidecar(repo.appCompose)!;
  const old = listing(PINNED_V03, 'v0.3.13', `${HEADER}\nsftp  7d0c4954c62e02f6  2.9s  2026-01-01T00:00:00Z  2026-01-02T00:00:00Z`);
  const finding = classify(parseListings(listing('litestream/litestream', 'v0.5.16', '') + old), 'sftp');
  assert.equal(finding.kind, 'blocked');
  return { ...inspection({ repo, settings: settings({ target: 'sftp', ...over }) }), storage: { kind: 'checked', finding, sidecar, ms: 900 } };
}

test('with a release: the storage row points at the repair, which pins the image in the compose file', () => {
  const ins = blockedByFormat({ yes: false });
  const row = planStorage(ins);
  assert.equal(row.status, 'change');
  assert.match(row.detail, /written by Litestream 0\.3[\s\S]*The repair below pins litestream\/litestream:0\.3\.13 in \.deploy\/docker-compose-template\.yml/);
  const { repairs } = proposedRepairs(ins);
  const pin = repairs.find((r) => r.pin)!;
  assert.equal(pin.path, '.deploy/docker-compose-template.yml');
  const repair = planRepair(ins);
  assert.equal(repair.status, 'change');
  assert.match(repair.askNo!, /Without the repair the release could never run as it is, and then would start on an empty database/);
  assert.ok(repair.diff!.some((l) => l.includes(`+ image: ${PINNED_V03}`)), repair.diff!.join('\n'));
});

test('--yes without --repair-workflow: blocked, naming the empty database; with it: committed', () => {
  const blocked = planRepair(blockedByFormat({ yes: true, repairWorkflow: false }));
  assert.equal(blocked.status, 'blocked');
  assert.match(blocked.detail, /would start on an empty database/);
  assert.match(blocked.fix!, /--repair-workflow/);
  assert.equal(planRepair(blockedByFormat({ yes: true, repairWorkflow: true })).status, 'change');
});

test('the pin alone needs no workflow scope; --no-release keeps the storage row blocked with the edit to make', () => {
  const ins = blockedByFormat({ yes: false });
  ins.repo.info.tokenScopes = ['repo'];
  // The sftp web mix also runs on a retired runner: only that part needs the scope.
  assert.match(planRepair(ins).detail, /token lacks the "workflow" scope needed to repair 3 line\(s\) in release\.yml$/);
  const blazor = blockedByFormat({ yes: false }, 'blazor-litestream-sftp');
  blazor.repo.info.tokenScopes = ['repo'];
  const row = planRepair(blazor);
  assert.equal(row.status, 'change', row.detail);
  assert.match(row.askNo!, /Without the repair the release would start on an empty database/);
  const stays = planStorage(blockedByFormat({ release: false }));
  assert.equal(stays.status, 'blocked');
  assert.match(stays.fix!, /\+     image: litestream\/litestream:0\.3\.13/);
});

/** A 0.3 replica the image restores, on a host that does (not) run the sidecar yet. */
function movedReplica(deployed: boolean | undefined, over: Parameters<typeof settings>[0] = {}, mix = 'litestream-aws'): Inspection {
  const repo = { ...repoState(mix), appComposePath: '.deploy/docker-compose-template.yml' };
  const sidecar = findSidecar(repo.appCompose)!;
  const finding = classify(parseListings(listing('litestream/litestream', 'v0.3.13', `${HEADER}\ns3  7d0c4954c62e02f6  2.9s  2026-01-01T00:00:00Z  2026-01-02T00:00:00Z`)), 'aws');
  return { ...inspection({ repo, settings: settings(over) }), storage: { kind: 'checked', finding, sidecar, ms: 900, ...(deployed === undefined ? {} : { deployed }) } };
}

test('every mix runs its migration before Litestream can restore', () => {
  for (const m of mixes()) assert.equal(findSidecar(m.compose)!.migration, 'app-migration'.replace('app', m.family === 'blazor' ? 'app' : '${APP_NAME}'), m.name);
});

test('a replica and a host without the app: the release would replace its data; --yes stops, the wizard asks (default no)', () => {
  const yes = planStorage(movedReplica(false, { yes: true }));
  assert.equal(yes.status, 'blocked');
  assert.match(yes.detail, /the release runs app-migration before Litestream's restore: it creates a new, empty database[\s\S]*does not come back/);
  assert.match(yes.fix!, /--no-release[\s\S]*restore/);
  const wizard = planStorage(movedReplica(false, { yes: false }));
  assert.equal(wizard.status, 'warn');
  assert.match(wizard.ask!, /Release anyway\?/);
  // The host runs the sidecar already (a re-run), --no-release, --verify, or not known: as before.
  for (const ins of [movedReplica(true), movedReplica(false, { release: false }), movedReplica(false, { verifyOnly: true }), movedReplica(undefined)])
    assert.equal(planStorage(ins).status, 'ok');
});
