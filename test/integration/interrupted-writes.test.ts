// Issue 7, item 1: a write to the host that is cut short (the stream ends early, the
// connection drops, the program dies on Ctrl-C) leaves the old file or the whole new one,
// never a part, and no temp file. Every streamed write goes through the real step code,
// the real builders and the real ssh2 transport to the real sshd of the harness; only the
// stream is cut, by a wrapper around the session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ssh2, { type ClientChannel } from 'ssh2';
import { authorizeKey, removeKeys } from '../../src/host/commands.js';
import { asUser } from '../../src/host/shell.js';
import { parsePrivateKey } from '../../src/host/connect.js';
import { checkHostKey } from '../../src/host/known-hosts.js';
import { PROXY_FILE, SHIM_MARKER, SHIM_PATH, SHIM_TEXT } from '../../src/host/layout.js';
import { join, quote, type Argv } from '../../src/host/shell.js';
import { connect, ConnectError, type HostSession } from '../../src/host/transport.js';
import { StepError } from '../../src/errors.js';
import { applyProxy } from '../../src/steps/proxy.js';
import { renderProxyCompose } from '../../src/steps/proxy-compose.js';
import { applyShim } from '../../src/steps/shim.js';
import type { ApplyContext } from '../../src/steps/types.js';
import { startSshd, type TestHost } from '../harness/sshd.js';
import { requireSshd, skipWithoutSshd } from '../helpers/world.js';

const DEPLOY = 'deploy';
const HOME = `/home/${DEPLOY}`;
const PROXY_PATH = `${HOME}/${PROXY_FILE}`;
const AK = `${HOME}/.ssh/authorized_keys`;
const EMAIL = 'ops@acme.io';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Where the stream stops: `eof` ends it early (what the host sees when the client goes
 * away), `drop` kills the connection and its sessions on the host with the stream still
 * open (sshd's per-connection process gone), `vanish` closes the client's socket with the
 * stream still open (what Ctrl-C does: the program exits, the kernel closes the socket).
 */
interface Cut {
  how: 'eof' | 'drop' | 'vanish';
  name: string;
  at: (size: number) => number;
}
const AT = [
  { name: 'after 0 bytes', at: () => 0 },
  { name: 'after half', at: (n: number) => Math.floor(n / 2) },
  { name: 'after all but one byte', at: (n: number) => n - 1 },
];
const CUTS: Cut[] = [
  ...AT.map((a) => ({ how: 'eof' as const, name: `stream ends ${a.name}`, at: a.at })),
  ...AT.map((a) => ({ how: 'vanish' as const, name: `client vanishes ${a.name}`, at: a.at })),
  { how: 'drop', name: 'connection dropped after half', at: AT[1]!.at },
];

describe('interrupted writes leave the old file or the whole new one', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let h: TestHost;
  let who: { user: string; uid: number };

  const verifyHostKey = async (blob: Buffer) => checkHostKey(readFileSync(h.knownHostsFile, 'utf8'), h.host, h.port, blob).kind === 'known';
  const login = () =>
    connect({
      host: h.host,
      port: h.port,
      username: h.user,
      auth: [{ kind: 'key', label: 'login key', key: parsePrivateKey(readFileSync(h.loginKey), 'login key') }],
      verifyHostKey,
      timing: { readyTimeoutMs: 10_000 },
    });

  const root = async (script: string) => {
    const r = await h.run(script);
    assert.equal(r.code, 0, `${script}\n${r.stderr}`);
    return r.stdout;
  };
  /** Content (base64), mode and owner, or "absent": what a reader on the host would find. */
  const fileState = (path: string) =>
    root(`if [ -e ${quote(path)} ]; then stat -c '%a %U' ${quote(path)}; base64 -w0 < ${quote(path)}; else printf absent; fi`);
  const entries = async (dir: string) => (await root(`ls -A1 ${quote(dir)} 2>/dev/null || true`)).split('\n').filter(Boolean).sort();
  const temps = async (dir: string) => (await entries(dir)).filter((e) => /^\.(clh|authorized_keys)\./.test(e));
  const procs = (file: 'cmdline' | 'comm', re: RegExp) =>
    h.processes().filter((pid) => {
      try {
        return re.test(readFileSync(`/proc/${pid}/${file}`, 'latin1'));
      } catch {
        return false; // gone meanwhile
      }
    }).length;
  /** Write scripts still running on the host: every one has the mktemp template in its command line. */
  const writers = async () => procs('cmdline', /\.(clh|authorized_keys)\.XXXXXX/);
  /** The write script's `cat` is reading the upload (past sudo, runuser and the shell's start). */
  const reading = async () => procs('comm', /^cat$/m);

  async function until(what: string, ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A bare ssh2 client: the transport always ends stdin, this one holds it open. */
  function rawClient(): Promise<ssh2.Client> {
    const hostKey = Buffer.from(h.hostPublicKey.split(' ')[1]!, 'base64');
    return new Promise((resolve, reject) => {
      const c = new ssh2.Client();
      c.once('ready', () => resolve(c));
      c.once('error', reject);
      c.connect({ host: h.host, port: h.port, username: h.user, privateKey: readFileSync(h.loginKey), hostVerifier: (k: Buffer) => k.equals(hostKey), readyTimeout: 10_000 });
    });
  }
  const rawExec = (c: ssh2.Client, argv: Argv) =>
    new Promise<ClientChannel>((resolve, reject) => c.exec(join(argv), (e, ch) => (e ? reject(e) : resolve(ch))));

  /** Sends `part` of a write with the channel left open, then ends the connection `how`. */
  async function heldOpen(argv: Argv, part: Buffer, how: 'drop' | 'vanish'): Promise<void> {
    const c = await rawClient();
    c.on('error', () => {});
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    const ch = await rawExec(c, argv);
    ch.on('data', () => {});
    ch.stderr.on('data', () => {});
    await new Promise<void>((r) => (part.length ? ch.write(part, () => r()) : r()));
    // A second exec on the same connection answers after sshd has handled the bytes before it.
    const ping = await rawExec(c, ['true']);
    await new Promise<void>((r) => ping.on('close', () => r()).resume());
    await until('the write script to read the upload', async () => (await reading()) > 0);
    if (how === 'drop') await h.dropConnections();
    else c.destroy();
    await closed;
    await until('the write script to end', async () => (await writers()) === 0);
  }

  /** The session the steps get: its first streamed write is cut, everything else is real. */
  function cutting(s: HostSession, cut: Cut): HostSession {
    let done = false;
    return {
      hostKey: s.hostKey,
      stats: s.stats,
      close: () => s.close(),
      async exec(argv, opts = {}) {
        if (opts.stdin === undefined || done) return s.exec(argv, opts);
        done = true;
        const all = Buffer.from(opts.stdin);
        const part = all.subarray(0, cut.at(all.length));
        assert.ok(part.length < all.length);
        if (cut.how === 'eof') return s.exec(argv, { ...opts, stdin: part });
        await heldOpen(argv, part, cut.how);
        throw new ConnectError('the SSH connection was lost while a command ran', 'other');
      },
    };
  }

  const ctxFor = (host: HostSession, proxySha?: string) =>
    ({
      ins: { facts: { user: who.user, uid: who.uid, proxyFile: { sha256: proxySha } }, settings: { deployUser: DEPLOY, email: EMAIL }, repo: { proxyGeneration: 'bridge' } },
      deployHome: HOME,
      host,
      emit: () => {},
    }) as unknown as ApplyContext;

  /** One look at the host: each path's state (as fileState), then any temp file in `dirs`. */
  const snapshot = async (paths: string[], dirs: string[]) => {
    const lines = await root(
      [
        ...paths.map((p) => `if [ -e ${quote(p)} ]; then stat -c '%a %U' ${quote(p)} | tr '\\n' ' '; base64 -w0 < ${quote(p)}; echo; else echo absent; fi`),
        ...dirs.map((d) => `for e in ${quote(d)}/.clh.* ${quote(d)}/.authorized_keys.*; do if [ -e "$e" ]; then echo "temp $e"; fi; done`),
      ].join('\n'),
    );
    const all = lines.split('\n').filter(Boolean);
    return { files: all.slice(0, paths.length), temps: all.slice(paths.length) };
  };

  /** Runs `step` once per cut from `setup`'s state and checks that state is all that is left. */
  async function everyCut(o: { setup: () => Promise<void>; step: (ctx: ApplyContext) => Promise<string>; paths: string[]; dirs: string[]; failure: RegExp; cuts?: Cut[] }) {
    for (const cut of o.cuts ?? CUTS) {
      await o.setup();
      const before = await snapshot(o.paths, o.dirs);
      assert.deepEqual(before.temps, []);
      const s = await login();
      try {
        await assert.rejects(o.step(ctxFor(cutting(s, cut))), (e) => {
          assert.ok(e instanceof StepError, String(e));
          if (cut.how === 'eof') assert.match(e.cause_, o.failure, cut.name);
          else assert.match(e.cause_, /connection was lost/, cut.name);
          return true;
        }, cut.name);
      } finally {
        s.close();
      }
      const after = await snapshot(o.paths, o.dirs);
      assert.deepEqual(after.files, before.files, `${cut.name}: the host's files are as they were`);
      assert.deepEqual(after.temps, [], `${cut.name}: no temp file left`);
    }
  }

  async function complete<T>(step: (ctx: ApplyContext) => Promise<T>, proxySha?: string): Promise<T> {
    const s = await login();
    try {
      return await step(ctxFor(s, proxySha));
    } finally {
      s.close();
    }
  }

  before(async () => {
    requireSshd();
    h = await startSshd();
    await root(`useradd --create-home --shell /bin/sh --groups docker ${DEPLOY}`);
    who = { user: h.user, uid: Number(await root(`id -u ${h.user}`)) };
    assert.ok(who.uid > 0, 'the login user is not root: writes go through sudo and runuser');
  });
  after(async () => h?.stop());

  const shimFailure = /writing \/usr\/local\/bin\/docker-compose failed \(exit 1\): .*the upload was cut short or changed/;
  const shimState = (content: string) => `755 root\n${Buffer.from(content).toString('base64')}`;

  test('the shim, on a host without docker-compose: none after a cut; a re-run installs it whole, no .orig', async () => {
    await everyCut({ setup: () => root(`rm -f ${SHIM_PATH} ${SHIM_PATH}.orig`).then(() => {}), step: applyShim, paths: [SHIM_PATH, `${SHIM_PATH}.orig`], dirs: ['/usr/local/bin'], failure: shimFailure });
    assert.equal(await fileState(SHIM_PATH), 'absent');
    await complete(applyShim);
    assert.equal(await fileState(SHIM_PATH), shimState(SHIM_TEXT));
    assert.equal(await fileState(`${SHIM_PATH}.orig`), 'absent');
    assert.equal((await h.ssh(['docker-compose', 'version', '--short'])).code, 0, 'the shim runs docker compose');
  });

  test('the shim over a foreign docker-compose: kept untouched after a cut, no .orig; a re-run keeps it as .orig', async () => {
    const v1 = '#!/bin/sh\n# docker-compose 1.29.2, installed by hand\necho "docker-compose version 1.29.2"\n';
    const setup = () => root(`rm -f ${SHIM_PATH}.orig; printf '%s' ${quote(v1)} > ${SHIM_PATH}; chmod 755 ${SHIM_PATH}`).then(() => {});
    await everyCut({ setup, step: applyShim, paths: [SHIM_PATH, `${SHIM_PATH}.orig`], dirs: ['/usr/local/bin'], failure: shimFailure });
    assert.equal(await fileState(SHIM_PATH), shimState(v1));
    await complete(applyShim);
    assert.equal(await fileState(SHIM_PATH), shimState(SHIM_TEXT));
    assert.equal(await fileState(`${SHIM_PATH}.orig`), shimState(v1));
    // A second complete run keeps the first backup, not our shim.
    await complete(applyShim);
    assert.equal(await fileState(`${SHIM_PATH}.orig`), shimState(v1));
  });

  test('the shim an interrupted older version left (empty, 0755, and an empty .orig): a re-run keeps neither', async () => {
    const setup = () => root(`: > ${SHIM_PATH}; chmod 755 ${SHIM_PATH}; cp -p ${SHIM_PATH} ${SHIM_PATH}.orig`).then(() => {});
    const cuts = CUTS.filter((c) => c.name.endsWith('after half'));
    await everyCut({ setup, step: applyShim, paths: [SHIM_PATH, `${SHIM_PATH}.orig`], dirs: ['/usr/local/bin'], failure: shimFailure, cuts });
    await complete(applyShim);
    assert.equal(await fileState(SHIM_PATH), shimState(SHIM_TEXT));
    assert.equal(await fileState(`${SHIM_PATH}.orig`), 'absent', 'docker-compose.orig is not our empty shim');
    // Nor a partial one, nor an older shim with the marker.
    for (const left of [SHIM_TEXT.slice(0, 20), `#!/bin/sh\n${SHIM_MARKER}\nexec docker compose "$@"\n`]) {
      await root(`rm -f ${SHIM_PATH}.orig; printf '%s' ${quote(left)} > ${SHIM_PATH}`);
      await complete(applyShim);
      assert.equal(await fileState(SHIM_PATH), shimState(SHIM_TEXT));
      assert.equal(await fileState(`${SHIM_PATH}.orig`), 'absent', JSON.stringify(left));
    }
    assert.deepEqual(await temps('/usr/local/bin'), []);
  });

  const proxyFailure = new RegExp(`uploading ${PROXY_PATH} failed \\(exit 1\\): .*the upload was cut short or changed`);
  const proxyDir = PROXY_PATH.slice(0, PROXY_PATH.lastIndexOf('/'));
  const proxyState = (content: string) => `600 ${DEPLOY}\n${Buffer.from(content).toString('base64')}`;

  test('the proxy compose file, first upload: none after a cut; a re-run uploads it whole and starts the proxy', async () => {
    await everyCut({ setup: () => root(`rm -rf ${HOME}/.deploy`).then(() => {}), step: applyProxy, paths: [PROXY_PATH], dirs: [proxyDir], failure: proxyFailure });
    assert.equal(await fileState(PROXY_PATH), 'absent');
    assert.match(await complete(applyProxy), /proxy running/);
    assert.equal(await fileState(PROXY_PATH), proxyState(renderProxyCompose('bridge', EMAIL)));
    assert.deepEqual(await temps(proxyDir), []);
  });

  test('the proxy compose file, an update: the old file stays whole after a cut; a re-run replaces it', async () => {
    const old = renderProxyCompose('bridge', 'old@acme.io');
    const setup = async () => {
      await root(`runuser -u ${DEPLOY} -- sh -c ${quote(`umask 077; mkdir -p ${proxyDir}; printf '%s' ${quote(old)} > ${PROXY_PATH}`)}`);
    };
    await everyCut({ setup, step: (ctx) => applyProxy(ctx), paths: [PROXY_PATH], dirs: [proxyDir], failure: proxyFailure });
    assert.equal(await fileState(PROXY_PATH), proxyState(old));
    assert.match(await complete(applyProxy, sha(old)), /proxy running/);
    assert.equal(await fileState(PROXY_PATH), proxyState(renderProxyCompose('bridge', EMAIL)));
  });

  test('a full disk: the upload fails, the old file stays, no temp file; with room again it is written', async () => {
    const old = renderProxyCompose('bridge', 'old@acme.io');
    await root(`rm -rf ${HOME}/.deploy; runuser -u ${DEPLOY} -- mkdir -p ${proxyDir}`);
    // One 4 KiB page: the old file fills it, the new one finds no room.
    await root(`mount -t tmpfs -o size=4k,mode=700,uid=$(id -u ${DEPLOY}),gid=$(id -g ${DEPLOY}) clh-full ${proxyDir}`);
    try {
      await root(`runuser -u ${DEPLOY} -- sh -c ${quote(`umask 077; printf '%s' ${quote(old)} > ${PROXY_PATH}`)}`);
      await assert.rejects(complete(applyProxy, sha(old)), (e) => e instanceof StepError && /uploading .* failed \(exit \d+\)/.test(e.cause_));
      assert.equal(await fileState(PROXY_PATH), proxyState(old));
      assert.deepEqual(await temps(proxyDir), []);
    } finally {
      await root(`umount ${proxyDir}`);
    }
    assert.match(await complete(applyProxy), /proxy running/);
    assert.equal(await fileState(PROXY_PATH), proxyState(renderProxyCompose('bridge', EMAIL)));
  });

  const loginLine = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIlogin me@laptop';
  const oldKey = 'no-port-forwarding ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIold create-litestream-host acme/app 2026-01-01';
  const newKey = 'no-port-forwarding ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAInew create-litestream-host acme/app 2026-11-23';
  const seedKeys = (text: string) =>
    root(`runuser -u ${DEPLOY} -- sh -c ${quote(`umask 077; mkdir -p ${HOME}/.ssh; printf '%s' ${quote(text)} > ${AK}`)}`);
  const akState = (text: string) => `600 ${DEPLOY}\n${Buffer.from(text).toString('base64')}`;

  test('authorized_keys edits carry their whole content in the command: with stdin held open they still finish', async () => {
    // Nothing streams, so no cut of the stream can shorten them: the exec request is one packet.
    await seedKeys(`${loginLine}\n${oldKey}\n`);
    const c = await rawClient();
    try {
      for (const [argv, want] of [
        [authorizeKey(HOME, newKey), `${loginLine}\n${oldKey}\n${newKey}\n`],
        [removeKeys(HOME, ['AAAAC3NzaC1lZDI1NTE5AAAAIold']), `${loginLine}\n${newKey}\n`],
      ] as const) {
        const ch = await rawExec(c, asUser(argv, DEPLOY, who));
        ch.stderr.on('data', () => {});
        const code = await new Promise<number>((r) => ch.on('exit', (n: number) => r(n)).resume());
        assert.equal(code, 0);
        assert.equal(await fileState(AK), akState(want));
      }
    } finally {
      c.end();
    }
    assert.deepEqual(await temps(`${HOME}/.ssh`), []);
  });

  test('authorized_keys edits on a full disk: the file stays as it was, no temp file; with room again they succeed', async () => {
    // Two pages of keys in a three-page tmpfs: the temp copy gets its first page, not its second.
    const filler = Array.from({ length: 60 }, (_, i) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIfiller${String(i).padStart(40, '0')} hand-${i}`);
    const text = `${loginLine}\n${oldKey}\n${filler.join('\n')}\n`;
    assert.ok(text.length > 4096 && text.length < 8192);
    await root(`rm -rf ${HOME}/.ssh; runuser -u ${DEPLOY} -- mkdir -m 700 ${HOME}/.ssh`);
    await root(`mount -t tmpfs -o size=12k,mode=700,uid=$(id -u ${DEPLOY}),gid=$(id -g ${DEPLOY}) clh-full ${HOME}/.ssh`);
    const s = await login();
    try {
      await seedKeys(text);
      for (const argv of [authorizeKey(HOME, newKey), removeKeys(HOME, ['AAAAC3NzaC1lZDI1NTE5AAAAIold'])]) {
        const r = await s.exec(asUser(argv, DEPLOY, who));
        assert.notEqual(r.code, 0, r.stderr);
        assert.match(r.stderr, /No space left on device|write (error|failure)/i);
        assert.equal(await fileState(AK), akState(text));
        assert.deepEqual(await temps(`${HOME}/.ssh`), []);
      }
      await root(`mount -o remount,size=64k ${HOME}/.ssh`);
      assert.equal((await s.exec(asUser(authorizeKey(HOME, newKey), DEPLOY, who))).code, 0);
      assert.equal(await fileState(AK), akState(`${text}${newKey}\n`));
      assert.equal((await s.exec(asUser(removeKeys(HOME, ['AAAAC3NzaC1lZDI1NTE5AAAAIold']), DEPLOY, who))).code, 0);
      assert.equal(await fileState(AK), akState(`${text.replace(`${oldKey}\n`, '')}${newKey}\n`));
      assert.deepEqual(await entries(`${HOME}/.ssh`), ['authorized_keys']);
    } finally {
      s.close();
      await root(`umount ${HOME}/.ssh`);
    }
  });
});
