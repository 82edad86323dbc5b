import ssh2, { type ConnectConfig, type ParsedKey } from 'ssh2';
import { join, type Argv } from './shell.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  /** Each line of output as it arrives (the live view shows a tail of it). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface HostSession {
  exec(argv: Argv, opts?: ExecOptions): Promise<ExecResult>;
  close(): void;
  readonly hostKey: { type: string; blob: Buffer };
  readonly stats: { execs: number; connectMs: number };
}

export type AuthSource =
  | { kind: 'agent'; socket: string }
  | { kind: 'key'; label: string; key: ParsedKey };

export interface ConnectOptions {
  host: string;
  port: number;
  username: string;
  auth: AuthSource[];
  /** Decides on the server's key; ssh2 trusts any key unless this is set. */
  verifyHostKey: (blob: Buffer) => Promise<boolean>;
  hostKeyAlgorithms?: string[];
  timing?: SshTiming;
}

/**
 * How long to wait for a host. The handshake has readyTimeoutMs; after it, a keepalive goes
 * out every keepaliveIntervalMs and the connection counts as dead once keepaliveCountMax of
 * them in a row went unanswered (about interval × (countMax + 1)). A running command keeps
 * sshd answering them, so a long quiet command is not mistaken for a dead host.
 */
export interface SshTiming {
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

export const SSH_TIMING: Required<SshTiming> = { readyTimeoutMs: 20_000, keepaliveIntervalMs: 10_000, keepaliveCountMax: 3 };

export class ConnectError extends Error {
  constructor(
    message: string,
    readonly code: 'refused' | 'dns' | 'timeout' | 'auth' | 'host-key' | 'other',
  ) {
    super(message);
  }
}

function classify(e: Error & { code?: string; level?: string }): ConnectError['code'] {
  if (e.code === 'ECONNREFUSED') return 'refused';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'dns';
  if (e.code === 'ETIMEDOUT' || /Timed out while waiting for handshake/.test(e.message)) return 'timeout';
  if (e.level === 'client-authentication' || /authentication methods failed/i.test(e.message)) return 'auth';
  if (/verification failed|Host denied/i.test(e.message)) return 'host-key';
  return 'other';
}

export function connect(o: ConnectOptions): Promise<HostSession> {
  const started = Date.now();
  const client = new ssh2.Client();
  let hostKey: { type: string; blob: Buffer } | undefined;
  const queue = [...o.auth];
  const timing = { ...SSH_TIMING, ...o.timing };
  const config: ConnectConfig = {
    host: o.host,
    port: o.port,
    username: o.username,
    readyTimeout: timing.readyTimeoutMs,
    keepaliveInterval: timing.keepaliveIntervalMs,
    keepaliveCountMax: timing.keepaliveCountMax,
    hostVerifier: ((blob: Buffer, verify: (ok: boolean) => void) => {
      hostKey = { type: blob.subarray(4, 4 + blob.readUInt32BE(0)).toString(), blob: Buffer.from(blob) };
      o.verifyHostKey(blob).then(verify, () => verify(false));
    }) as unknown as ConnectConfig['hostVerifier'],
    authHandler: ((_methods: unknown, _partial: unknown, next: (m: unknown) => void) => {
      const a = queue.shift();
      if (!a) return next(false);
      if (a.kind === 'agent') return next({ type: 'agent', username: o.username, agent: a.socket });
      return next({ type: 'publickey', username: o.username, key: a.key });
    }) as unknown as ConnectConfig['authHandler'],
    ...(o.hostKeyAlgorithms ? { algorithms: { serverHostKey: o.hostKeyAlgorithms as never } } : {}),
  };
  return new Promise((resolve, reject) => {
    client.once('error', (e: Error & { code?: string; level?: string }) => reject(new ConnectError(e.message, classify(e))));
    client.once('ready', () => {
      client.removeAllListeners('error');
      // Each exec is a few small packets; Nagle's algorithm would hold each one ~40 ms.
      client.setNoDelay(true);
      const pending = new Set<(e: Error) => void>();
      // Set once the connection is gone; an exec after that fails at once.
      let lost: ConnectError | undefined;
      const fail = (e: ConnectError) => {
        lost ??= e;
        for (const f of [...pending]) f(lost);
      };
      // Errors after the handshake surface through the exec that was running. A host that
      // stopped answering may never close the TCP connection: fail on the error itself.
      client.on('error', (e: Error & { level?: string }) => {
        if (e.level === 'client-timeout' || /keepalive/i.test(e.message)) {
          const waited = Math.round((timing.keepaliveIntervalMs * (timing.keepaliveCountMax + 1)) / 100) / 10;
          fail(new ConnectError(`${o.host}:${o.port} stopped answering (no reply over SSH for ${waited} s)`, 'timeout'));
        } else fail(new ConnectError(`the SSH connection failed (${e.message})`, 'other'));
        client.destroy();
      });
      client.on('close', () => fail(new ConnectError(`the SSH connection to ${o.host}:${o.port} was lost`, 'other')));
      const stats = { execs: 0, connectMs: Date.now() - started };
      resolve({
        hostKey: hostKey!,
        stats,
        close: () => client.end(),
        exec: (argv, opts = {}) =>
          new Promise<ExecResult>((resolveExec, rejectExec) => {
            stats.execs++;
            if (lost) return rejectExec(lost);
            const rej = (e: Error) => {
              pending.delete(rej);
              rejectExec(e);
            };
            const res = (r: ExecResult) => {
              pending.delete(rej);
              resolveExec(r);
            };
            pending.add(rej);
            const onStream = (err: Error | undefined, stream: import('ssh2').ClientChannel) => {
              if (err) return rej(new ConnectError(`the host refused to run a command: ${err.message}`, 'other'));
              const out: Buffer[] = [];
              const errOut: Buffer[] = [];
              const partial = { stdout: '', stderr: '' };
              const feed = (which: 'stdout' | 'stderr', chunk: Buffer) => {
                (which === 'stdout' ? out : errOut).push(chunk);
                if (!opts.onLine) return;
                const text = partial[which] + chunk.toString('utf8');
                const lines = text.split('\n');
                partial[which] = lines.pop() ?? '';
                for (const l of lines) opts.onLine(l.replace(/\r$/, ''), which);
              };
              let code = -1;
              stream.on('data', (c: Buffer) => feed('stdout', c));
              stream.stderr.on('data', (c: Buffer) => feed('stderr', c));
              stream.on('exit', (c: number | null) => {
                code = c ?? -1;
              });
              stream.on('close', () => {
                if (opts.onLine) for (const w of ['stdout', 'stderr'] as const) if (partial[w]) opts.onLine(partial[w], w);
                res({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') });
              });
              if (opts.stdin !== undefined) stream.end(opts.stdin);
              else stream.end();
            };
            try {
              client.exec(join(argv), onStream);
            } catch (e) {
              // ssh2 throws synchronously once the connection is gone.
              rej(new ConnectError(`the SSH connection was lost (${(e as Error).message})`, 'other'));
            }
          }),
      });
    });
    client.connect(config);
  });
}
