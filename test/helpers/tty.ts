// Runs the program in a real pseudo-terminal: a tmux pane on a private tmux server.
//
//   const t = await startTty({ argv: [BIN, '--demo'], env: { PATH, HOME } });
//   await t.waitFor(/◆  GitHub repository/);   // polls the pane, 30 s at most
//   await t.type('acme/app'); await t.keys('Enter');
//   assert.equal(await t.exit(), 0);
//   t.raw();    // every byte the pane received (tmux pipe-pane), escapes included
//   t.stty();   // `stty -a` of the pane, run right after the program ended
//   await t.close();
//
// The tmux server is started through `env -i` with exactly the environment given, so the
// program inherits nothing from the test runner (no CI, no NO_COLOR, no TMUX).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const WAIT_MS = 30_000;
const POLL_MS = 100;

/** Why the terminal tests cannot run here, or false. */
export const skipWithoutTmux = (): string | false => (whichSync('tmux') ? false : 'needs tmux (CI installs it)');

function whichSync(cmd: string): string | undefined {
  for (const d of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) if (d && existsSync(join(d, cmd))) return join(d, cmd);
  return undefined;
}

/** A single-quoted word for sh. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TtyOptions {
  /** The program and its arguments; run by the pane's shell. */
  argv: string[];
  /** The program's whole environment (PATH and HOME at least). */
  env: Record<string, string>;
  cols?: number;
  rows?: number;
  /** Working directory of the program; default: a fresh temporary folder. */
  cwd?: string;
}

export interface Tty {
  /** Temporary folder holding the socket, the raw log and the exit files; removed by close(). */
  dir: string;
  /** The pane's text with its scrollback, wrapped lines joined (`capture-pane -p -J -S -1000`). */
  screen(): Promise<string>;
  /** Only what is on screen now. */
  visible(): Promise<string>;
  /** What is on screen now, row by row as displayed: wrapped lines are not joined (`capture-pane -p`). */
  rows(): Promise<string>;
  /** Resizes the pane's window to `cols` x `rows` (the program gets SIGWINCH). */
  resize(cols: number, rows: number): Promise<void>;
  /** Types literal text (no key names). */
  type(text: string): Promise<void>;
  /** Presses keys by tmux name: 'Enter', 'C-c', 'C-u', 'BSpace', 'y'... */
  keys(...keys: string[]): Promise<void>;
  /** Polls the pane until `pattern` matches it (or `test` returns true); returns the screen. */
  waitFor(pattern: RegExp | string | ((screen: string) => boolean), o?: { timeoutMs?: number; what?: string }): Promise<string>;
  /** Resolves with the program's exit status once it has ended. */
  exit(timeoutMs?: number): Promise<number>;
  /** The raw output the pane received so far (tmux pipe-pane), escapes included. */
  raw(): string;
  /** `stty -a` of the pane after the program ended ('' before). */
  stty(): string;
  close(): Promise<void>;
}

export async function startTty(o: TtyOptions): Promise<Tty> {
  const dir = mkdtempSync(join(tmpdir(), 'clh-tty-'));
  const sock = join(dir, 'sock');
  const f = (n: string) => join(dir, n);
  const conf = f('tmux.conf');
  writeFileSync(conf, 'set -g status off\nset -g history-limit 10000\nset -g remain-on-exit on\n');
  writeFileSync(f('raw'), '');
  const tmux = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile('tmux', ['-S', sock, '-f', conf, ...args], { env: o.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`tmux ${args[0]}: ${stderr || err.message}`)) : resolve(stdout),
      ),
    );
  // The pane waits for `go` so that pipe-pane is attached before the first byte is written;
  // after the program, the terminal's mode is recorded, then the exit status (atomically).
  const script = [
    `while [ ! -e ${shq(f('go'))} ]; do sleep 0.02; done`,
    o.argv.map(shq).join(' '),
    'c=$?',
    `stty -a > ${shq(f('stty'))} 2>&1`,
    `echo $c > ${shq(f('exit.tmp'))}`,
    `mv ${shq(f('exit.tmp'))} ${shq(f('exit'))}`,
    'exec sleep 3600',
  ].join('; ');
  const cwd = o.cwd ?? mkdtempSync(join(dir, 'cwd-'));
  const name = 'clh';
  // `env -i`: the server (and so the pane) gets exactly o.env.
  await new Promise<void>((resolve, reject) =>
    execFile(
      'env',
      ['-i', ...Object.entries(o.env).map(([k, v]) => `${k}=${v}`), 'tmux', '-S', sock, '-f', conf, 'new-session', '-d', '-s', name, '-x', String(o.cols ?? 100), '-y', String(o.rows ?? 50), '-c', cwd, script],
      (err, _out, stderr) => (err ? reject(new Error(`tmux new-session: ${stderr || err.message}`)) : resolve()),
    ),
  );
  await tmux(['pipe-pane', '-t', name, '-o', `cat >> ${shq(f('raw'))}`]);
  writeFileSync(f('go'), '');

  const screen = () => tmux(['capture-pane', '-t', name, '-p', '-J', '-S', '-1000']);
  const matches = (p: RegExp | string | ((s: string) => boolean), s: string) =>
    typeof p === 'function' ? p(s) : typeof p === 'string' ? s.includes(p) : p.test(s);
  const t: Tty = {
    dir,
    screen,
    visible: () => tmux(['capture-pane', '-t', name, '-p', '-J']),
    rows: () => tmux(['capture-pane', '-t', name, '-p']),
    resize: async (cols, rows) => void (await tmux(['resize-window', '-t', name, '-x', String(cols), '-y', String(rows)])),
    type: async (text) => void (await tmux(['send-keys', '-t', name, '-l', text])),
    keys: async (...keys) => void (await tmux(['send-keys', '-t', name, ...keys])),
    async waitFor(p, w = {}) {
      const until = Date.now() + (w.timeoutMs ?? WAIT_MS);
      let s = '';
      for (;;) {
        s = await screen();
        if (matches(p, s)) return s;
        if (Date.now() > until) break;
        await sleep(POLL_MS);
      }
      const exited = existsSync(f('exit')) ? ` (the program exited with ${readFileSync(f('exit'), 'utf8').trim()})` : '';
      throw new Error(`timed out waiting for ${w.what ?? String(p)}${exited}; the screen:\n${s}`);
    },
    async exit(timeoutMs = WAIT_MS) {
      const until = Date.now() + timeoutMs;
      while (!existsSync(f('exit'))) {
        if (Date.now() > until) throw new Error(`the program did not exit within ${timeoutMs} ms; the screen:\n${await screen()}`);
        await sleep(POLL_MS);
      }
      return Number(readFileSync(f('exit'), 'utf8').trim());
    },
    raw: () => readFileSync(f('raw'), 'utf8'),
    stty: () => (existsSync(f('stty')) ? readFileSync(f('stty'), 'utf8') : ''),
    async close() {
      await tmux(['kill-server']).catch(() => {});
      // CLH_TTY_KEEP=1: keep the raw log, the stty output and the exit status to look at.
      if (process.env.CLH_TTY_KEEP) process.stderr.write(`tty kept: ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** `stty -a` says the terminal is back in its normal mode: line editing, echo and signals on. */
export function sttyRestored(stty: string): { icanon: boolean; echo: boolean; isig: boolean } {
  const flags = new Set(stty.split(/[\s;]+/));
  return { icanon: flags.has('icanon'), echo: flags.has('echo'), isig: flags.has('isig') };
}

/** The last cursor-visibility escape written was "show" (or none was written). */
export function cursorShownAtEnd(raw: string): boolean {
  return raw.lastIndexOf('\u001b[?25h') >= raw.lastIndexOf('\u001b[?25l');
}

/** The line clack draws under the prompt waiting for an answer. */
export const promptOpen = (screen: string): boolean => screen.trimEnd().split('\n').pop()?.trim() === '└';
