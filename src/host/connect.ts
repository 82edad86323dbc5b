import { constants as fsConstants } from 'node:fs';
import { appendFile, mkdir, access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { StepError, UsageError } from '../errors.js';
import { readLocal, readLocalText } from '../local-files.js';
import type { Sensitive } from '../sensitive.js';
import { fingerprintOfBlob } from './deploy-key.js';
import { checkHostKey, formatKnownHostsLine, hostPatternName, keyTypeOfBlob, knownKeyTypes, prefersHashed, removeHostCommand, type HostKeyVerdict } from './known-hosts.js';
import { connect, ConnectError, type AuthSource, type HostSession, type SshTiming } from './transport.js';

export interface HostKeyInfo {
  host: string;
  port: number;
  type: string;
  fingerprint: string;
  blob: Buffer;
}

export interface LoginTarget {
  sshHost: string;
  sshPort: number;
  user: string;
  knownHostsPath: string;
  auth: AuthSource[];
  /** Asked only for a key never seen before; a changed key is refused without asking. */
  confirmNewHostKey: (info: HostKeyInfo) => Promise<boolean>;
  timing?: SshTiming;
}

/** ssh2's names for host key algorithms, grouped by the key type known_hosts records. */
const ALGOS_BY_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const DEFAULT_ORDER = Object.values(ALGOS_BY_TYPE).flat();

/** Known types first, so the server shows the key we can check (as OpenSSH does). */
export function hostKeyAlgorithmOrder(known: string[]): string[] {
  const first = known.flatMap((t) => ALGOS_BY_TYPE[t] ?? []);
  return [...new Set([...first, ...DEFAULT_ORDER])];
}

/** Before a new key is trusted: the file that records it must take the line. */
async function assertRecordable(path: string): Promise<void> {
  const probe = (await exists(path)) ? path : dirname(path);
  try {
    await access(probe, fsConstants.W_OK);
  } catch {
    if (!(await exists(probe))) return; // the folder is made when the key is recorded
    throw new UsageError(`known_hosts file ${path} cannot be written, so a newly trusted host key could not be recorded`, `Make it writable by this user (check \`ls -l ${path}\`), or name another file with --known-hosts`);
  }
}

/** `ran` says what did happen on the host: a refusal in the middle of a run is not at its start. */
export function hostKeyRefusal(verdict: HostKeyVerdict, info: HostKeyInfo, file: string, ran = 'nothing was run on the host'): StepError {
  const fix = `If the host was rebuilt, check the new key with your provider's console, then run: ${removeHostCommand(info.host, info.port, file)}`;
  switch (verdict.kind) {
    case 'changed': {
      // Line 0: the key to compare with is the one this run saw first, not a line of the file.
      const was = verdict.line > 0 ? `${file} line ${verdict.line} records` : 'earlier in this run it showed';
      return new StepError(
        'host key',
        `the host key of ${hostPatternName(info.host, info.port)} CHANGED: ${was} ${verdict.expectedFingerprint}, the server now shows ${info.type} ${info.fingerprint}. Someone may be intercepting the connection; ${ran}`,
        fix,
      );
    }
    case 'revoked':
      return new StepError('host key', `the server shows a key marked @revoked in ${file} (line ${verdict.line}); ${ran}`, fix);
    case 'other-type':
      return new StepError(
        'host key',
        `${file} records ${verdict.knownTypes.join(', ')} for this host, but the server offered only ${info.type} (${info.fingerprint}); ${ran}`,
        fix,
      );
    default:
      return new StepError(
        'host key',
        `${info.type} key ${info.fingerprint} of ${hostPatternName(info.host, info.port)} is not in ${file} and was not trusted`,
        'Check the fingerprint (your provider\'s console shows it), then re-run and accept it, or add --accept-new-host-key with --yes',
      );
  }
}

function connectFailure(e: ConnectError, t: { sshHost: string; sshPort: number; user: string }): StepError {
  const where = `${t.user}@${t.sshHost}:${t.sshPort}`;
  switch (e.code) {
    case 'refused':
      return new StepError('ssh', `${t.sshHost}:${t.sshPort} refused the connection`, 'Check --ssh-host and --ssh-port, and that sshd runs on the host');
    case 'dns':
      return new StepError('ssh', `${t.sshHost} does not resolve`, 'Check the name, or give the IP address with --ssh-host while DNS propagates');
    case 'timeout':
      return new StepError('ssh', `no answer from ${t.sshHost}:${t.sshPort}`, 'Check the address and that a firewall allows SSH from here');
    case 'auth':
      return new StepError(
        'ssh',
        `${where} refused every key offered`,
        `Check --user, or pass the key that logs in with -i (ssh ${t.sshPort === 22 ? '' : `-p ${t.sshPort} `}${t.user}@${t.sshHost} must work)`,
      );
    default:
      return new StepError('ssh', `${where}: ${e.message}`, 'Check that `ssh` to this host works from here, then re-run');
  }
}

export interface OpenedLogin {
  session: HostSession;
  hostKey: HostKeyInfo;
  recorded: boolean;
}

/** Logs in once, checking the host key against known_hosts and recording a newly trusted one. */
export async function openLogin(t: LoginTarget): Promise<OpenedLogin> {
  // Read before connecting: an unreadable file is an error, never "nothing known".
  const text = (await readLocalText(t.knownHostsPath, 'known_hosts file')) ?? '';
  let verdict: HostKeyVerdict | undefined;
  let info: HostKeyInfo | undefined;
  const attempt = (verify: (blob: Buffer) => boolean) =>
    connect({
      host: t.sshHost,
      port: t.sshPort,
      username: t.user,
      auth: t.auth,
      hostKeyAlgorithms: hostKeyAlgorithmOrder(knownKeyTypes(text, t.sshHost, t.sshPort)),
      timing: t.timing,
      verifyHostKey: async (blob) => {
        info = { host: t.sshHost, port: t.sshPort, type: blob.subarray(4, 4 + blob.readUInt32BE(0)).toString(), fingerprint: fingerprintOfBlob(blob), blob: Buffer.from(blob) };
        return verify(blob);
      },
    });
  try {
    const session = await attempt((blob) => {
      verdict = checkHostKey(text, t.sshHost, t.sshPort, blob);
      return verdict.kind === 'known';
    });
    return { session, hostKey: info!, recorded: false };
  } catch (e) {
    if (!verdict || !info || verdict.kind === 'known') throw e instanceof ConnectError ? connectFailure(e, t) : e;
    if (verdict.kind !== 'unknown') throw hostKeyRefusal(verdict, info, t.knownHostsPath);
  }
  // A key never seen: ask outside the handshake (ssh2's ready timer would not wait for a
  // person comparing fingerprints), then connect again trusting exactly that key.
  const seen: HostKeyInfo = info;
  await assertRecordable(t.knownHostsPath);
  if (!(await t.confirmNewHostKey(seen))) throw hostKeyRefusal(verdict, seen, t.knownHostsPath);
  let session: HostSession;
  try {
    session = await attempt((blob) => blob.equals(seen.blob));
  } catch (e) {
    if (info && !info.blob.equals(seen.blob)) throw hostKeyRefusal({ kind: 'changed', line: 0, expectedFingerprint: seen.fingerprint }, info, t.knownHostsPath);
    throw e instanceof ConnectError ? connectFailure(e, t) : e;
  }
  await mkdir(dirname(t.knownHostsPath), { recursive: true, mode: 0o700 });
  const line = formatKnownHostsLine(t.sshHost, t.sshPort, seen.blob, { hashed: prefersHashed(text) });
  const sep = text && !text.endsWith('\n') ? '\n' : '';
  await appendFile(t.knownHostsPath, `${sep}${line}\n`, { mode: 0o600 });
  return { session, hostKey: seen, recorded: true };
}

/**
 * A second login with exactly the host key the first one checked: proves a key works. A
 * host that now shows another key is refused like at the first login (the key is compared
 * with known_hosts again, so the message names the line the user has to fix).
 */
export async function openPinned(
  t: { sshHost: string; sshPort: number; user: string; knownHostsPath: string; timing?: SshTiming },
  pinned: Buffer,
  key: ParsedKey,
  ran?: string,
): Promise<HostSession> {
  let shown: Buffer | undefined;
  try {
    return await connect({
      host: t.sshHost,
      port: t.sshPort,
      username: t.user,
      auth: [{ kind: 'key', label: 'deploy key', key }],
      // The pinned type first, or a host with several keys may show one we did not check.
      hostKeyAlgorithms: hostKeyAlgorithmOrder([keyTypeOfBlob(pinned)]),
      timing: t.timing,
      verifyHostKey: async (blob) => {
        shown = Buffer.from(blob);
        return blob.equals(pinned);
      },
    });
  } catch (e) {
    if (shown && !shown.equals(pinned)) throw await changedSinceFirstLogin(t, pinned, shown, ran);
    if (e instanceof ConnectError) throw connectFailure(e, t);
    throw e;
  }
}

async function changedSinceFirstLogin(t: { sshHost: string; sshPort: number; knownHostsPath: string }, pinned: Buffer, shown: Buffer, ran?: string): Promise<StepError> {
  const text = (await readLocalText(t.knownHostsPath, 'known_hosts file')) ?? '';
  const info: HostKeyInfo = { host: t.sshHost, port: t.sshPort, type: keyTypeOfBlob(shown), fingerprint: fingerprintOfBlob(shown), blob: shown };
  const verdict = checkHostKey(text, t.sshHost, t.sshPort, shown);
  if (verdict.kind === 'changed' || verdict.kind === 'revoked' || verdict.kind === 'other-type') return hostKeyRefusal(verdict, info, t.knownHostsPath, ran);
  // known_hosts was edited since the first login (or accepts the new key): compare with the key that login checked.
  const first = checkHostKey(text, t.sshHost, t.sshPort, pinned);
  return hostKeyRefusal({ kind: 'changed', line: first.kind === 'known' ? first.line : 0, expectedFingerprint: fingerprintOfBlob(pinned) }, info, t.knownHostsPath, ran);
}

const exists = async (p: string) => access(p).then(() => true, () => false);

export function parsePrivateKey(text: string | Buffer, label: string, passphrase?: Sensitive): ParsedKey {
  const parsed = ssh2.utils.parseKey(text, passphrase?.reveal());
  if (parsed instanceof Error) {
    if (/encrypted/i.test(parsed.message) && !passphrase)
      throw new UsageError(`${label} is encrypted and no passphrase was given`, 'set SSH_KEY_PASSPHRASE, or load the key into ssh-agent (ssh-add) and leave out -i');
    if (/bad passphrase|decrypt|integrity/i.test(parsed.message)) throw new UsageError(`${label}: the passphrase does not open this key`);
    throw new UsageError(`${label} is not a private key ssh2 can read (${parsed.message})`);
  }
  return Array.isArray(parsed) ? parsed[0]! : parsed;
}

/**
 * The keys to offer, as ssh does: the agent, then -i, or else the default key files.
 * An unreadable -i is bad input (exit 2) before any connection; default files that are
 * encrypted without a passphrase are skipped.
 */
export async function authSources(o: { identity?: string; passphrase?: Sensitive; home: string; agentSocket?: string }): Promise<AuthSource[]> {
  const out: AuthSource[] = [];
  if (o.agentSocket) out.push({ kind: 'agent', socket: o.agentSocket });
  if (o.identity) {
    const text = await readLocal(o.identity, '-i key file');
    if (!text) throw new UsageError(`-i ${o.identity}: no such file`);
    out.push({ kind: 'key', label: o.identity, key: parsePrivateKey(text, o.identity, o.passphrase) });
    return out;
  }
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const path = join(o.home, '.ssh', name);
    const text = await readLocal(path, 'SSH key file');
    if (!text) continue;
    try {
      out.push({ kind: 'key', label: path, key: parsePrivateKey(text, path, o.passphrase) });
    } catch {
      /* an encrypted default key without a passphrase: the agent may hold it */
    }
  }
  return out;
}

/** Public key blobs (base64) of the keys an agent offers: never removed from a host. */
export function agentKeyBlobs(socket: string): Promise<string[]> {
  return new Promise((resolve) => {
    try {
      new ssh2.OpenSSHAgent(socket).getIdentities((err, keys) => {
        resolve(err || !keys ? [] : keys.map((k) => (k as ParsedKey).getPublicSSH().toString('base64')));
      });
    } catch {
      resolve([]);
    }
  });
}
