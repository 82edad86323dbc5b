/**
 * The SSH side of the droplet: an ssh2 server that lets in the keys of the virtual users'
 * authorized_keys, refuses ptys, shells and sftp, and runs each exec request on the host,
 * logging it (and the ones the droplet did not recognise).
 */
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2, { type AuthContext, type Connection, type ServerChannel } from 'ssh2';
import { parseKeyLine } from '../../host/authorized-keys.js';
import { exec } from './exec.js';
import { lines, type Host, type Io } from './host.js';

/** A listening server and what it has been asked. */
/** The droplet's SSH side: where it listens, what it was asked to run, and how it stops. */
export interface SshServer {
  port: number;
  /** Every exec request, as the client sent it, prefixed by the login user: "root: sh -c ...". */
  execLog: string[];
  /** The commands of execLog the droplet did not recognise (answered 127, "not found"). */
  unrecognised: string[];
  close(): Promise<void>;
}

/** Whether `blob` (with a valid signature, when given) is in the user's authorized_keys. */
function authorized(host: Host, user: string, ctx: AuthContext): boolean {
  if (ctx.method !== 'publickey') return false;
  const u = host.user(user);
  const f = u && host.state.files.get(`${u.home}/.ssh/authorized_keys`);
  if (!u || !f || (f.owner !== u.name && f.owner !== 'root') || (f.mode & 0o022) !== 0) return false;
  for (const l of lines(f.content)) {
    const k = parseKeyLine(l);
    if (!k) continue;
    const blob = Buffer.from(k.blob, 'base64');
    if (blob.length !== ctx.key.data.length || !timingSafeEqual(blob, ctx.key.data)) continue;
    if (!ctx.signature) return true;
    const parsed = ssh2.utils.parseKey(`${k.type} ${k.blob}`);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || key instanceof Error) continue;
    if (key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo as never) === true) return true;
  }
  return false;
}

/** Listens on a random port of 127.0.0.1 with `hostKey` (PEM) and serves `host`. */
export async function serveSsh(host: Host, hostKey: string): Promise<SshServer> {
  const execLog: string[] = [];
  const unrecognised: string[] = [];
  const clients = new Set<Connection>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const sleep = (ms: number) =>
    ms <= 0 || closed
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  const server = new ssh2.Server({ hostKeys: [hostKey], ident: 'OpenSSH_9.6p1 Ubuntu-3ubuntu13.5' }, (client) => {
    clients.add(client);
    // As sshd does for sessions: no Nagle delay on small packets (40 ms per exec otherwise).
    (client as Connection & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    let username = '';
    client.on('error', () => {});
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method === 'publickey' && authorized(host, ctx.username, ctx)) {
        username = ctx.username;
        return ctx.accept();
      }
      ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (_accept, reject) => reject?.());
        session.on('shell', (_accept, reject) => reject?.());
        session.on('sftp', (_accept, reject) => reject?.());
        session.on('subsystem', (_accept, reject) => reject?.());
        session.on('env', (accept) => accept?.());
        session.on('exec', (accept, _reject, info) => {
          const stream = accept() as ServerChannel;
          execLog.push(`${username}: ${info.command}`);
          const chunks: Buffer[] = [];
          const stdinDone = new Promise<string>((resolve) => {
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
            stream.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
          });
          const io: Io = {
            out: (t) => void (stream.writable && stream.write(t)),
            err: (t) => void (stream.writable && stream.stderr.write(t)),
            stdin: () => stdinDone,
            sleep,
          };
          const login = host.user(username)!;
          exec(host, login, info.command, io)
            .catch((e: Error) => {
              io.err(`sh: 1: internal error in the sandbox droplet: ${e.message}\n`);
              return 2;
            })
            .then((code) => {
              if (code === 127) unrecognised.push(`${username}: ${info.command}`);
              if (stream.destroyed || !stream.writable) return;
              stream.exit(code);
              stream.end();
            });
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    execLog,
    unrecognised,
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of clients) c.end();
      });
    },
  };
}
