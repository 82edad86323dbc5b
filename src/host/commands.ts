import { createHash } from 'node:crypto';
import { KEY_MARKER, PROXY_CONTAINERS, SHIM_MARKER, SHIM_PATH, SHIM_TEXT } from './layout.js';
import { asRoot, quote, Script, shArgv, type Privilege } from './shell.js';

/**
 * Pure builders for every command the program runs on a host. Each returns an argv; the
 * transport joins it with shell.ts. Whoever runs them decides on sudo/runuser through
 * `asRoot` and `asUser`, from the facts the probe found.
 */

/**
 * Before mktemp: the temp file `$t` goes on any exit before the rename. A signal would end
 * the shell without running the EXIT trap, so each one exits through it.
 */
const TEMP_TRAPS = `t=
trap 'rm -f "$t"' EXIT
trap 'exit 1' HUP INT TERM PIPE`;


/** What the host must have received before a write may replace anything. */
export interface Expected {
  /** Decimal byte count. */
  bytes: string;
  /** Lower-case hex sha256. */
  sha256: string;
}

export function expectedOf(content: string | Buffer): Expected {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  // The host holds the upload in a shell variable, and no shell can hold a NUL there.
  if (buf.includes(0)) throw new Error('a file uploaded through the shell cannot hold a NUL byte');
  return { bytes: String(buf.length), sha256: createHash('sha256').update(buf).digest('hex') };
}

/**
 * Keep the file being replaced as `path + suffix`, unless it is ours: it has the `marker`
 * line, or it is the start of (or all of) the new content, which is what an interrupted
 * write of an older version left behind (an empty file included).
 */
export interface Backup {
  suffix: string;
  marker: string;
}

/**
 * Writes `content`, sent on stdin, to `path`: whole or not at all. An SSH channel that ends
 * early (Ctrl-C, a dropped connection) looks to `cat` like the end of the file, so the host
 * checks the byte count and sha256 carried in the command before anything is renamed into
 * place; a short or different upload leaves the old file as it was and exits 1.
 */
export const writeFileAtomic = (path: string, mode: string, content: string | Buffer, opts: { backup?: Backup } = {}): string[] =>
  writeFileExpecting(path, mode, expectedOf(content), opts);

/**
 * The script behind writeFileAtomic, for whoever knows the digest but not the content (the
 * sandbox droplet builds its templates from it).
 *
 * The upload is held in memory until all of it has arrived: a session killed mid-stream
 * (SIGKILL runs no trap) then leaves nothing on disk. The temp file is checked again after
 * it is written, so a full disk cannot pass either. Mode and backup come before the rename,
 * so a reader sees the old file or the new one, never half of either.
 */
export function writeFileExpecting(path: string, mode: string, expected: Expected, opts: { backup?: Backup } = {}): string[] {
  const b = opts.backup;
  const bytes = quote(expected.bytes);
  const backup = b
    ? `ours() { grep -qxF ${quote(b.marker)} "$1" || [ "$(head -c "$(wc -c < "$1")" "$t" | sha256sum)" = "$(sha256sum < "$1")" ]; }
o="$f"${quote(b.suffix)}
if [ -e "$o" ] && ours "$o"; then rm -f "$o"; fi
if [ -e "$f" ] && [ ! -e "$o" ] && ! ours "$f"; then cp -p "$f" "$o"; fi
`
    : '';
  return shArgv(
    new Script(`set -e
umask 077
LC_ALL=C
export LC_ALL
f=${quote(path)}
c=$(cat; echo .)
c=\${c%.}
d=$(dirname "$f")
mkdir -p "$d"
${TEMP_TRAPS}
t=$(mktemp "$d/.clh.XXXXXX")
printf '%s' "$c" > "$t"
n=$(wc -c < "$t")
s=$(sha256sum < "$t")
if ! { [ "$n" -eq ${bytes} ] && [ "\${s%% *}" = ${quote(expected.sha256)} ]; }; then
  rm -f "$t"
  printf '%s: the upload was cut short or changed (%s of %s bytes arrived); the file was left as it was\\n' "$f" "$n" ${bytes} >&2
  exit 1
fi
chmod ${quote(mode)} "$t"
${backup}mv -f "$t" "$f"
trap - EXIT`),
  );
}

export const installShim = (who: Privilege): string[] =>
  asRoot(writeFileAtomic(SHIM_PATH, '0755', SHIM_TEXT, { backup: { suffix: '.orig', marker: SHIM_MARKER } }), who);

/**
 * `--password '*'`: no password can match, yet the account is not locked, so key logins
 * work with or without PAM. A group named like the user already existing makes useradd
 * refuse to create it again: join it instead.
 */
export const createUser = (name: string, who: Privilege, o: { groupExists?: boolean } = {}): string[] =>
  asRoot(['useradd', '--create-home', '--shell', '/bin/bash', '--password', '*', ...(o.groupExists ? ['--gid', name] : []), '--groups', 'docker', name], who);

/**
 * Appends one authorized_keys line unless it is already there, keeping every other line
 * as it was; ~/.ssh 0700 and the file 0600, replaced atomically. Runs as the key's owner.
 */
export function authorizeKey(home: string, line: string): string[] {
  if (/[\r\n]/.test(line)) throw new Error('an authorized_keys line cannot hold a line break');
  const dir = quote(`${home}/.ssh`);
  const l = quote(line);
  return shArgv(
    new Script(`set -e
umask 077
mkdir -p ${dir}
chmod 700 ${dir}
f=${dir}/authorized_keys
if [ -f "$f" ] && grep -qxF ${l} "$f"; then exit 0; fi
${TEMP_TRAPS}
t=$(mktemp ${dir}/.authorized_keys.XXXXXX)
if [ -f "$f" ]; then cat "$f" > "$t"; fi
if [ -s "$t" ] && [ -n "$(tail -c 1 "$t")" ]; then echo >> "$t"; fi
printf '%s\\n' ${l} >> "$t"
chmod 600 "$t"
mv -f "$t" "$f"
trap - EXIT`),
  );
}

/**
 * Removes the lines that carry our marker AND one of the given key blobs. A line without
 * the marker (the user's own login key, anything added by hand) is never touched.
 */
export function removeKeys(home: string, blobs: string[]): string[] {
  if (!blobs.length) throw new Error('removeKeys needs at least one key');
  for (const b of blobs) if (!/^[A-Za-z0-9+/=]+$/.test(b)) throw new Error('a key blob is base64');
  const dir = quote(`${home}/.ssh`);
  return shArgv(
    new Script(`set -e
umask 077
f=${dir}/authorized_keys
[ -f "$f" ] || exit 0
${TEMP_TRAPS}
t=$(mktemp ${dir}/.authorized_keys.XXXXXX)
awk -v m=${quote(KEY_MARKER)} -v list=${quote(blobs.join(' '))} 'BEGIN { n = split(list, b, " ") }
{ if (index($0, m)) { for (i = 1; i <= n; i++) if (index($0, b[i])) next }; print }' "$f" > "$t"
chmod 600 "$t"
mv -f "$t" "$f"
trap - EXIT`),
  );
}

export const composeUp = (file: string): string[] => ['docker', 'compose', '-p', 'nginx-proxy', '-f', file, 'up', '-d'];

export const containersRunning = (): string[] =>
  shArgv(new Script(`for c in ${PROXY_CONTAINERS.map(quote).join(' ')}; do printf '%s=%s\\n' "$c" "$(docker inspect -f '{{.State.Running}}' "$c" 2>/dev/null)"; done`));

/** Docker's apt repository for a distribution: only Ubuntu and Debian have one this program uses. */
export const dockerRepoUrl = (osId: string): string => `https://download.docker.com/linux/${osId === 'debian' ? 'debian' : 'ubuntu'}`;

export const DOCKER_KEYRING = '/etc/apt/keyrings/docker.asc';
export const DOCKER_SOURCES = '/etc/apt/sources.list.d/docker.list';
export const DOCKER_PACKAGES = ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin'] as const;

export interface AptDocker {
  osId: string;
  codename: string;
  dpkgArch: string;
  packages: readonly string[];
  /** How long a held package-manager lock is waited for, and how often it is tried again. */
  lockWaitS: number;
  lockPollS: number;
}

/** The sources line Docker's guide writes, with the host's codename and architecture. */
export const dockerSourcesLine = (o: Pick<AptDocker, 'osId' | 'codename' | 'dpkgArch'>): string =>
  `deb [arch=${o.dpkgArch} signed-by=${DOCKER_KEYRING}] ${dockerRepoUrl(o.osId)} ${o.codename} stable`;

/**
 * Docker's install guide for Ubuntu and Debian as one script, run as root: its key under
 * /etc/apt/keyrings, its repository for this release and architecture, then the packages.
 * A new droplet runs unattended-upgrades in its first minutes, holding apt's locks: apt is
 * tried again every lockPollS seconds, with the seconds left printed, for up to lockWaitS.
 */
export function aptInstallDocker(o: AptDocker, who: Privilege): string[] {
  for (const v of [o.codename, o.dpkgArch, ...o.packages]) if (!/^[a-z0-9][a-z0-9.+-]*$/.test(v)) throw new Error(`"${v}" is not a Debian name`);
  const script = new Script(`set -u
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
W=${quote(String(o.lockWaitS))}
P=${quote(String(o.lockPollS))}
end=$(( $(date +%s) + W ))
log=$(mktemp); rcf=$(mktemp)
trap 'rm -f "$log" "$rcf"' EXIT
apt() {
  while :; do
    { apt-get "$@" 2>&1; echo $? > "$rcf"; } | tee "$log"
    rc=$(cat "$rcf")
    [ "$rc" = 0 ] && return 0
    grep -qE 'Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock' "$log" || return "$rc"
    left=$(( end - $(date +%s) ))
    if [ "$left" -le 0 ]; then echo "apt stayed locked for $W s; try again once it is done (sudo lsof /var/lib/dpkg/lock-frontend names the holder)" >&2; return "$rc"; fi
    holder=$(sed -n 's/.*held by process \\([0-9]*\\) (\\([^)]*\\)).*/\\2, pid \\1/p' "$log" | head -n 1)
    echo "waiting for apt's lock\${holder:+ (held by $holder)}: $left s left"
    n=$P; [ "$n" -le "$left" ] || n=$left
    sleep "$n"
  done
}
apt update || exit 1
apt install -y ca-certificates curl || exit 1
install -m 0755 -d /etc/apt/keyrings || exit 1
curl -fsSL ${quote(`${dockerRepoUrl(o.osId)}/gpg`)} -o ${DOCKER_KEYRING} || exit 1
chmod a+r ${DOCKER_KEYRING} || exit 1
printf '%s\\n' ${quote(dockerSourcesLine(o))} > ${DOCKER_SOURCES} || exit 1
apt update || exit 1
apt install -y ${o.packages.map(quote).join(' ')} || exit 1`);
  return asRoot(shArgv(script), who);
}

export const startDocker = (who: Privilege): string[] => asRoot(['systemctl', 'enable', '--now', 'docker'], who);

export const joinDockerGroup = (user: string, who: Privilege): string[] => asRoot(['usermod', '-aG', 'docker', user], who);

/** Shown in plans as the fix for a missing Docker: Docker's own apt repository. */
export function dockerInstallFix(osId: string): string {
  const distro = osId === 'debian' ? 'debian' : 'ubuntu';
  return [
    'sudo apt-get update && sudo apt-get install -y ca-certificates curl',
    'sudo install -m 0755 -d /etc/apt/keyrings',
    `sudo curl -fsSL https://download.docker.com/linux/${distro}/gpg -o /etc/apt/keyrings/docker.asc`,
    `echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/${distro} $(. /etc/os-release && echo "$VERSION_CODENAME") stable" | sudo tee /etc/apt/sources.list.d/docker.list > /dev/null`,
    'sudo apt-get update && sudo apt-get install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin',
  ].join('\n');
}
