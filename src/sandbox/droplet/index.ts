/**
 * An in-process SSH server that behaves like a fresh Ubuntu 24.04 droplet with Docker, for
 * `--demo` and the tests. Its host is a JS object: files, users, containers. Nothing here
 * touches the real file system or runs a real program, so it works wherever Node does.
 *
 * Commands arrive as the program sends them: argv arrays joined by src/host/shell.ts. They
 * are tokenized back (the inverse of `quote`), `sudo -n [-u U] --` / `runuser -u U --`
 * prefixes set the effective user, and each command or `sh -c` script is recognised
 * EXACTLY (scripts by their full text, with placeholders for the quoted arguments). A
 * command the droplet does not know answers like sh does (exit 127, "not found"), so a
 * change in the program's commands shows up in the droplet and demo tests instead of
 * passing silently.
 */
import { generateDeployKey } from '../../host/deploy-key.js';
import { Host } from './host.js';
import { serveSsh, type SshServer } from './server.js';
import { freshState, type DropletState } from './state.js';

export { tokenize } from './shell-words.js';
export { COMPOSE_VERSION, DOCKER_VERSION, freshState } from './state.js';
export type { DropletState, VContainer, VDir, VFile, VUser } from './state.js';

export interface Droplet extends SshServer {
  host: '127.0.0.1';
  /** "ssh-ed25519 AAAA..." */
  hostKeyLine: string;
  /** OpenSSH private key (PEM) that logs in as root. */
  loginKey: string;
  /** SHA256:... of the host key, as ssh shows it. */
  fingerprint: string;
  state: DropletState;
}

export interface DropletOptions {
  /** Pause between the lines `docker compose up` prints, default 120 ms (0 for tests). */
  composeDelayMs?: number;
}

export async function startDroplet(opts: DropletOptions = {}): Promise<Droplet> {
  const hostKey = generateDeployKey('root@litestream-demo');
  const loginKey = generateDeployKey('you@create-litestream-host-demo');
  const state = freshState();
  state.dirs.set('/root/.ssh', { mode: 0o700, owner: 'root' });
  state.files.set('/root/.ssh/authorized_keys', { content: `${loginKey.publicKey}\n`, mode: 0o600, owner: 'root' });
  const ssh = await serveSsh(new Host(state, opts.composeDelayMs ?? 120), hostKey.privateKey.reveal());
  return {
    host: '127.0.0.1',
    port: ssh.port,
    hostKeyLine: hostKey.publicKey.split(' ').slice(0, 2).join(' '),
    loginKey: loginKey.privateKey.reveal(),
    fingerprint: hostKey.fingerprint,
    state,
    execLog: ssh.execLog,
    unrecognised: ssh.unrecognised,
    close: ssh.close,
  };
}
