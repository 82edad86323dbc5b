/**
 * One exec request, as sshd and sh would run it: `sudo -n [-u U] --` / `runuser -u U --`
 * prefixes set the effective user, then the command (a script, docker, or one of the few
 * plain commands the program sends). A command the droplet does not know answers 127.
 */
import { docker } from './docker.js';
import { ExecError, type Host, type Io } from './host.js';
import { script } from './scripts.js';
import { tokenize } from './shell-words.js';
import type { VUser } from './state.js';

function useradd(host: Host, u: VUser, args: string[]): number {
  const name = args[7]!;
  if (u.uid !== 0) throw new ExecError('useradd: Permission denied.\nuseradd: cannot lock /etc/passwd; try again later.', 1);
  if (host.state.users.has(name)) throw new ExecError(`useradd: user '${name}' already exists`, 9);
  const uid = Math.max(999, ...[...host.state.users.values()].map((x) => x.uid)) + 1;
  const home = `/home/${name}`;
  host.state.users.set(name, { name, uid, home, shell: '/bin/bash', groups: [name, 'docker'], sudo: 'password' });
  host.state.dirs.set(home, { mode: 0o750, owner: name });
  for (const [f, content] of [
    ['.bashrc', '# ~/.bashrc: executed by bash(1) for non-login shells.\n'],
    ['.profile', '# ~/.profile: executed by the command interpreter for login shells.\n'],
    ['.bash_logout', '# ~/.bash_logout: executed by bash(1) when login shell exits.\n'],
  ] as const)
    host.state.files.set(`${home}/${f}`, { content, mode: 0o644, owner: name });
  return 0;
}

function passwdLine(x: VUser): string {
  return `${x.name}:x:${x.uid}:${x.uid}:${x.uid === 0 ? 'root' : ''}:${x.home}:${x.shell}`;
}

/** One exec request: prefixes, then the command. */
export async function exec(host: Host, login: VUser, command: string, io: Io): Promise<number> {
  let argv = tokenize(command);
  if (!argv || !argv.length) {
    io.err(`sh: 1: Syntax error: the sandbox droplet reads only commands quoted by the program (${command.slice(0, 60)})\n`);
    return 2;
  }
  let u = login;
  try {
    for (;;) {
      const [a0, a1, a2, a3, a4] = argv;
      if (a0 === 'sudo' && a1 === '-n' && (a2 === '--' || (a2 === '-u' && a4 === '--'))) {
        const target = a2 === '--' ? 'root' : a3!;
        if (u.uid !== 0 && u.sudo !== 'passwordless') throw new ExecError('sudo: a password is required', 1);
        const t = host.user(target);
        if (!t) throw new ExecError(`sudo: unknown user ${target}\nsudo: error initializing audit plugin sudoers_audit`, 1);
        u = t;
        argv = argv.slice(a2 === '--' ? 3 : 5);
      } else if (a0 === 'runuser' && a1 === '-u' && a3 === '--') {
        if (u.uid !== 0) throw new ExecError('runuser: may not be used by non-root users', 1);
        const t = host.user(a2!);
        if (!t) throw new ExecError(`runuser: user ${a2} does not exist or the user entry does not contain all the required fields`, 1);
        u = t;
        argv = argv.slice(4);
      } else break;
    }
    const [cmd, ...args] = argv;
    const a = args.join(' ');
    if (cmd === 'sh' && args.length === 2 && args[0] === '-c') return await script(host, u, args[1]!, io);
    if (cmd === 'true' && !args.length) return 0;
    if (cmd === 'id' && (a === '-un' || a === '-u' || a === '-nG')) {
      io.out(`${a === '-un' ? u.name : a === '-u' ? u.uid : u.groups.join(' ')}\n`);
      return 0;
    }
    if (cmd === 'getent' && args.length === 2 && args[0] === 'passwd') {
      const x = host.user(args[1]!);
      if (!x) return 2;
      io.out(`${passwdLine(x)}\n`);
      return 0;
    }
    if (cmd === 'useradd' && args.length === 8 && a.startsWith('--create-home --shell /bin/bash --password * --groups docker ') && /^[a-z_][a-z0-9_-]*$/.test(args[7]!))
      return useradd(host, u, args);
    if (cmd === 'docker') return await docker(host, u, args, io);
    io.err(`sh: 1: ${cmd}: not found\n`);
    return 127;
  } catch (e) {
    if (!(e instanceof ExecError)) throw e;
    io.err(`${e.message}\n`);
    return e.code;
  }
}
