import { parseFacts, type HostFacts } from '../../src/host/probe.js';
import { analyzeWorkflow } from '../../src/github/workflow.js';
import { Sensitive } from '../../src/sensitive.js';
import { desiredValues, managedNames } from '../../src/steps/secrets.js';
import type { Settings } from '../../src/config/settings.js';
import type { Inspection, RepoState } from '../../src/steps/types.js';
import type { RepoFile } from '../../src/config/store.js';
import { mixes } from './fixtures.js';

export const settings = (over: Partial<Settings> = {}): Settings => ({
  host: 'app.acme.io',
  sshHost: 'app.acme.io',
  sshPort: 22,
  user: 'root',
  deployUser: 'deploy',
  identity: undefined,
  passphrase: undefined,
  knownHostsPath: '/tmp/kh',
  acceptNewHostKey: false,
  repairWorkflow: false,
  installDocker: false,
  email: 'ops@acme.io',
  repo: { owner: 'acme', repo: 'app' },
  apiUrl: 'https://api.github.com',
  target: 'aws',
  storage: {
    AWS_S3_BUCKET: new Sensitive('acme-db'),
    AWS_ACCESS_KEY_ID: new Sensitive('AKIAIOSFODNN7EXAMPLE'),
    AWS_SECRET_ACCESS_KEY: new Sensitive('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
  },
  token: new Sensitive('ghp_x'),
  workflowFile: 'release.yml',
  answers: {},
  release: true,
  rotate: false,
  rotateItems: [],
  keepDeployKey: undefined,
  dryRun: false,
  verifyOnly: false,
  verifyAfter: true,
  yes: true,
  ...over,
});

/** A fresh Ubuntu droplet with Docker, logged in as root; tweak with `over`. */
export function facts(over: Partial<HostFacts> = {}, deployUser = 'deploy'): HostFacts {
  const base = parseFacts(
    [
      'os.id=ubuntu', 'os.version=24.04', 'os.pretty=Ubuntu 24.04.1 LTS', 'os.kernel=Linux', 'os.arch=x86_64',
      'user=root', 'uid=0', 'groups=root', 'home=/root', 'sudo=root',
      'docker.path=/usr/bin/docker', 'docker.client=Docker version 27.3.1, build ce12230', 'docker.server.rc=0',
      `docker.server=${Buffer.from('27.3.1').toString('base64')}`, 'compose.rc=0', 'compose=2.29.7',
      'os.codename=noble', 'os.dpkgarch=amd64', 'systemd=1', 'net.addrs=203.0.113.7 10.19.0.5',
      'containers=', 'networks=bridge host none', 'disk.kb=41943040', 'group.docker=1', 'du.exists=0', 'probe.done=1',
    ].join('\n'),
    deployUser,
  );
  return { ...base, ...over };
}

export function repoState(mixName = 'blazor-litestream-aws', secrets: Record<string, string> = {}): RepoState {
  const mix = mixes().find((m) => m.name === mixName)!;
  return {
    info: { fullName: 'acme/app', defaultBranch: 'main', private: true, htmlUrl: 'https://github.com/acme/app', admin: true, tokenScopes: ['repo', 'workflow'] },
    workflowFile: 'release.yml',
    workflowText: mix.workflow,
    workflow: analyzeWorkflow(mix.workflow),
    triggers: [],
    appCompose: mix.compose,
    proxyGeneration: mix.family === 'blazor' ? 'network' : 'bridge',
    proxyGenerationGuessed: false,
    secrets: new Map(Object.entries(secrets).map(([name, updatedAt]) => [name, { name, createdAt: updatedAt, updatedAt }])),
    publicKey: { keyId: '1', key: 'x' },
  };
}

export function inspection(o: { settings?: Settings; facts?: HostFacts; repo?: RepoState; saved?: RepoFile; digests?: Map<string, string>; dns?: Inspection['dns'] } = {}): Inspection {
  const s = o.settings ?? settings();
  const repo = o.repo ?? repoState();
  const desired = desiredValues(s, managedNames({ repo, settings: s }));
  const digests = o.digests ?? new Map([...desired.keys()].map((k) => [k, `h(${k}=${desired.get(k)!.reveal()})`]));
  return {
    settings: s,
    hostKey: { host: s.sshHost, port: s.sshPort, type: 'ssh-ed25519', fingerprint: 'SHA256:abc', blob: Buffer.alloc(0) },
    hostKeyRecorded: false,
    facts: o.facts ?? facts({}, s.deployUser),
    repo,
    saved: o.saved ?? { defaults: {}, record: { secrets: {} } },
    desired,
    digests,
    loginKeyBlobs: [],
    dns: o.dns ?? { host: s.host, a: ['203.0.113.7'], aaaa: [], sshAddresses: [] },
  };
}
