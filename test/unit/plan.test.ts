import { analyzeWorkflow } from '../../src/github/workflow.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePlan, blockedItems } from '../../src/steps/index.js';
import type { Plan, StepId } from '../../src/steps/types.js';
import { createHash } from 'node:crypto';
import { SHIM_TEXT } from '../../src/host/layout.js';
import { renderProxyCompose } from '../../src/steps/proxy-compose.js';
import { facts, inspection, repoState, settings } from '../helpers/inspection.js';

const item = (p: Plan, id: StepId) => p.items.find((i) => i.id === id)!;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('fresh droplet: everything to do, nothing blocked, secrets all created', () => {
  const p = makePlan(inspection());
  assert.deepEqual(blockedItems(p), []);
  for (const id of ['shim', 'deploy-user', 'proxy', 'deploy-key', 'secrets', 'release'] as StepId[]) assert.equal(item(p, id).status, 'change', id);
  const actions = Object.fromEntries(p.secrets.map((s) => [s.name, s.action]));
  assert.deepEqual(actions, {
    APPSETTINGS_PATCH: 'optional',
    DEPLOY_HOST: 'create',
    LETSENCRYPT_EMAIL: 'create',
    AWS_S3_BUCKET: 'create',
    AWS_ACCESS_KEY_ID: 'create',
    AWS_SECRET_ACCESS_KEY: 'create',
    DEPLOY_USERNAME: 'create',
    DEPLOY_KEY: 'create',
  });
  assert.ok(!p.secrets.some((s) => s.name === 'GITHUB_TOKEN'));
  assert.deepEqual(p.warnings, []);
});

test('docker missing: blocked with the apt repository commands', () => {
  const f = facts();
  const p = makePlan(inspection({ facts: { ...f, docker: { ...f.docker, path: undefined, composeVersion: undefined } } }));
  const d = item(p, 'docker');
  assert.equal(d.status, 'blocked');
  assert.match(d.fix!, /download\.docker\.com\/linux\/ubuntu/);
  assert.match(d.fix!, /docker-compose-plugin/);
});

test('daemon down, no socket permission, compose v1 only', () => {
  const f = facts();
  const down = makePlan(inspection({ facts: { ...f, docker: { ...f.docker, daemonError: 'down', serverVersion: undefined } } }));
  assert.match(item(down, 'daemon').fix!, /\nsudo systemctl enable --now docker$/);
  const nf = facts({ user: 'tester', uid: 1000, sudo: 'passwordless' }, 'tester');
  const perm = makePlan(inspection({ settings: settings({ user: 'tester', deployUser: 'tester' }), facts: { ...nf, docker: { ...nf.docker, daemonError: 'permission' } } }));
  assert.equal(item(perm, 'docker-access').status, 'blocked');
  assert.match(item(perm, 'docker-access').fix!, /usermod -aG docker tester/);
  const v1 = makePlan(inspection({ facts: { ...f, docker: { ...f.docker, composeVersion: undefined }, dockerCompose: { ...f.dockerCompose, kind: 'v1', version: '1.29.2', path: '/usr/local/bin/docker-compose', shimExists: true } } }));
  assert.equal(item(v1, 'compose').status, 'blocked');
  assert.match(item(v1, 'compose').detail, /1\.29\.2 \(v1\)/);
  assert.equal(item(v1, 'shim').status, 'skip');
});

test('ports held by another web server: blocked naming it; held by our proxy: ok', () => {
  const held = makePlan(inspection({ facts: facts({ ports: [{ port: 80, holder: 'apache2 (pid 812)' }] }) }));
  assert.match(item(held, 'ports').detail, /80 by apache2 \(pid 812\)/);
  assert.match(item(held, 'ports').fix!, /systemctl disable --now apache2/);
  const ours = makePlan(inspection({ facts: facts({ ports: [{ port: 80, holder: 'docker-proxy (pid 1)' }], containers: ['nginx-proxy', 'nginx-proxy-le'] }) }));
  assert.equal(item(ours, 'ports').status, 'ok');
});

test('sudo that asks for a password blocks only when root is needed', () => {
  const f = facts({ user: 'ubuntu', uid: 1000, sudo: 'password' }, 'ubuntu');
  const p = makePlan(inspection({ settings: settings({ user: 'ubuntu', deployUser: 'ubuntu' }), facts: f }));
  assert.equal(item(p, 'sudo').status, 'blocked');
  assert.match(item(p, 'sudo').detail, /docker-compose shim/);
  const shimDone = { ...f.dockerCompose, shimExists: true, shimSha256: sha(SHIM_TEXT), path: '/usr/local/bin/docker-compose', kind: 'ours' as const };
  const p2 = makePlan(inspection({ settings: settings({ user: 'ubuntu', deployUser: 'ubuntu' }), facts: { ...f, dockerCompose: shimDone } }));
  assert.equal(item(p2, 'sudo').status, 'ok');
});

test('shim: a foreign docker-compose is replaced only with a word about it', () => {
  const f = facts();
  const p = makePlan(inspection({ facts: { ...f, dockerCompose: { ...f.dockerCompose, path: '/usr/local/bin/docker-compose', kind: 'other', shimExists: true, shimSha256: 'zzz' } } }));
  assert.match(item(p, 'shim').detail, /did not write.*kept as \/usr\/local\/bin\/docker-compose\.orig/);
  const elsewhere = makePlan(inspection({ facts: { ...f, dockerCompose: { ...f.dockerCompose, path: '/usr/bin/docker-compose', kind: 'v1', version: '1.29.2', shimExists: false } } }));
  assert.match(item(elsewhere, 'shim').detail, /before \/usr\/bin\/docker-compose.*untouched/);
});

test('shim: an empty or partial shim an interrupted run left is replaced, with no word of keeping it', () => {
  const f = facts();
  for (const left of ['', SHIM_TEXT.slice(0, 12)]) {
    const dc = { ...f.dockerCompose, path: '/usr/local/bin/docker-compose', kind: 'other' as const, version: '', shimExists: true, shimSha256: sha(left) };
    const p = makePlan(inspection({ facts: { ...f, dockerCompose: dc } }));
    assert.equal(item(p, 'shim').status, 'change');
    assert.match(item(p, 'shim').detail, /unfinished \/usr\/local\/bin\/docker-compose an interrupted earlier run left/);
    assert.doesNotMatch(item(p, 'shim').detail, /\.orig/);
  }
});

test('a second run after success changes nothing', () => {
  const s = settings();
  const repo = repoState('blazor-litestream-aws', Object.fromEntries(['DEPLOY_HOST', 'DEPLOY_USERNAME', 'DEPLOY_KEY', 'LETSENCRYPT_EMAIL', 'AWS_S3_BUCKET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((n) => [n, '2026-11-23T10:00:00Z'])));
  const base = inspection({ settings: s, repo });
  const pub = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey create-litestream-host acme/app 2026-11-23';
  const f = facts({
    containers: ['nginx-proxy', 'nginx-proxy-le'],
    dockerCompose: { path: '/usr/local/bin/docker-compose', kind: 'ours', version: undefined, shimExists: true, shimSha256: sha(SHIM_TEXT) },
    proxyFile: { sha256: sha(renderProxyCompose('network', s.email)) },
    deployUser: { name: 'deploy', exists: true, uid: 1001, home: '/home/deploy', groups: ['deploy', 'docker'], ourKeys: [`no-port-forwarding ${pub}`], authorizedKeysReadable: true, groupExists: true },
  });
  const saved = { defaults: {}, record: { secrets: Object.fromEntries([...base.digests].map(([n, h]) => [n, { hmac: h, at: 'x' }])), deployKey: { fingerprint: 'SHA256:k', publicKey: pub, at: 'x' } } };
  const p = makePlan(inspection({ settings: settings({ release: false }), repo, facts: f, saved }));
  assert.deepEqual(p.items.filter((i) => i.status === 'change').map((i) => i.id), []);
  assert.ok(p.secrets.every((x) => x.action === 'keep' || x.action === 'optional'), JSON.stringify(p.secrets));
  assert.equal(p.secrets.find((x) => x.name === 'DEPLOY_HOST')!.updatedAt, '2026-11-23T10:00:00Z');
});

test('deploy key: stale keys after a swap are removed; a pending key whose write landed counts as current', () => {
  const pubOld = 'ssh-ed25519 AAAAold create-litestream-host acme/app 2026-01-01';
  const pubNew = 'ssh-ed25519 AAAAnew create-litestream-host acme/app 2026-11-23';
  const du = { name: 'deploy', exists: true, uid: 1001, home: '/home/deploy', groups: ['docker'], ourKeys: [pubOld, pubNew, 'ssh-ed25519 AAAAother create-litestream-host someone/else 2026-01-01'], authorizedKeysReadable: true, groupExists: true };
  const repo = repoState('blazor-litestream-aws', { DEPLOY_KEY: '2026-11-23T12:00:00Z' });
  // The write went through (updated_at moved) but the run stopped before recording it.
  const saved = { defaults: {}, record: { secrets: {}, deployKey: { fingerprint: 'o', publicKey: pubOld, at: 'x' }, pendingKey: { fingerprint: 'n', publicKey: pubNew, at: 'y', secretUpdatedAtBefore: '2026-01-01T00:00:00Z' } } };
  const p = makePlan(inspection({ facts: facts({ deployUser: du }), repo, saved }));
  assert.equal(item(p, 'deploy-key').status, 'change');
  assert.match(item(p, 'deploy-key').detail, /remove 1 replaced/);
  assert.equal(p.secrets.find((s) => s.name === 'DEPLOY_KEY')!.action, 'keep');
  // The write never happened: the rotation is still open, and the re-run finishes it with a
  // new key (the pending key's private half was never stored), then removes both old ones.
  const saved2 = { ...saved, record: { ...saved.record, pendingKey: { ...saved.record.pendingKey, secretUpdatedAtBefore: '2026-11-23T12:00:00Z' } } };
  const p2 = makePlan(inspection({ facts: facts({ deployUser: du }), repo, saved: saved2 }));
  assert.match(item(p2, 'deploy-key').detail, /^finish the rotation .*remove the 2 older/);
  assert.equal(p2.secrets.find((s) => s.name === 'DEPLOY_KEY')!.action, 'update');
  // --rotate: a new key, and both old ones go after the secret is written.
  const p3 = makePlan(inspection({ settings: settings({ rotate: true, rotateItems: ['deploy-key'] }), facts: facts({ deployUser: du }), repo, saved }));
  assert.match(item(p3, 'deploy-key').detail, /^rotate: .*remove the 2 older/);
  assert.equal(p3.secrets.find((s) => s.name === 'DEPLOY_KEY')!.action, 'update');
});

test('secrets: changed value updates, unknown set-by-hand is overwritten with a note, unfillable is blocked', () => {
  const repo = repoState('blazor-litestream-aws', { AWS_S3_BUCKET: '2026-01-01T00:00:00Z', LETSENCRYPT_EMAIL: '2026-01-01T00:00:00Z' });
  const saved = { defaults: {}, record: { secrets: { AWS_S3_BUCKET: { hmac: 'old', at: 'x' } } } };
  const p = makePlan(inspection({ repo, saved }));
  assert.deepEqual(p.secrets.find((s) => s.name === 'AWS_S3_BUCKET'), { name: 'AWS_S3_BUCKET', action: 'update', updatedAt: '2026-01-01T00:00:00Z', note: 'value changed' });
  assert.match(p.secrets.find((s) => s.name === 'LETSENCRYPT_EMAIL')!.note!, /not by this program/);
  // A workflow of another target than --target: blocked before anything is written.
  const other = makePlan(inspection({ repo: repoState('blazor-litestream-azure') }));
  assert.equal(item(other, 'workflow').status, 'blocked');
  assert.match(item(other, 'workflow').fix!, /--target azure/);
  assert.equal(item(other, 'secrets').status, 'blocked');
});

test('web mix: DEPLOY_PORT filled; with --no-release, retired runner and port-22 warnings; bridge proxy', () => {
  const p = makePlan(inspection({ settings: settings({ sshPort: 2222, release: false }), repo: repoState('litestream-aws') }));
  assert.equal(p.secrets.find((s) => s.name === 'DEPLOY_PORT')!.action, 'create');
  assert.ok(p.warnings.some((w) => /ubuntu-20\.04.*retired.*ubuntu-24\.04.*workflow" scope/.test(w)), p.warnings.join('\n'));
  assert.ok(p.warnings.some((w) => /port: 22 literally/.test(w)));
  assert.equal(item(p, 'workflow-repair').status, 'skip');
  assert.match(item(p, 'proxy').detail, /default bridge/);
});

test('web mix under --yes: a release that could never run blocks the plan, naming --repair-workflow and --no-release, diff shown', () => {
  const p = makePlan(inspection({ settings: settings({ sshPort: 2222 }), repo: repoState('litestream-aws') }));
  const r = item(p, 'workflow-repair');
  assert.equal(r.status, 'blocked');
  assert.match(r.fix!, /--repair-workflow.*--no-release/);
  assert.deepEqual(r.diff!.filter((l) => /^\s+\d+ - /.test(l)).map((l) => l.trim()), ['24 - runs-on: ubuntu-20.04', '70 - runs-on: ubuntu-20.04', '135 - port: 22']);
  assert.equal(p.warnings.filter((w) => /retired|port: 22/.test(w)).length, 0, 'the row speaks, not a warning');
});

test('repair: consent makes it a change; a classic token without workflow blocks it; blazor and repaired files plan nothing', () => {
  const web = repoState('jamstack-litestream-aws');
  assert.equal(item(makePlan(inspection({ settings: settings({ repairWorkflow: true }), repo: web })), 'workflow-repair').status, 'change');
  assert.equal(item(makePlan(inspection({ settings: settings({ yes: false }), repo: web })), 'workflow-repair').status, 'change');
  const noScope = { ...web, info: { ...web.info, tokenScopes: ['repo'] } };
  const blocked = item(makePlan(inspection({ settings: settings({ repairWorkflow: true }), repo: noScope })), 'workflow-repair');
  assert.equal(blocked.status, 'blocked');
  assert.match(`${blocked.detail} ${blocked.fix}`, /"workflow" scope.*settings\/tokens\/new/);
  assert.equal(item(makePlan(inspection({ settings: settings({ sshPort: 2222 }), repo: repoState('blazor-litestream-aws') })), 'workflow-repair').status, 'ok');
  const fixed = repoState('litestream-aws');
  const text = fixed.workflowText!.replace(/ubuntu-20\.04/g, 'ubuntu-24.04').replace('port: 22', 'port: ${{ secrets.DEPLOY_PORT }}');
  const repaired = { ...fixed, workflowText: text, workflow: analyzeWorkflow(text) };
  assert.equal(item(makePlan(inspection({ settings: settings({ sshPort: 2222 }), repo: repaired })), 'workflow-repair').status, 'ok');
});

test('repair: the Build workflow that starts the release is read and repaired too', () => {
  const build = 'name: Build\non: push\njobs:\n  build:\n    runs-on: ubuntu-20.04\n';
  const blazor = { ...repoState('blazor-litestream-aws'), triggers: [{ path: '.github/workflows/build.yml', text: build }] };
  const r = item(makePlan(inspection({ settings: settings({ repairWorkflow: true }), repo: blazor })), 'workflow-repair');
  assert.equal(r.status, 'change');
  assert.deepEqual(r.diff, ['.github/workflows/build.yml:', '     5 - runs-on: ubuntu-20.04', '       + runs-on: ubuntu-24.04']);
});

test('jamstack mix: DEPLOY_API is the host secret; DEPLOY_CDN optional', () => {
  const p = makePlan(inspection({ settings: settings({ target: 'sftp', storage: {} }), repo: repoState('jamstack-litestream-sftp', { SFTP_USERNAME: 'x', SFTP_PASSWORD: 'x', SFTP_HOST: 'x', SFTP_PORT: 'x' }) }));
  const names = Object.fromEntries(p.secrets.map((s) => [s.name, s.action]));
  assert.equal(names.DEPLOY_API, 'create');
  assert.equal(names.DEPLOY_HOST, undefined);
  assert.equal(names.DEPLOY_CDN, 'optional');
  assert.equal(names.SFTP_PASSWORD, 'keep');
});

test('no workflow: seed names, no release', () => {
  const repo = { ...repoState(), workflow: undefined, workflowText: undefined };
  const p = makePlan(inspection({ repo }));
  assert.deepEqual(p.secrets.map((s) => s.name), ['DEPLOY_API', 'DEPLOY_USERNAME', 'DEPLOY_KEY', 'LETSENCRYPT_EMAIL', 'AWS_S3_BUCKET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  assert.equal(item(p, 'release').status, 'skip');
  assert.match(item(p, 'workflow').detail, /template's secret names/);
});

test('deploy key: a DEPLOY_KEY written by someone else since our record is never trusted for removal', () => {
  const pubA = 'ssh-ed25519 AAAAa create-litestream-host acme/app 2026-01-01';
  const pubB = 'ssh-ed25519 AAAAb create-litestream-host acme/app 2026-11-23';
  const du = { name: 'deploy', exists: true, uid: 1001, home: '/home/deploy', groups: ['docker'], ourKeys: [pubA, pubB], authorizedKeysReadable: true, groupExists: true };
  // Our record says A, written at 10:00; GitHub says the secret changed at 12:00 (another machine rotated to B).
  const repo = repoState('blazor-litestream-aws', { DEPLOY_KEY: '2026-11-23T12:00:00Z' });
  const saved = { defaults: {}, record: { secrets: {}, deployKey: { fingerprint: 'a', publicKey: pubA, at: 'x', secretUpdatedAt: '2026-11-23T10:00:00Z' } } };
  const p = makePlan(inspection({ facts: facts({ deployUser: du }), repo, saved }));
  assert.equal(item(p, 'deploy-key').status, 'ok', item(p, 'deploy-key').detail);
  assert.match(item(p, 'deploy-key').detail, /2 keys of this program are authorized/);
});

test('deploy key: a landed pending write, then a second rotation that failed, then a plain re-run (the reviewer\'s K1/K2/K3 case)', () => {
  const [k1, k2, k3] = ['AAAAk1', 'AAAAk2', 'AAAAk3'].map((b) => `ssh-ed25519 ${b} create-litestream-host acme/app 2026-11-23`);
  const du = { name: 'deploy', exists: true, uid: 1001, home: '/home/deploy', groups: ['docker'], ourKeys: [k1!, k2!, k3!], authorizedKeysReadable: true, groupExists: true };
  // Run B promoted K2 (its write had landed) and left K3 pending; K3's write failed, so updated_at is still K2's.
  const repo = repoState('blazor-litestream-aws', { DEPLOY_KEY: '2026-11-23T11:00:00Z' });
  const saved = { defaults: {}, record: { secrets: {}, deployKey: { fingerprint: '2', publicKey: k2!, at: 'b' }, pendingKey: { fingerprint: '3', publicKey: k3!, at: 'c', secretUpdatedAtBefore: '2026-11-23T11:00:00Z' } } };
  const p = makePlan(inspection({ facts: facts({ deployUser: du }), repo, saved }));
  // K2 stays until a new key is in DEPLOY_KEY; then all three old ones go.
  assert.match(item(p, 'deploy-key').detail, /^finish the rotation .*remove the 3 older/);
});

test('review cases on a real Ubuntu host: unnamed port holders with our proxy up, ubuntu user without docker group, snap Docker', () => {
  // Without root, ss names no process: with our proxy running, that holder is it.
  const upUnnamed = makePlan(inspection({ facts: facts({ ports: [{ port: 80, holder: '' }, { port: 443, holder: '' }], containers: ['nginx-proxy', 'nginx-proxy-le'] }) }));
  assert.equal(item(upUnnamed, 'ports').status, 'ok');
  // ubuntu (passwordless sudo, not in the docker group) creating a new deploy user: fine.
  const f = facts({ user: 'ubuntu', uid: 1000, sudo: 'passwordless' }, 'deploy');
  const p = makePlan(inspection({ settings: settings({ user: 'ubuntu' }), facts: { ...f, docker: { ...f.docker, daemonError: 'permission', reachableWithSudo: true } } }));
  assert.equal(item(p, 'docker-access').status, 'ok', item(p, 'docker-access').detail);
  assert.match(item(p, 'docker-access').detail, /deploy \(the deploy user\) will/);
  // No docker group (snap): creating the deploy user would fail, so say it first.
  const snap = makePlan(inspection({ facts: { ...facts(), docker: { ...facts().docker, groupExists: false } } }));
  assert.equal(item(snap, 'deploy-user').status, 'blocked');
  assert.match(item(snap, 'deploy-user').fix!, /groupadd docker/);
  // A group named like the new user exists: useradd joins it.
  const grp = makePlan(inspection({ facts: facts({ deployUser: { ...facts().deployUser, groupExists: true } }) }));
  assert.match(item(grp, 'deploy-user').commands![0]!, /--gid deploy --groups docker deploy$/);
});

test('--no-release skips the release; a re-run with nothing else to do does not release again', () => {
  const p = makePlan(inspection({ settings: settings({ release: false }) }));
  assert.equal(item(p, 'release').status, 'skip');
  assert.equal(item(p, 'release').detail, '--no-release');
});

test('--install-docker: a missing Docker is installed from Docker\'s repository for this release and architecture, and the rows below follow', () => {
  const f = facts({ user: 'tester', uid: 1000, sudo: 'passwordless', groups: ['tester'] }, 'tester');
  const missing = { ...f, docker: { ...f.docker, path: undefined, composeVersion: undefined, serverVersion: undefined, groupExists: false } };
  const p = makePlan(inspection({ settings: settings({ user: 'tester', deployUser: 'tester', installDocker: true }), facts: missing }));
  const d = item(p, 'docker');
  assert.equal(d.status, 'change');
  assert.match(d.detail, /https:\/\/download\.docker\.com\/linux\/ubuntu, noble, amd64/);
  assert.ok(d.commands!.some((c) => c === '/etc/apt/sources.list.d/docker.list: deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu noble stable'));
  assert.ok(d.commands!.some((c) => c === 'apt-get install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin'));
  assert.match(d.ask!, /Install Docker Engine and Compose/);
  assert.equal(item(p, 'daemon').status, 'skip');
  assert.equal(item(p, 'compose').status, 'skip');
  assert.equal(item(p, 'docker-access').status, 'change', 'tester joins the group the install creates');
  assert.equal(item(p, 'shim').status, 'change');
  assert.equal(item(p, 'sudo').status, 'ok');
  // Without consent under --yes: blocked, naming the flag; a dry run shows the install.
  const no = makePlan(inspection({ settings: settings({ user: 'tester', deployUser: 'tester' }), facts: missing }));
  assert.equal(item(no, 'docker').status, 'blocked');
  assert.match(item(no, 'docker').fix!, /--install-docker/);
  assert.equal(item(makePlan(inspection({ settings: settings({ user: 'tester', deployUser: 'tester', dryRun: true }), facts: missing })), 'docker').status, 'change');
  // Another distribution: blocked as before, whatever the consent.
  const fedora = makePlan(inspection({ settings: settings({ installDocker: true }), facts: { ...missing, os: { ...missing.os, id: 'fedora', codename: '' } } }));
  assert.equal(item(fedora, 'docker').status, 'blocked');
  // sudo asking for a password cannot install.
  const pw = makePlan(inspection({ settings: settings({ user: 'tester', deployUser: 'tester', installDocker: true }), facts: { ...missing, sudo: 'password' } }));
  assert.match(item(pw, 'sudo').detail, /installing Docker/);
});

test('the wizard (no --yes) gets each repair as a change with its question', () => {
  const f = facts({ user: 'tester', uid: 1000, sudo: 'passwordless', groups: ['tester'] }, 'tester');
  const s = settings({ user: 'tester', deployUser: 'tester', yes: false });
  const down = makePlan(inspection({ settings: s, facts: { ...f, docker: { ...f.docker, daemonError: 'down', serverVersion: undefined } } }));
  assert.equal(item(down, 'daemon').status, 'change');
  assert.deepEqual(item(down, 'daemon').commands, ['systemctl enable --now docker']);
  const perm = makePlan(inspection({ settings: s, facts: { ...f, docker: { ...f.docker, daemonError: 'permission' } } }));
  assert.equal(item(perm, 'docker-access').status, 'change');
  assert.match(item(perm, 'docker-access').ask!, /Add tester to the docker group/);
  const v1 = makePlan(inspection({ settings: s, facts: { ...f, docker: { ...f.docker, composeVersion: undefined } } }));
  assert.equal(item(v1, 'compose').status, 'change');
  assert.ok(item(v1, 'compose').commands!.includes('apt-get install -y docker-compose-plugin'));
  assert.equal(item(v1, 'shim').status, 'change');
  // An existing deploy user outside the group joins it.
  const du = { ...f.deployUser, name: 'deploy', exists: true, uid: 1001, home: '/home/deploy', groups: ['deploy'] };
  const other = makePlan(inspection({ settings: settings({ user: 'tester', yes: false }), facts: { ...f, deployUser: du } }));
  assert.equal(item(other, 'deploy-user').status, 'change');
  assert.match(item(other, 'deploy-user').detail, /add deploy to the docker group/);
});
