// A real OpenSSH sshd test host on 127.0.0.1, isolated in a private mount namespace.
//
// startSshd() creates a temp dir DIR and starts `/usr/sbin/sshd -D` inside
// `unshare -m -p --fork --kill-child --mount-proc --propagation private`: a private mount
// namespace, plus a PID namespace whose init is sshd (orphans are reaped; stopping sshd
// kills everything inside). Before exec'ing sshd, the namespace gets:
//   /etc             <- bind mount of DIR/etc (a `cp -a` copy of the real /etc, on a tmpfs
//                       mounted at DIR/etc inside the namespace only)
//   /home            <- tmpfs          (users' homes)
//   /usr/local/bin   <- tmpfs          (fake docker / docker-compose live here)
//   /run, /var/log   <- tmpfs          (/run/sshd, sudo timestamps, wtmp/lastlog)
//   /run/fake-docker <- bind mount of DIR/state (fake docker's state and call log)
// Users (created inside, so only the private /etc copy changes): `tester` (passwordless
// sudo, group docker), `nosudo` (no sudo rights), `pwsudo` (sudo with a password). All
// three accept the same login keys (ed25519, encrypted ed25519, rsa, ecdsa).
//
// Nothing on the real /etc, /home, /usr/local/bin, /run or /var/log is changed. Real
// `docker`/`docker-compose` binaries outside /usr/local/bin (e.g. /usr/bin/docker on CI
// runners) are covered by bind mounts inside the namespace, so they are never run.
//
// Requires root, util-linux (unshare, nsenter, mount), openssh-server, openssh-client,
// passwd (useradd), sudo. Use sshdAvailable() to skip locally; with CI set startSshd()
// throws instead.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec as procExec } from './proc.js';

export type DockerScenario = 'ok' | 'missing' | 'compose-v1' | 'daemon-down' | 'no-permission';
export const DOCKER_SCENARIOS: readonly DockerScenario[] = ['ok', 'missing', 'compose-v1', 'daemon-down', 'no-permission'];

export interface StartOptions {
  /** Fake docker scenario at start, default 'ok'. */
  scenario?: DockerScenario;
  /** Milliseconds to wait for sshd to listen, default 15000. */
  startTimeoutMs?: number;
  /** Also serve an SFTP-only storage account that logs in with a password (see SftpStorageOptions). */
  sftpStorage?: SftpStorageOptions;
}

/**
 * An SFTP storage account on the test host, as SFTP providers set them up: password login for
 * this user only (a `Match User` block; everyone else stays pubkey-only), `ForceCommand
 * internal-sftp`, `ChrootDirectory` at the account's root. The root is root-owned (sshd
 * requires it), so the account can write only inside `dirs`.
 */
export interface SftpStorageOptions {
  /** Login name, default 'storage'. */
  user?: string;
  /** The password (any characters except newline and NUL). */
  password: string;
  /** Directories created in the account's root and owned by the account, e.g. ['MyApp.sqlite']. */
  dirs?: string[];
}

export interface SftpAccount {
  user: string;
  password: string;
  uid: number;
  gid: number;
  /** The account's root (what it sees as `/`) as seen from outside: DIR/sftp. */
  root: string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SshOptions {
  /** Private key file, default loginKey. */
  key?: string;
  /** Login user, default 'tester'. */
  user?: string;
  /** Use this ssh-agent socket (IdentityAgent) instead of none, e.g. for loginKeyEncrypted. */
  agentSocket?: string;
  /** Written to ssh's stdin, then stdin is closed. */
  input?: string;
  /** Kill the client after this many ms, default 30000. */
  timeoutMs?: number;
  /** Extra `-o` options, e.g. ['ServerAliveInterval=1']. */
  options?: string[];
}

export interface DockerCall {
  uid: number;
  user: string;
  /** argv, argv[0] is the program's basename: 'docker' or 'docker-compose'. */
  argv: string[];
}

export interface TestHost {
  host: '127.0.0.1';
  port: number;
  /** Login user 'tester' (uid >= 1000), passwordless sudo, in group docker unless scenario no-permission. */
  user: string;
  /** tester's ed25519 private key (no passphrase). */
  loginKey: string;
  /** ed25519 private key with passphrase `passphrase`, authorized too. */
  loginKeyEncrypted: string;
  loginKeyRsa: string;
  loginKeyEcdsa: string;
  passphrase: string;
  /** "[127.0.0.1]:PORT ssh-ed25519 AAAA..." for the host's ed25519 key. */
  knownHostsLine: string;
  /** "SHA256:..." of the host's ed25519 key, as `ssh-keygen -l` prints it. */
  hostKeyFingerprint: string;
  /** The temp dir holding everything. */
  dir: string;

  // ---- extras
  /** A known_hosts file holding knownHostsLine only. */
  knownHostsFile: string;
  /** The ed25519 host public key, "ssh-ed25519 AAAA..." (no comment). */
  hostPublicKey: string;
  /** All host keys: type, "TYPE BASE64" public key, SHA256 fingerprint. */
  hostKeys: { type: 'ed25519' | 'rsa' | 'ecdsa'; publicKey: string; fingerprint: string }[];
  /** The user with no sudo rights, 'nosudo'. */
  noSudoUser: string;
  /** The user whose sudo needs a password, 'pwsudo'. */
  pwSudoUser: string;
  /** pwsudo's login password (for `sudo -S`; ssh password login is disabled). */
  pwSudoPassword: string;
  /** PID of the sshd listener. */
  sshdPid: number;
  /** sshd's log file (LogLevel VERBOSE). */
  logFile: string;
  /** Fake docker state dir as seen from outside the namespace (DIR/state); inside it is /run/fake-docker. */
  dockerStateDir: string;
  /** The SFTP storage account, when started with `sftpStorage`. */
  sftp?: SftpAccount;

  /** Runs `sh -c script` as root inside the host's mount namespace. */
  run(script: string, opts?: { input?: string; timeoutMs?: number }): Promise<ExecResult>;
  setScenario(s: DockerScenario): Promise<void>;
  scenario(): DockerScenario;
  /** Every argv the fake docker/docker-compose received, in order; argv[0] is 'docker' or 'docker-compose'. */
  dockerCalls(): Promise<string[][]>;
  /** Same as dockerCalls() with the calling uid and user name. */
  dockerCallLog(): Promise<DockerCall[]>;
  /** Forget the calls logged so far. */
  clearDockerCalls(): Promise<void>;
  /** Calls of the apt-get, curl and systemctl stand-ins (fake-apt.sh): `UID PROGRAM ARGS`, and `locked` for each refusal on the lock. */
  aptLog(): Promise<string[]>;
  /** dpkg's lock is held (by "unattended-upgr") for this many seconds from the next apt-get call; 0 lets it go. */
  holdAptLock(seconds: number): Promise<void>;
  /** Runs the real /usr/bin/ssh against this host (BatchMode, IdentitiesOnly, strict known_hosts). */
  ssh(args: string[], opts?: SshOptions): Promise<ExecResult>;
  /** The argv for the real ssh client, e.g. to spawn() a long-running session yourself. */
  sshArgv(args: string[], opts?: Omit<SshOptions, 'input' | 'timeoutMs'>): string[];
  /** Kills every per-connection sshd process (and their sessions); the listener stays up. */
  dropConnections(): Promise<void>;
  /**
   * SIGSTOPs every per-connection sshd process and session: open connections stay open but
   * nothing answers on them (a host that hung, or a network that drops every packet). New
   * connections are served. Returns how many processes were stopped.
   */
  freezeConnections(): Promise<number>;
  /** SIGCONTs what freezeConnections() stopped. */
  thawConnections(): Promise<void>;
  /**
   * Gives the host a new ed25519 host key, as a rebuilt host has: connections made from now
   * on show it, open ones keep theirs. knownHostsLine, knownHostsFile, hostPublicKey,
   * hostKeyFingerprint and hostKeys follow; a known_hosts file of your own does not.
   */
  replaceHostKey(): Promise<{ publicKey: string; fingerprint: string }>;
  /** sshd's log so far. */
  readLog(): Promise<string>;
  /** PIDs of every live process belonging to this host: sshd, its children, anything in its namespace. */
  processes(): number[];
  /** Stops everything (by PID), removes dir. Idempotent. */
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const SSH = '/usr/bin/ssh';
const PASSPHRASE = 'passphrase';
const PWSUDO_PASSWORD = 'pwsudo-Secret-42';
const STATE_IN_NS = '/run/fake-docker';
const HERE = dirname(fileURLToPath(import.meta.url));
const FAKE_DOCKER = join(HERE, 'fake-docker.sh');
const FAKE_APT = join(HERE, 'fake-apt.sh');
const FAKE_LITESTREAM_RUN = join(HERE, 'fake-litestream-run.sh');

function which(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (d && existsSync(join(d, cmd))) return join(d, cmd);
  }
  return null;
}

function missingRequirements(): string[] {
  const missing: string[] = [];
  if (process.platform !== 'linux') missing.push('Linux');
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) missing.push('root (uid 0)');
  if (!existsSync(SSHD)) missing.push(`${SSHD} (apt-get install openssh-server)`);
  if (!existsSync(SSH)) missing.push(`${SSH} (apt-get install openssh-client)`);
  for (const c of ['ssh-keygen', 'unshare', 'nsenter', 'mount', 'useradd', 'usermod', 'chpasswd', 'sudo']) {
    if (!which(c)) missing.push(c);
  }
  return missing;
}

/** True when this machine can run the sshd harness (root, sshd, util-linux, sudo...). */
export function sshdAvailable(): boolean {
  return missingRequirements().length === 0;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs cmd to completion (proc.ts: dies with this process, never throws for a non-zero exit). */
const exec = (cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> => procExec([cmd, ...args], opts);

async function mustExec(cmd: string, args: string[], what: string): Promise<ExecResult> {
  const r = await exec(cmd, args);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr || r.stdout}`);
  return r;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** True when a socket listens on 127.0.0.1:port (read from /proc/net/tcp; no connection is made). */
async function isListening(port: number): Promise<boolean> {
  try {
    const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    const text = await readFile('/proc/net/tcp', 'utf8');
    return text.split('\n').some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === want && f[3] === '0A';
    });
  } catch {
    return new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
  }
}

// ---------------------------------------------------------------- /proc helpers (sync, usable from 'exit')
function pids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

function procStat(pid: number): { ppid: number; state: string } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  const st = procStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}

function mountNs(pid: number | 'self'): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of pids()) {
    const st = procStat(pid);
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(pid);
    children.set(st.ppid, list);
  }
  const out: number[] = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * Every live process in the given mount namespace (never our own namespace), as long as
 * one of `holders` (the host's sshd or unshare) is still in it. The kernel hands a freed
 * namespace's id to the next namespace made anywhere on the machine (ids are reused at
 * once), so once ours is gone the same id may name another host's, in this process or
 * another: sweeping by id then SIGKILLs someone else's sshd during its start.
 */
function processesInNs(ns: string | null, holders: number[]): number[] {
  if (!ns || ns === mountNs('self')) return [];
  if (!holders.some((p) => alive(p) && mountNs(p) === ns)) return [];
  return pids().filter((p) => p !== process.pid && mountNs(p) === ns && alive(p));
}

function killAll(list: number[], sig: NodeJS.Signals): void {
  for (const p of list) {
    try {
      process.kill(p, sig);
    } catch {
      /* gone already */
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(list: number[], ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!list.some(alive)) return true;
    await sleep(20);
  }
  return !list.some(alive);
}

// ---------------------------------------------------------------- safety net
interface LiveHost {
  pid: number;
  wrapperPid: number;
  ns: string | null;
  dir: string;
}
const live = new Set<LiveHost>();
let hooksInstalled = false;

function emergencyCleanup(): void {
  for (const h of live) {
    // Kill sshd (the PID namespace's init: the kernel then kills the rest inside) and give
    // unshare a moment to reap it, so at most unshare itself is left for init to reap.
    // (unshare itself is in the new mount namespace too: spare it, it reaps sshd.)
    killAll([h.pid, ...processesInNs(h.ns, [h.pid, h.wrapperPid]), ...descendants(h.wrapperPid)].filter((p) => p !== h.wrapperPid), 'SIGKILL');
    const until = Date.now() + 500;
    const tick = new Int32Array(new SharedArrayBuffer(4));
    while (h.pid !== h.wrapperPid && existsSync(`/proc/${h.pid}`) && Date.now() < until) Atomics.wait(tick, 0, 0, 5);
    killAll([h.wrapperPid], 'SIGKILL');
    try {
      rmSync(h.dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  live.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', emergencyCleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      emergencyCleanup();
      process.removeListener(sig, handler);
      // Re-raise so the default behaviour (or other handlers) still apply.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

// ---------------------------------------------------------------- scripts run inside the namespace
function setupScript(dir: string, scenario: DockerScenario, sftp?: Required<SftpStorageOptions>): string {
  const D = q(dir);
  return `#!/bin/sh
# Runs inside 'unshare -m --propagation private'; the last line execs sshd.
set -eu
D=${D}
mount --make-rprivate / 2>/dev/null || true
# The private /etc: a copy of the real one on a tmpfs mounted at DIR/etc (a copy on disk
# can take a second here; on tmpfs it takes ~30 ms), bind-mounted over /etc as a whole so
# useradd can rename files inside it.
mkdir -p "$D/etc"
mount -t tmpfs -o mode=755 harness-etc "$D/etc"
cp -a /etc/. "$D/etc/" 2>/dev/null || true
[ -f "$D/etc/passwd" ] || { echo "harness: copying /etc failed" >&2; exit 1; }
mount --bind "$D/etc" /etc
mount -t tmpfs -o mode=755 harness-home /home
mount -t tmpfs -o mode=755 harness-bin /usr/local/bin
mount -t tmpfs -o mode=755 harness-run /run
mkdir -p /run/sshd /run/lock
chmod 755 /run/sshd
mount -t tmpfs -o mode=755 harness-log /var/log
: > /var/log/wtmp; : > /var/log/btmp; : > /var/log/lastlog
mkdir -p ${STATE_IN_NS}
mount --bind "$D/state" ${STATE_IN_NS}

# Real docker binaries outside /usr/local/bin: covered by bind mounts (see apply-scenario.sh).
: > ${STATE_IN_NS}/shadowed
for d in /usr/local/sbin /usr/sbin /usr/bin /sbin /bin /usr/games /usr/local/games; do
  for n in docker docker-compose; do
    if [ -e "$d/$n" ] || [ -L "$d/$n" ]; then
      p=$(readlink -f "$d/$n" 2>/dev/null || echo "$d/$n")
      [ -f "$p" ] || continue
      grep -qxF "$p" ${STATE_IN_NS}/shadowed || printf '%s\\n' "$p" >> ${STATE_IN_NS}/shadowed
    fi
  done
done

h=$(hostname 2>/dev/null || echo localhost)
getent hosts "$h" >/dev/null 2>&1 || printf '127.0.1.1\\t%s\\n' "$h" >> /etc/hosts

getent group docker >/dev/null 2>&1 || groupadd docker
mkuser() {
  if id "$1" >/dev/null 2>&1; then
    usermod -d "/home/$1" -s /bin/bash "$1"
    mkdir -p "/home/$1"
    cp -a /etc/skel/. "/home/$1/" 2>/dev/null || true
  else
    useradd -m -s /bin/bash "$1"
  fi
  chmod 755 "/home/$1"
  mkdir -p "/home/$1/.ssh"
  cp "$D/authorized_keys" "/home/$1/.ssh/authorized_keys"
  chmod 700 "/home/$1/.ssh"
  chmod 600 "/home/$1/.ssh/authorized_keys"
  chown -R "$1:$(id -gn "$1")" "/home/$1"
}
for u in tester nosudo pwsudo; do mkuser "$u"; done
usermod -p '*' tester
usermod -p '*' nosudo
printf '%s\\n' ${q(`pwsudo:${PWSUDO_PASSWORD}`)} | chpasswd
for u in nosudo pwsudo; do gpasswd -d "$u" docker >/dev/null 2>&1 || true; done
mkdir -p /etc/sudoers.d
printf 'tester ALL=(ALL) NOPASSWD:ALL\\n' > /etc/sudoers.d/90-harness-tester
printf 'pwsudo ALL=(ALL) ALL\\n' > /etc/sudoers.d/90-harness-pwsudo
chmod 440 /etc/sudoers.d/90-harness-tester /etc/sudoers.d/90-harness-pwsudo

# apt-get, curl and systemctl: scripted stand-ins (fake-apt.sh) that install the fake docker.
for n in apt-get curl systemctl; do cp ${STATE_IN_NS}/apt.sh "/usr/local/bin/$n"; chmod 755 "/usr/local/bin/$n"; done

${sftp ? sftpSetup(sftp) : ''}sh "$D/apply-scenario.sh" ${q(scenario)}
exec ${SSHD} -D -f "$D/sshd_config" -E "$D/sshd.log"
`;
}

function applyScenarioScript(): string {
  return `#!/bin/sh
# apply-scenario.sh SCENARIO: run as root inside the namespace.
set -eu
SC=$1
S=${STATE_IN_NS}
case "$SC" in ok|missing|compose-v1|daemon-down|no-permission) ;; *) echo "unknown scenario $SC" >&2; exit 2 ;; esac
printf '%s\\n' "$SC" > "$S/scenario"
if [ "$SC" = missing ]; then
  rm -f /usr/local/bin/docker
else
  cp "$S/docker.sh" /usr/local/bin/docker.tmp && chmod 755 /usr/local/bin/docker.tmp && mv -f /usr/local/bin/docker.tmp /usr/local/bin/docker
fi
if [ "$SC" = compose-v1 ]; then
  cp "$S/docker.sh" /usr/local/bin/docker-compose.tmp && chmod 755 /usr/local/bin/docker-compose.tmp && mv -f /usr/local/bin/docker-compose.tmp /usr/local/bin/docker-compose
elif [ -f /usr/local/bin/docker-compose ] && grep -q FAKE-DOCKER-MARKER /usr/local/bin/docker-compose; then
  rm -f /usr/local/bin/docker-compose
fi
# Real binaries elsewhere on PATH: the fake when the scenario has one, else /dev/null
# (not a regular file, so 'command -v' and 'which' do not find it).
while read -r p; do
  [ -n "$p" ] || continue
  while umount "$p" 2>/dev/null; do :; done
  case "\${p##*/}:$SC" in
    docker:missing) mount --bind /dev/null "$p" ;;
    docker:*) mount --bind "$S/docker.sh" "$p" ;;
    docker-compose:compose-v1) mount --bind "$S/docker.sh" "$p" ;;
    *) mount --bind /dev/null "$p" ;;
  esac
done < "$S/shadowed"
if [ "$SC" = no-permission ]; then
  gpasswd -d tester docker >/dev/null 2>&1 || true
else
  usermod -aG docker tester
fi
`;
}

// The SFTP storage account: chroot at /home/USER (a bind mount of DIR/sftp, root-owned), its
// writable dirs inside, password set in the private /etc/shadow.
function sftpSetup(s: Required<SftpStorageOptions>): string {
  const u = q(s.user);
  return `# SFTP storage account
NOLOGIN=$(command -v nologin || echo /bin/false)
useradd -M -d / -s "$NOLOGIN" ${u}
printf '%s\\n' ${q(`${s.user}:${s.password}`)} | chpasswd
mkdir -p /home/${u}
mount --bind "$D/sftp" /home/${u}
chown root:root /home/${u}
chmod 755 /home/${u}
${s.dirs.map((d) => `mkdir -p /home/${u}/${q(d)} && chown ${u}:"$(id -gn ${u})" /home/${u}/${q(d)}`).join('\n')}
`;
}

function sshdConfig(dir: string, port: number, sftpUser?: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    'AddressFamily inet',
    `HostKey ${dir}/ssh_host_ed25519_key`,
    `HostKey ${dir}/ssh_host_ecdsa_key`,
    `HostKey ${dir}/ssh_host_rsa_key`,
    `PidFile ${dir}/sshd.pid`,
    'UsePAM no',
    'StrictModes yes',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    'AuthorizedKeysFile .ssh/authorized_keys',
    'Subsystem sftp internal-sftp',
    'LogLevel VERBOSE',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    ...(sftpUser
      ? [
          `Match User ${sftpUser}`,
          '    PasswordAuthentication yes',
          `    ChrootDirectory /home/${sftpUser}`,
          '    ForceCommand internal-sftp',
          '    AllowTcpForwarding no',
          '    PermitTTY no',
        ]
      : []),
    '',
  ].join('\n');
}

function parseCallLog(text: string): DockerCall[] {
  const calls: DockerCall[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [uid, user, hex = ''] = line.split(' ');
    const bytes = Buffer.from(hex, 'hex');
    const argv: string[] = [];
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) {
        argv.push(bytes.subarray(start, i).toString('utf8'));
        start = i + 1;
      }
    }
    calls.push({ uid: Number(uid), user: user ?? '?', argv });
  }
  return calls;
}

// ---------------------------------------------------------------- startSshd
export async function startSshd(opts: StartOptions = {}): Promise<TestHost> {
  const missing = missingRequirements();
  if (missing.length) {
    const msg = `sshd test harness cannot run here; missing: ${missing.join(', ')}`;
    throw new Error(process.env.CI ? `${msg} (CI is set: this is a failure, install them in the CI job)` : msg);
  }
  let scenario: DockerScenario = opts.scenario ?? 'ok';
  if (!DOCKER_SCENARIOS.includes(scenario)) throw new Error(`unknown docker scenario ${scenario}`);
  const sftp = opts.sftpStorage ? { user: opts.sftpStorage.user ?? 'storage', password: opts.sftpStorage.password, dirs: opts.sftpStorage.dirs ?? [] } : undefined;
  if (sftp) {
    if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(sftp.user) || ['tester', 'nosudo', 'pwsudo', 'root'].includes(sftp.user)) throw new Error(`sftpStorage.user: bad or taken name ${sftp.user}`);
    if (!sftp.password || /[\n\0]/.test(sftp.password)) throw new Error('sftpStorage.password: empty, or has a newline or NUL');
    for (const d of sftp.dirs) if (!d || d.split('/').some((c) => c === '' || c === '.' || c === '..')) throw new Error(`sftpStorage.dirs: bad path ${d}`);
  }
  installHooks();

  const dir = await mkdtemp(join(tmpdir(), 'litestream-sshd-'));
  try {
    return await startIn(dir, scenario, opts.startTimeoutMs ?? 15_000);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  async function startIn(dir: string, initial: DockerScenario, timeoutMs: number): Promise<TestHost> {
    const stateDir = join(dir, 'state');
    await mkdir(stateDir, { mode: 0o777 });
    await chmod(stateDir, 0o777);
    const fake = await readFile(FAKE_DOCKER, 'utf8');
    await writeFile(join(stateDir, 'docker.sh'), fake, { mode: 0o755 });
    await writeFile(join(stateDir, 'litestream-run.sh'), await readFile(FAKE_LITESTREAM_RUN, 'utf8'), { mode: 0o755 });
    await writeFile(join(stateDir, 'apt.sh'), await readFile(FAKE_APT, 'utf8'), { mode: 0o755 });
    for (const f of ['calls.log', 'containers', 'networks', 'lock', 'apt.log']) {
      await writeFile(join(stateDir, f), '', { mode: 0o666 });
      await chmod(join(stateDir, f), 0o666);
    }
    await writeFile(join(stateDir, 'scenario'), `${initial}\n`, { mode: 0o644 });

    // Keys, in parallel.
    const keygen = (file: string, type: string, bits?: number, pass = '') =>
      mustExec('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', pass, '-C', `harness-${type}`, '-f', join(dir, file)], `ssh-keygen ${file}`);
    await Promise.all([
      keygen('ssh_host_ed25519_key', 'ed25519'),
      keygen('ssh_host_ecdsa_key', 'ecdsa', 256),
      keygen('ssh_host_rsa_key', 'rsa', 2048),
      keygen('id_ed25519', 'ed25519'),
      keygen('id_ed25519_encrypted', 'ed25519', undefined, PASSPHRASE),
      keygen('id_rsa', 'rsa', 2048),
      keygen('id_ecdsa', 'ecdsa', 256),
    ]);
    const pub = async (f: string) => (await readFile(join(dir, `${f}.pub`), 'utf8')).trim();
    const authorized = await Promise.all(['id_ed25519', 'id_ed25519_encrypted', 'id_rsa', 'id_ecdsa'].map(pub));
    await writeFile(join(dir, 'authorized_keys'), authorized.join('\n') + '\n', { mode: 0o644 });

    const hostKeys = await Promise.all(
      (['ed25519', 'rsa', 'ecdsa'] as const).map(async (type) => {
        const [alg = '', b64 = ''] = (await pub(`ssh_host_${type}_key`)).split(/\s+/);
        const fp = (await mustExec('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, `ssh_host_${type}_key.pub`)], 'ssh-keygen -l')).stdout;
        const fingerprint = fp.split(/\s+/)[1] ?? '';
        return { type, publicKey: `${alg} ${b64}`, fingerprint };
      }),
    );
    const ed = hostKeys[0]!;

    await writeFile(join(dir, 'apply-scenario.sh'), applyScenarioScript(), { mode: 0o755 });
    if (sftp) await mkdir(join(dir, 'sftp'), { mode: 0o755 });
    await writeFile(join(dir, 'setup.sh'), setupScript(dir, initial, sftp), { mode: 0o755 });

    // Start sshd; retry on the (rare) lost race for the free port.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      await writeFile(join(dir, 'sshd_config'), sshdConfig(dir, port, sftp?.user), { mode: 0o644 });
      try {
        return await launch(port);
      } catch (e) {
        lastError = e;
        const log = await readFile(join(dir, 'sshd.log'), 'utf8').catch(() => '');
        if (!/Address already in use|Cannot bind any address/.test(log)) throw e;
        await rm(join(dir, 'sshd.log'), { force: true });
      }
    }
    throw lastError;

    async function launch(port: number): Promise<TestHost> {
      // A private mount namespace, and a PID namespace whose init (PID 1) is sshd itself:
      // orphaned session processes are reaped by sshd, and when sshd dies the kernel kills
      // everything left inside. --kill-child: unshare's death kills sshd; setpriv
      // --pdeathsig: this node process's death kills unshare. So nothing outlives us.
      const base = ['unshare', '-m', '-p', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', '--', 'sh', join(dir, 'setup.sh')];
      const argv = which('setpriv') ? ['setpriv', '--pdeathsig', 'SIGKILL', '--', ...base] : base;
      const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { cwd: '/', stdio: ['ignore', 'ignore', 'pipe'], detached: false });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        stderr = (stderr + d).slice(-20_000);
      });
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.unref();
      (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
      const wrapperPid = child.pid;
      if (!wrapperPid) throw new Error(`could not spawn ${argv.join(' ')}`);
      const entry: LiveHost = { pid: wrapperPid, wrapperPid, ns: null, dir };
      live.add(entry);

      const readLog = () => readFile(join(dir, 'sshd.log'), 'utf8').catch(() => '');
      const deadline = Date.now() + timeoutMs;
      let pid = 0; // sshd, as seen from our PID namespace: unshare's only child
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) {
          live.delete(entry);
          throw new Error(`sshd exited during start (code ${child.exitCode}, signal ${child.signalCode})\nstderr:\n${stderr}\nsshd.log:\n${await readLog()}`);
        }
        if (!pid) pid = descendants(wrapperPid).find((p) => procStat(p)?.ppid === wrapperPid) ?? 0;
        if (pid) entry.pid = pid;
        if (pid && (await isListening(port))) break;
        if (Date.now() > deadline) {
          killAll([...descendants(wrapperPid), wrapperPid], 'SIGKILL');
          live.delete(entry);
          throw new Error(`sshd did not listen on 127.0.0.1:${port} within ${timeoutMs} ms\nstderr:\n${stderr}\nsshd.log:\n${await readLog()}`);
        }
        await sleep(15);
      }
      const ns = mountNs(pid);
      if (!ns || ns === mountNs('self')) {
        killAll([pid, wrapperPid], 'SIGKILL');
        live.delete(entry);
        throw new Error('sshd is not in a private mount namespace');
      }
      entry.ns = ns;

      const knownHostsLine = `[127.0.0.1]:${port} ${ed.publicKey}`;
      const knownHostsFile = join(dir, 'known_hosts');
      await writeFile(knownHostsFile, knownHostsLine + '\n', { mode: 0o644 });

      let stopped = false;
      const frozen: number[] = [];
      const run = async (script: string, o: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> => {
        if (stopped || !alive(pid)) throw new Error('test host is stopped');
        // -p too: /proc inside is the namespace's own, where an outside process has no /proc/self.
        return exec('nsenter', ['-t', String(pid), '-m', '-p', '--', 'sh', '-c', script], o);
      };

      const sshArgv = (args: string[], o: Omit<SshOptions, 'input' | 'timeoutMs'> = {}): string[] => [
        '-F', '/dev/null',
        '-p', String(port),
        '-i', o.key ?? join(dir, 'id_ed25519'),
        '-o', 'BatchMode=yes',
        '-o', 'IdentitiesOnly=yes',
        '-o', `IdentityAgent=${o.agentSocket ?? 'none'}`,
        '-o', `UserKnownHostsFile=${knownHostsFile}`,
        '-o', 'GlobalKnownHostsFile=/dev/null',
        '-o', 'StrictHostKeyChecking=yes',
        '-o', 'PasswordAuthentication=no',
        '-o', 'ConnectTimeout=10',
        '-o', 'LogLevel=ERROR',
        ...(o.options ?? []).flatMap((x) => ['-o', x]),
        '-l', o.user ?? 'tester',
        '127.0.0.1',
        ...(args.length ? ['--', ...args] : []),
      ];

      const host: TestHost = {
        host: '127.0.0.1',
        port,
        user: 'tester',
        loginKey: join(dir, 'id_ed25519'),
        loginKeyEncrypted: join(dir, 'id_ed25519_encrypted'),
        loginKeyRsa: join(dir, 'id_rsa'),
        loginKeyEcdsa: join(dir, 'id_ecdsa'),
        passphrase: PASSPHRASE,
        knownHostsLine,
        hostKeyFingerprint: ed.fingerprint,
        dir,
        knownHostsFile,
        hostPublicKey: ed.publicKey,
        hostKeys,
        noSudoUser: 'nosudo',
        pwSudoUser: 'pwsudo',
        pwSudoPassword: PWSUDO_PASSWORD,
        sshdPid: pid,
        logFile: join(dir, 'sshd.log'),
        dockerStateDir: stateDir,
        run,
        async setScenario(s: DockerScenario) {
          if (!DOCKER_SCENARIOS.includes(s)) throw new Error(`unknown docker scenario ${s}`);
          const r = await run(`sh ${q(join(dir, 'apply-scenario.sh'))} ${q(s)}`);
          if (r.code !== 0) throw new Error(`setScenario(${s}) failed: ${r.stderr}${r.stdout}`);
          scenario = s;
        },
        scenario: () => scenario,
        async dockerCalls() {
          return (await this.dockerCallLog()).map((c) => c.argv);
        },
        async dockerCallLog() {
          return parseCallLog(await readFile(join(stateDir, 'calls.log'), 'utf8'));
        },
        async clearDockerCalls() {
          await writeFile(join(stateDir, 'calls.log'), '');
        },
        async aptLog() {
          return (await readFile(join(stateDir, 'apt.log'), 'utf8')).split('\n').filter(Boolean);
        },
        async holdAptLock(seconds: number) {
          await rm(join(stateDir, 'apt-lock-until'), { force: true });
          if (seconds > 0) await writeFile(join(stateDir, 'apt-lock-for'), `${seconds}\n`, { mode: 0o644 });
          else await rm(join(stateDir, 'apt-lock-for'), { force: true });
        },
        ssh(args: string[], o: SshOptions = {}) {
          const env = { ...process.env };
          delete env.SSH_AUTH_SOCK;
          return exec(SSH, sshArgv(args, o), { input: o.input, timeoutMs: o.timeoutMs ?? 30_000, env });
        },
        sshArgv,
        async dropConnections() {
          for (let i = 0; i < 20; i++) {
            const list = descendants(pid).filter(alive);
            if (!list.length) return;
            killAll(list, 'SIGKILL');
            await waitGone(list, 2_000);
          }
          throw new Error('dropConnections: sshd children keep appearing');
        },
        async freezeConnections() {
          const list = descendants(pid).filter(alive);
          killAll(list, 'SIGSTOP');
          frozen.push(...list);
          // Stopped means state T in /proc: from then on nothing answers.
          const end = Date.now() + 2_000;
          while (list.some((p) => procStat(p)?.state !== 'T' && alive(p)) && Date.now() < end) await sleep(10);
          return list.length;
        },
        async thawConnections() {
          killAll(frozen.splice(0), 'SIGCONT');
        },
        async replaceHostKey() {
          const file = join(dir, 'ssh_host_ed25519_key');
          await rm(`${file}.new`, { force: true });
          await rm(`${file}.new.pub`, { force: true });
          await mustExec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'harness-ed25519-replaced', '-f', `${file}.new`], 'ssh-keygen (replacement host key)');
          await rename(`${file}.new.pub`, `${file}.pub`);
          await rename(`${file}.new`, file);
          const [alg = '', b64 = ''] = (await readFile(`${file}.pub`, 'utf8')).trim().split(/\s+/);
          const fp = (await mustExec('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], 'ssh-keygen -l')).stdout.split(/\s+/)[1] ?? '';
          // Before OpenSSH 9.8 every connection reads the key files; from 9.8 on the listener
          // holds the keys and reloads them on SIGHUP (re-exec, same pid). Doing both works for either.
          const listening = () => readLog().then((l) => l.split('Server listening on').length);
          const before = await listening();
          killAll([pid], 'SIGHUP');
          const end = Date.now() + 10_000;
          while ((await listening()) <= before) {
            if (Date.now() > end) throw new Error(`replaceHostKey: sshd did not listen again after SIGHUP\n${await readLog()}`);
            await sleep(15);
          }
          const publicKey = `${alg} ${b64}`;
          Object.assign(host, { hostPublicKey: publicKey, hostKeyFingerprint: fp, knownHostsLine: `[127.0.0.1]:${port} ${publicKey}` });
          host.hostKeys = host.hostKeys.map((k) => (k.type === 'ed25519' ? { type: k.type, publicKey, fingerprint: fp } : k));
          await writeFile(knownHostsFile, host.knownHostsLine + '\n', { mode: 0o644 });
          return { publicKey, fingerprint: fp };
        },
        readLog,
        processes: () => [...new Set([wrapperPid, pid, ...descendants(pid), ...processesInNs(ns, [pid, wrapperPid])])].filter(alive),
        async stop() {
          if (stopped) return;
          stopped = true;
          // sshd is the PID namespace's init: when it exits, the kernel kills every session
          // and every nsenter'd process inside, and unshare (our child) exits after it.
          if (child.exitCode === null && child.signalCode === null) {
            killAll([pid], 'SIGTERM');
            let timer: NodeJS.Timeout | undefined;
            const done = await Promise.race([
              exited.then(() => true),
              new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 3_000))),
            ]);
            clearTimeout(timer);
            if (!done) {
              killAll([pid, wrapperPid], 'SIGKILL');
              await exited;
            }
          }
          for (let i = 0; i < 50; i++) {
            const rest = processesInNs(ns, [pid, wrapperPid]);
            if (!rest.length) break;
            killAll(rest, 'SIGKILL');
            await waitGone(rest, 1_000);
          }
          live.delete(entry);
          await rm(dir, { recursive: true, force: true });
        },
      };
      if (sftp) {
        const ids = await run(`id -u ${q(sftp.user)} && id -g ${q(sftp.user)}`);
        const [uid, gid] = ids.stdout.trim().split('\n').map(Number);
        if (ids.code !== 0 || uid === undefined || gid === undefined) {
          await host.stop();
          throw new Error(`sftp storage user ${sftp.user} missing: ${ids.stderr}`);
        }
        host.sftp = { user: sftp.user, password: sftp.password, uid, gid, root: join(dir, 'sftp') };
      }
      return host;
    }
  }
}

/** Starts an ssh-agent holding `key` (decrypted with `passphrase` through SSH_ASKPASS). */
export async function startAgent(dir: string, key: string, passphrase: string): Promise<{ socket: string; stop(): Promise<void> }> {
  const socket = join(dir, `agent-${process.pid}-${Date.now()}.sock`);
  const r = await mustExec('ssh-agent', ['-s', '-a', socket], 'ssh-agent');
  const m = /SSH_AGENT_PID=(\d+)/.exec(r.stdout);
  if (!m) throw new Error(`ssh-agent: no pid in ${r.stdout}`);
  const agentPid = Number(m[1]);
  const stopAgent = async () => {
    killAll([agentPid], 'SIGTERM');
    await waitGone([agentPid], 2_000);
    await rm(socket, { force: true });
  };
  try {
    const askpass = join(dir, `askpass-${agentPid}.sh`);
    await writeFile(askpass, `#!/bin/sh\nprintf '%s\\n' ${q(passphrase)}\n`, { mode: 0o700 });
    const env: NodeJS.ProcessEnv = { ...process.env, SSH_AUTH_SOCK: socket, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: process.env.DISPLAY ?? ':0' };
    const add = await exec('ssh-add', [key], { env, timeoutMs: 10_000 });
    await rm(askpass, { force: true });
    if (add.code !== 0) throw new Error(`ssh-add failed: ${add.stderr}`);
  } catch (e) {
    await stopAgent();
    throw e;
  }
  return { socket, stop: stopAgent };
}

/** Is a process with this pid alive (and not a zombie)? */
export function pidAlive(pid: number): boolean {
  return alive(pid);
}
