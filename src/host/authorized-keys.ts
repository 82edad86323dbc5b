import { KEY_MARKER } from './layout.js';

/** Options that keep a deploy key to what the release needs: commands and scp, no tunnels. */
export const DEPLOY_KEY_OPTIONS = 'no-port-forwarding,no-agent-forwarding,no-X11-forwarding';

const KEY_TYPES = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com|ssh-dss)$/;

export interface KeyLine {
  options?: string;
  type: string;
  blob: string;
  comment: string;
}

/** Parses an authorized_keys line, with or without an options prefix (quoted commas and spaces allowed). */
export function parseKeyLine(line: string): KeyLine | undefined {
  const t = line.trim();
  if (!t || t.startsWith('#')) return undefined;
  const tokens: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of t) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (cur) tokens.push(cur);
      cur = '';
      if (tokens.length >= 3) break;
    } else cur += ch;
  }
  if (cur) tokens.push(cur);
  const at = tokens.findIndex((x) => KEY_TYPES.test(x));
  if (at < 0 || at > 1 || !tokens[at + 1]) return undefined;
  const blob = tokens[at + 1]!;
  const after = t.slice(t.indexOf(blob) + blob.length).trim();
  return { options: at === 1 ? tokens[0] : undefined, type: tokens[at]!, blob, comment: after };
}

export const deployKeyComment = (repo: string, date: Date): string => `${KEY_MARKER} ${repo} ${date.toISOString().slice(0, 10)}`;

export const deployKeyLine = (publicKey: string): string => `${DEPLOY_KEY_OPTIONS} ${publicKey}`;

/** A line this program added for this repository: recognised by its comment. */
export function isOurKey(line: string, repo: string): boolean {
  const k = parseKeyLine(line);
  if (!k) return false;
  const [marker, r] = k.comment.split(/\s+/);
  return marker === KEY_MARKER && r?.toLowerCase() === repo.toLowerCase();
}

export const blobOf = (publicKeyOrLine: string): string | undefined => parseKeyLine(publicKeyOrLine)?.blob;
