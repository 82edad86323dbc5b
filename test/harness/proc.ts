// Child processes for the storage harness: spawned with `setpriv --pdeathsig SIGKILL` (so
// they die with this node process even on SIGKILL), tracked by PID, stopped by PID, with a
// last-chance cleanup on exit. Used by litestream.ts and the storage-*.ts servers.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
}

export interface ExecOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function which(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '').split(':').concat(['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'])) {
    if (d && existsSync(join(d, cmd))) return join(d, cmd);
  }
  return null;
}

const SETPRIV = which('setpriv');

/** argv wrapped so the child gets SIGKILL when this process dies (setpriv execs, so the PID stays the child's). */
export function withDeathSignal(argv: string[]): string[] {
  return SETPRIV ? [SETPRIV, '--pdeathsig', 'SIGKILL', '--', ...argv] : argv;
}

/** A shell's exit status for a child killed by a signal: 128 + its number. */
const exitCodeOfSignal = (signal: NodeJS.Signals | null): number => (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);

/** Runs argv to completion; never throws for a non-zero exit. Killed (SIGKILL) after timeoutMs (default 60 s). */
export function exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const full = withDeathSignal(argv);
    const child = spawn(full[0]!, full.slice(1), { cwd: opts.cwd ?? '/', env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[harness] ${argv[0]} killed after ${opts.timeoutMs ?? 60_000} ms`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? exitCodeOfSignal(signal), stdout, stderr, ms: Math.round(performance.now() - started) });
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
  });
}

export interface Daemon {
  pid: number;
  child: ChildProcess;
  /** stdout and stderr so far, in arrival order. */
  output(): string;
  /** Resolves with the first match of re in the output; rejects when the process exits first or after timeoutMs. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after graceMs (default 10000: Litestream syncs once more on SIGTERM); resolves with the exit code (or 128+signal). Idempotent. */
  stop(graceMs?: number): Promise<number>;
}

/** Starts a long-running process (stdin closed), tracked by PID. */
export function startDaemon(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Daemon {
  const full = withDeathSignal(argv);
  const child = spawn(full[0]!, full.slice(1), { cwd: opts.cwd ?? '/', env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (!child.pid) throw new Error(`could not spawn ${argv.join(' ')}`);
  track(child);
  const pid = child.pid;
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: string) => {
    out += d;
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    for (const l of listeners) l();
  };
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  let exitCode: number | null = null;
  const exitedP = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 0);
      for (const l of listeners) l();
      resolve(exitCode);
    });
  });
  const d: Daemon = {
    pid,
    child,
    output: () => out,
    exited: () => exitCode !== null,
    waitFor(re, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) {
            done();
            resolve(m);
          } else if (exitCode !== null) {
            done();
            reject(new Error(`${argv[0]} exited (${exitCode}) before printing ${re}; output:\n${out.slice(-4000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${argv[0]} did not print ${re} within ${timeoutMs} ms; output:\n${out.slice(-4000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 10_000) {
      if (exitCode !== null) return exitCode;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exitedP, new Promise<null>((r) => (timer = setTimeout(() => r(null), graceMs)))]);
      clearTimeout(timer);
      if (code !== null) return code;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      return exitedP;
    },
  };
  return d;
}

// ---------------------------------------------------------------- last-chance cleanup
const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let hooked = false;

function track(child: ChildProcess): void {
  hook();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Removes dir (recursively) when this process exits, unless untrackDir() was called. */
export function trackDir(dir: string): void {
  hook();
  dirs.add(dir);
}
export function untrackDir(dir: string): void {
  dirs.delete(dir);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of children) {
      if (c.pid && c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    for (const d of dirs) {
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
  });
}

/** Is a process with this PID alive (not a zombie)? */
export function pidAlive(pid: number): boolean {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = s.slice(s.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** True when something listens on 127.0.0.1:port (from /proc/net/tcp, no connection made). */
export function isListening(port: number): boolean {
  try {
    const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    return readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .some((l) => {
        const f = l.trim().split(/\s+/);
        return f[1] === want && f[3] === '0A';
      });
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP port on 127.0.0.1 where nothing listens right now (for "no network path" cases). */
export async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** What the harness's requirement checks throw: with CI set, a missing piece is a failure, not a skip. */
export function requirementError(what: string, missing: string[]): Error {
  const msg = `${what} cannot run here; missing: ${missing.join(', ')}`;
  return new Error(process.env.CI ? `${msg} (CI is set: this is a failure, install them in the CI job)` : msg);
}
