import { KEY_MARKER, PROXY_CONTAINERS, SHIM_PATH } from './probe.js';
import { quote, Script, shArgv, type Argv } from './shell.js';

/**
 * Pure builders for every command the program runs on a host. Each returns an argv; the
 * transport joins it with shell.ts. Whoever runs them decides on sudo/runuser through
 * `asRoot` and `asUser`, from the facts the probe found.
 */
export interface Privilege {
  user: string;
  uid: number;
}

export function asRoot(argv: Argv, who: Privilege): string[] {
  return who.uid === 0 ? [...argv] : ['sudo', '-n', '--', ...argv];
}

/**
 * Runs as another user with that user's groups (docker), never asking for a password.
 * Through root and runuser, because many sudoers rules allow only `(root) NOPASSWD`.
 */
export function asUser(argv: Argv, target: string, who: Privilege): string[] {
  if (who.user === target) return [...argv];
  return asRoot(['runuser', '-u', target, '--', ...argv], who);
}

/**
 * Writes stdin to `path` atomically: a temp file in the same folder, mode set before the
 * rename, so a reader sees the old file or the new one, never half of either.
 */
export function writeFileAtomic(path: string, mode: string, opts: { backupSuffix?: string } = {}): string[] {
  const f = quote(path);
  const backup = opts.backupSuffix
    ? `if [ -e ${f} ] && [ ! -e ${quote(path + opts.backupSuffix)} ]; then cp -p ${f} ${quote(path + opts.backupSuffix)}; fi\n`
    : '';
  return shArgv(
    new Script(`set -e
umask 077
d=$(dirname ${f})
mkdir -p "$d"
t=$(mktemp "$d/.clh.XXXXXX")
trap 'rm -f "$t"' EXIT
cat > "$t"
chmod ${quote(mode)} "$t"
${backup}mv -f "$t" ${f}
trap - EXIT`),
  );
}

export const installShim = (who: Privilege): string[] =>
  asRoot(writeFileAtomic(SHIM_PATH, '0755', { backupSuffix: '.orig' }), who);

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
t=$(mktemp ${dir}/.authorized_keys.XXXXXX)
trap 'rm -f "$t"' EXIT
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
t=$(mktemp ${dir}/.authorized_keys.XXXXXX)
trap 'rm -f "$t"' EXIT
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
