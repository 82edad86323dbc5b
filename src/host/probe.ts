import { isIP } from 'node:net';
import { printable, printableLine } from '../printable.js';
import { KEY_MARKER, PROXY_FILE, SHIM_MARKER, SHIM_PATH } from './layout.js';
import { quote, Script } from './shell.js';

/**
 * Everything the plan needs from the host, gathered by one script in one round trip.
 * The script prints `key=value` lines; values that may hold newlines are base64.
 */
export interface HostFacts {
  os: {
    id: string;
    version: string;
    pretty: string;
    kernel: string;
    arch: string;
    /** What Docker's apt repository calls this release (UBUNTU_CODENAME, else VERSION_CODENAME). */
    codename: string;
    /** `dpkg --print-architecture`; '' without dpkg. */
    dpkgArch: string;
  };
  /** The addresses the host answers on, for the DNS check before LetsEncrypt. */
  net: {
    /** Global addresses of its interfaces. */
    addresses: string[];
    /** The address this SSH connection reached (SSH_CONNECTION's third field). */
    sshServer: string | undefined;
    /** A DigitalOcean droplet's reserved IP (metadata service), which is not on any interface. */
    reservedIp: string | undefined;
  };
  /** systemctl is there to start the daemon with. */
  systemd: boolean;
  user: string;
  uid: number;
  groups: string[];
  home: string;
  sudo: 'root' | 'passwordless' | 'password' | 'none';
  docker: {
    path: string | undefined;
    clientVersion: string | undefined;
    /** undefined when the daemon did not answer; see daemonError. */
    serverVersion: string | undefined;
    daemonError: 'down' | 'permission' | 'other' | undefined;
    /** The login user has no socket access, but the daemon answered through sudo. */
    reachableWithSudo: boolean;
    /** The `docker` group exists (Docker's packages create it; snap's Docker does not). */
    groupExists: boolean;
    daemonMessage: string | undefined;
    composeVersion: string | undefined;
  };
  dockerCompose: {
    path: string | undefined;
    kind: 'absent' | 'ours' | 'v1' | 'v2' | 'other';
    version: string | undefined;
    /** sha256 of /usr/local/bin/docker-compose when it exists. */
    shimSha256: string | undefined;
    shimExists: boolean;
  };
  /** Listeners on 80/443 that are not our proxy, e.g. "nginx (pid 812)"; '' when held by an unknown process. */
  ports: { port: number; holder: string }[];
  diskFreeKb: number | undefined;
  containers: string[];
  networks: string[];
  deployUser: {
    name: string;
    exists: boolean;
    uid: number | undefined;
    home: string | undefined;
    groups: string[];
    /** Lines of its authorized_keys written by this program (matched by comment marker). */
    ourKeys: string[];
    authorizedKeysReadable: boolean;
    /** A group with the user's name exists (useradd must join it). */
    groupExists: boolean;
  };
  proxyFile: { sha256: string | undefined };
}


export interface ProbeOptions {
  deployUser: string;
}

/**
 * The probe runs as the login user; reading another user's files goes through `sudo -n`
 * only when that works without a password. Nothing here changes the host.
 */
export function probeScript(o: ProbeOptions): Script {
  const du = quote(o.deployUser);
  return new Script(`export LC_ALL=C
p() { printf '%s=%s\\n' "$1" "$2"; }
b() { printf '%s=' "$1"; printf '%s' "$2" | base64 | tr -d '\\n'; printf '\\n'; }
sh256() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }
if [ -r /etc/os-release ]; then . /etc/os-release; fi
p os.id "\${ID:-}"; p os.version "\${VERSION_ID:-}"; p os.pretty "\${PRETTY_NAME:-}"
p os.kernel "$(uname -s)"; p os.arch "$(uname -m)"
p os.codename "\${UBUNTU_CODENAME:-\${VERSION_CODENAME:-}}"; p os.dpkgarch "$(dpkg --print-architecture 2>/dev/null)"
if command -v systemctl >/dev/null 2>&1; then p systemd 1; fi
p net.addrs "$({ ip -o addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4 }'; } | tr '\n' ' ')"
p net.ssh "$(printf '%s' "\${SSH_CONNECTION:-}" | cut -d' ' -f3)"
# Only a droplet asks its metadata service: elsewhere the address would cost a timeout.
if [ "$(cat /sys/class/dmi/id/sys_vendor 2>/dev/null)" = DigitalOcean ] && command -v curl >/dev/null 2>&1; then
  p net.reserved "$(curl -fsS --connect-timeout 1 -m 2 http://169.254.169.254/metadata/v1/reserved_ip/ipv4_address 2>/dev/null | head -c 64)"
fi
p user "$(id -un)"; p uid "$(id -u)"; p groups "$(id -nG)"; p home "$HOME"
S=
if [ "$(id -u)" = 0 ]; then p sudo root
elif command -v sudo >/dev/null 2>&1; then
  if sudo -n true >/dev/null 2>&1; then p sudo passwordless; S='sudo -n'; else p sudo password; fi
else p sudo none; fi
D=$(command -v docker 2>/dev/null)
p docker.path "$D"
if [ -n "$D" ]; then
  p docker.client "$(docker --version 2>&1 | head -n1)"
  out=$(docker version --format '{{.Server.Version}}' 2>&1); rc=$?
  p docker.server.rc "$rc"; b docker.server "$(printf '%s' "$out" | head -c 2000)"
  out=$(docker compose version --short 2>&1); p compose.rc "$?"; p compose "$(printf '%s' "$out" | head -n1)"
  DK=docker
  if [ "$rc" != 0 ] && [ -n "$S" ] && $S docker version >/dev/null 2>&1; then DK="$S docker"; p docker.sudo 1; fi
  if [ "$rc" = 0 ] || [ "$DK" != docker ]; then
    p containers "$($DK ps --format '{{.Names}}' 2>/dev/null | tr '\\n' ' ')"
    p networks "$($DK network ls --format '{{.Name}}' 2>/dev/null | tr '\\n' ' ')"
  fi
fi
DC=$(command -v docker-compose 2>/dev/null)
p dc.path "$DC"
if [ -n "$DC" ]; then
  if grep -qxF ${quote(SHIM_MARKER)} "$DC" 2>/dev/null; then p dc.kind ours
  else p dc.version "$("$DC" version --short 2>&1 | head -n1)"; fi
fi
if [ -e ${SHIM_PATH} ]; then p shim.exists 1; p shim.sha256 "$(sh256 ${SHIM_PATH})"; fi
if command -v ss >/dev/null 2>&1; then
  b listen "$($S ss -Hltnp 2>/dev/null | awk '$4 ~ /:(80|443)$/')"
fi
p disk.kb "$(df -Pk "$HOME" 2>/dev/null | awk 'NR==2 {print $4}')"
if getent group docker >/dev/null 2>&1; then p group.docker 1; fi
DU=${du}
if getent group "$DU" >/dev/null 2>&1; then p du.group 1; fi
if id "$DU" >/dev/null 2>&1; then
  DH=$(getent passwd "$DU" | cut -d: -f6)
  p du.exists 1; p du.uid "$(id -u "$DU")"; p du.home "$DH"; p du.groups "$(id -nG "$DU")"
  R=; [ "$(id -un)" = "$DU" ] || R=$S
  AK="$DH/.ssh/authorized_keys"
  if [ -z "$R" ] && [ "$(id -un)" != "$DU" ] && [ "$(id -u)" != 0 ]; then p du.ak unreadable
  else
    keys=$($R cat "$AK" 2>/dev/null); p du.ak readable
    b du.keys "$(printf '%s\\n' "$keys" | grep -F ${quote(KEY_MARKER)})"
    p proxy.sha256 "$($R sha256sum "$DH/${PROXY_FILE}" 2>/dev/null | cut -d' ' -f1)"
  fi
else p du.exists 0; fi
p probe.done 1
`);
}

// Host text is untrusted (an os-release can carry escape sequences): printable from here on.
const fromB64 = (s: string | undefined): string => (s ? printable(Buffer.from(s, 'base64').toString('utf8')) : '');
const words = (s: string | undefined): string[] => (s ?? '').split(/\s+/).filter(Boolean);
const num = (s: string | undefined): number | undefined => (s && /^\d+$/.test(s) ? Number(s) : undefined);

export class ProbeError extends Error {}

function classifyDaemon(rc: string | undefined, out: string): HostFacts['docker']['daemonError'] {
  if (rc === '0') return undefined;
  if (/permission denied/i.test(out)) return 'permission';
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|connection refused|no such file or directory/i.test(out)) return 'down';
  return 'other';
}

function parseListeners(text: string): HostFacts['ports'] {
  const out: HostFacts['ports'] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    const cols = line.trim().split(/\s+/);
    const port = Number(/:(\d+)$/.exec(cols[3] ?? '')?.[1]);
    if (port !== 80 && port !== 443) continue;
    const proc = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    const holder = proc ? `${proc[1]} (pid ${proc[2]})` : '';
    if (!out.some((o) => o.port === port)) out.push({ port, holder });
  }
  return out;
}

export function parseFacts(stdout: string, deployUser: string): HostFacts {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), printableLine(line.slice(i + 1)));
  }
  if (kv.get('probe.done') !== '1') throw new ProbeError('the host inspection did not finish (is /bin/sh a POSIX shell?)');
  const g = (k: string) => kv.get(k) || undefined;
  const serverOut = fromB64(g('docker.server'));
  const daemonError = g('docker.path') ? classifyDaemon(g('docker.server.rc'), serverOut) : undefined;
  const composeOk = g('compose.rc') === '0' && /^v?\d+\.\d+/.test(g('compose') ?? '');
  const dcVersion = g('dc.version');
  const dcKind: HostFacts['dockerCompose']['kind'] = !g('dc.path')
    ? 'absent'
    : g('dc.kind') === 'ours'
      ? 'ours'
      : /^v?1\./.test(dcVersion ?? '')
        ? 'v1'
        : /^v?2\./.test(dcVersion ?? '')
          ? 'v2'
          : 'other';
  const sudo = g('sudo');
  return {
    os: {
      id: g('os.id') ?? '',
      version: g('os.version') ?? '',
      pretty: g('os.pretty') ?? '',
      kernel: g('os.kernel') ?? '',
      arch: g('os.arch') ?? '',
      codename: /^[a-z0-9-]+$/.test(g('os.codename') ?? '') ? g('os.codename')! : '',
      dpkgArch: /^[a-z0-9-]+$/.test(g('os.dpkgarch') ?? '') ? g('os.dpkgarch')! : '',
    },
    net: {
      addresses: words(g('net.addrs')).filter((a) => isIP(a)),
      sshServer: isIP(g('net.ssh') ?? '') ? g('net.ssh') : undefined,
      reservedIp: isIP(g('net.reserved') ?? '') === 4 ? g('net.reserved') : undefined,
    },
    systemd: g('systemd') === '1',
    user: g('user') ?? '',
    uid: num(g('uid')) ?? -1,
    groups: words(g('groups')),
    home: g('home') ?? '',
    sudo: sudo === 'root' || sudo === 'passwordless' || sudo === 'password' ? sudo : 'none',
    docker: {
      path: g('docker.path'),
      clientVersion: /Docker version ([^,\s]+)/.exec(g('docker.client') ?? '')?.[1],
      serverVersion: daemonError || !g('docker.path') ? undefined : serverOut.trim() || undefined,
      daemonError,
      daemonMessage: daemonError ? serverOut.trim().split('\n')[0] : undefined,
      composeVersion: composeOk ? g('compose')!.replace(/^v/, '') : undefined,
      reachableWithSudo: g('docker.sudo') === '1',
      groupExists: g('group.docker') === '1',
    },
    dockerCompose: {
      path: g('dc.path'),
      kind: dcKind,
      version: dcVersion,
      shimSha256: g('shim.sha256'),
      shimExists: g('shim.exists') === '1',
    },
    ports: parseListeners(fromB64(g('listen'))),
    diskFreeKb: num(g('disk.kb')),
    containers: words(g('containers')),
    networks: words(g('networks')),
    deployUser: {
      name: deployUser,
      exists: g('du.exists') === '1',
      uid: num(g('du.uid')),
      home: g('du.home'),
      groups: words(g('du.groups')),
      ourKeys: fromB64(g('du.keys')).split('\n').map((l) => l.trim()).filter(Boolean),
      authorizedKeysReadable: g('du.ak') === 'readable',
      groupExists: g('du.group') === '1',
    },
    proxyFile: { sha256: g('proxy.sha256') },
  };
}
