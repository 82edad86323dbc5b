/**
 * The one place where remote commands are quoted, joined and given privileges. Command builders return argv
 * arrays; only this file turns them into the single string an SSH exec channel carries.
 */
export type Argv = readonly string[];

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX single-quote quoting: safe for every byte except NUL, including newlines. */
export function quote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a NUL byte cannot be passed to a remote shell');
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export const join = (argv: Argv): string => argv.map(quote).join(' ');

/** A script fragment: already shell text, built only from quoted parts by this module. */
export class Script {
  constructor(readonly text: string) {}
}

/** Runs a script under `sh -c`, so it can be prefixed with sudo as one argv. */
export const shArgv = (script: Script): string[] => ['sh', '-c', script.text];

/** Who runs a command on the host: the probe tells. */
export interface Privilege {
  user: string;
  uid: number;
}

/** `sudo -n` never waits on a password prompt that nobody can answer. */
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
