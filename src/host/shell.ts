/**
 * The one place where remote commands are quoted and joined. Command builders return argv
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

export const raw = (text: string): Script => new Script(text);
export const cmd = (argv: Argv): Script => new Script(join(argv));
export const and = (...parts: Script[]): Script => new Script(parts.map((p) => p.text).join(' && '));
export const seq = (...parts: Script[]): Script => new Script(parts.map((p) => p.text).join('\n'));
export const or = (...parts: Script[]): Script => new Script(parts.map((p) => `{ ${p.text}; }`).join(' || '));
/** Runs a script under `sh -c`, so it can be prefixed with sudo as one argv. */
export const shArgv = (script: Script): string[] => ['sh', '-c', script.text];
/** `sudo -n` never waits on a password prompt that nobody can answer. */
export const sudo = (argv: Argv, useSudo: boolean): string[] => (useSudo ? ['sudo', '-n', '--', ...argv] : [...argv]);
