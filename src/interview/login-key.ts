import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The login keys a user may pick from: the agent, then the usual files that exist. */
export interface KeyChoice {
  value: string;
  label: string;
  hint?: string;
  encrypted?: boolean;
}

export async function detectLoginKeys(home: string, agentSocket: string | undefined): Promise<KeyChoice[]> {
  const out: KeyChoice[] = [];
  if (agentSocket) out.push({ value: 'agent', label: 'the SSH agent', hint: 'SSH_AUTH_SOCK' });
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const path = join(home, '.ssh', name);
    try {
      await access(path);
      const text = await readFile(path, 'utf8');
      const encrypted = /ENCRYPTED|bcrypt|aes\d+-(ctr|cbc|gcm)/.test(text);
      out.push({ value: path, label: `~/.ssh/${name}`, hint: encrypted ? 'passphrase' : undefined, encrypted });
    } catch {
      /* not there */
    }
  }
  out.push({ value: 'other', label: 'another key file…' });
  return out;
}

