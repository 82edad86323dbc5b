/**
 * The probe (src/host/probe.ts): one script that prints key=value facts about the host.
 * The droplet answers every key it knows; a key it does not know fails the run loudly.
 */
import { SHIM_MARKER, SHIM_PATH } from '../../host/layout.js';
import { dockerAccess, runningNames } from './docker.js';
import { ExecError, lines, sha256, type Host } from './host.js';
import { tokenize } from './shell-words.js';
import { COMPOSE_VERSION, DROPLET_IP, DISK_FREE_KB, DOCKER_BUILD, DOCKER_VERSION, OS, type VUser } from './state.js';

/** Every key the probe may print that this droplet knows how to answer. */
const PROBE_KEYS = new Set([
  'os.id', 'os.version', 'os.pretty', 'os.kernel', 'os.arch', 'user', 'uid', 'groups', 'home', 'sudo',
  'docker.path', 'docker.client', 'docker.server.rc', 'docker.server', 'compose.rc', 'compose', 'containers', 'networks',
  'dc.path', 'dc.kind', 'dc.version', 'shim.exists', 'shim.sha256', 'listen', 'disk.kb',
  'du.exists', 'du.uid', 'du.home', 'du.groups', 'du.ak', 'du.keys', 'proxy.sha256', 'probe.done',
  'docker.sudo', 'group.docker', 'du.group', 'os.codename', 'os.dpkgarch', 'systemd', 'net.addrs', 'net.ssh', 'net.reserved',
]);

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The probe's output for `u`, or an ExecError when the script asks what the droplet cannot answer. */
export function probe(host: Host, u: VUser, script: string): string {
  const unknown = [...script.matchAll(/(?:^|[\s;])[pb] ([a-z][a-z0-9_.]*)(?=\s)/gm)].map((m) => m[1]!).filter((k) => !PROBE_KEYS.has(k));
  if (unknown.length) throw new ExecError(`sh: 1: the sandbox droplet cannot answer probe key(s) ${[...new Set(unknown)].join(', ')}`, 127);
  const du = /^DU=(\S+)$/m.exec(script)?.[1];
  const duName = du === undefined ? undefined : tokenize(du);
  if (!duName || duName.length !== 1) throw new ExecError('sh: 1: Syntax error: the probe names no deploy user (DU=...)', 2);
  const out: string[] = [];
  const p = (k: string, v: string | number) => out.push(`${k}=${v}`);
  const b = (k: string, v: string) => out.push(`${k}=${b64(v)}`);
  Object.entries(OS).forEach(([k, v]) => p(`os.${k}`, v));
  p('os.codename', 'noble');
  p('os.dpkgarch', 'amd64');
  p('systemd', 1);
  p('net.addrs', `${DROPLET_IP} 10.19.0.5 `);
  p('net.ssh', DROPLET_IP);
  p('user', u.name);
  p('uid', u.uid);
  p('groups', u.groups.join(' '));
  p('home', u.home);
  const sudoOk = u.uid !== 0 && u.sudo === 'passwordless';
  p('sudo', u.uid === 0 ? 'root' : sudoOk ? 'passwordless' : 'password');
  p('docker.path', '/usr/bin/docker');
  p('docker.client', `Docker version ${DOCKER_VERSION}, build ${DOCKER_BUILD}`);
  let daemonOk = true;
  try {
    dockerAccess(u, 'version');
    p('docker.server.rc', 0);
    b('docker.server', DOCKER_VERSION);
  } catch (e) {
    daemonOk = false;
    p('docker.server.rc', 1);
    b('docker.server', (e as Error).message);
  }
  p('compose.rc', 0);
  p('compose', COMPOSE_VERSION);
  if (daemonOk) {
    p('containers', runningNames(host.state).map((n) => `${n} `).join(''));
    p('networks', [...host.state.networks].sort().map((n) => `${n} `).join(''));
  }
  const shim = host.state.files.get(SHIM_PATH);
  p('dc.path', shim ? SHIM_PATH : '');
  if (shim) {
    if (shim.content.split('\n').includes(SHIM_MARKER)) p('dc.kind', 'ours');
    else p('dc.version', '');
    p('shim.exists', 1);
    p('shim.sha256', sha256(shim.content));
  }
  b('listen', '');
  p('disk.kb', DISK_FREE_KB);
  p('group.docker', 1);
  const d = host.user(duName[0]!);
  if (d) p('du.group', 1);
  if (!d) {
    p('du.exists', 0);
  } else {
    p('du.exists', 1);
    p('du.uid', d.uid);
    p('du.home', d.home);
    p('du.groups', d.groups.join(' '));
    const viaSudo = u.name !== d.name && sudoOk;
    if (u.name !== d.name && u.uid !== 0 && !viaSudo) p('du.ak', 'unreadable');
    else {
      const reader = viaSudo ? host.user('root')! : u;
      const ak = host.state.files.get(`${d.home}/.ssh/authorized_keys`);
      const keys = ak && host.canRead(reader, ak) ? ak.content : '';
      p('du.ak', 'readable');
      b('du.keys', lines(keys).filter((l) => l.includes('create-litestream-host')).join('\n'));
      const proxy = host.state.files.get(`${d.home}/.deploy/nginx-proxy/nginx-proxy-compose.yml`);
      p('proxy.sha256', proxy && host.canRead(reader, proxy) ? sha256(proxy.content) : '');
    }
  }
  p('probe.done', 1);
  return out.join('\n') + '\n';
}
