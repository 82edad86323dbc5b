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
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2, { type AuthContext, type Connection, type ServerChannel } from 'ssh2';
import { parse as parseYaml } from 'yaml';
import { parseKeyLine } from '../host/authorized-keys.js';
import { generateDeployKey } from '../host/deploy-key.js';
import { authorizeKey, containersRunning, removeKeys, writeFileAtomic } from '../host/commands.js';
import { KEY_MARKER, PROXY_CONTAINERS, SHIM_MARKER, SHIM_PATH } from '../host/probe.js';

export const DOCKER_VERSION = '27.3.1';
export const COMPOSE_VERSION = '2.29.7';
const DOCKER_BUILD = 'ce12230';
const DOCKER_API = '1.47';
const OS = { id: 'ubuntu', version: '24.04', pretty: 'Ubuntu 24.04.1 LTS', kernel: 'Linux', arch: 'x86_64' };
/** `df -Pk` "Available" of a 50 GB droplet with a fresh Docker install. */
const DISK_FREE_KB = 41_020_312;

export interface VFile {
  content: string;
  mode: number;
  owner: string;
}

export interface VDir {
  mode: number;
  owner: string;
}

export interface VUser {
  name: string;
  uid: number;
  home: string;
  shell: string;
  /** Primary group first, as `id -nG` prints them. */
  groups: string[];
  /** What `sudo -n true` does for this user. */
  sudo: 'passwordless' | 'password';
}

export interface VContainer {
  name: string;
  image: string;
  service: string;
  project: string;
  running: boolean;
}

export interface DropletState {
  files: Map<string, VFile>;
  dirs: Map<string, VDir>;
  users: Map<string, VUser>;
  /** Names of running containers. */
  containers: Set<string>;
  /** Every container, running or not, with its compose labels. */
  containerInfo: Map<string, VContainer>;
  networks: Set<string>;
  docker: { version: string; compose: string };
}

export interface Droplet {
  host: '127.0.0.1';
  port: number;
  /** "ssh-ed25519 AAAA..." */
  hostKeyLine: string;
  /** OpenSSH private key (PEM) that logs in as root. */
  loginKey: string;
  /** SHA256:... of the host key, as ssh shows it. */
  fingerprint: string;
  state: DropletState;
  /** Every exec request, as the client sent it, prefixed by the login user: "root: sh -c ...". */
  execLog: string[];
  /** The commands of execLog the droplet did not recognise (answered 127, "not found"). */
  unrecognised: string[];
  close(): Promise<void>;
}

export interface DropletOptions {
  /** Pause between the lines `docker compose up` prints, default 120 ms (0 for tests). */
  composeDelayMs?: number;
}

// ---------------------------------------------------------------------------------------
// Shell words: the inverse of shell.ts `quote`

const SAFE_CHAR = /^[A-Za-z0-9_@%+=:,./-]$/;

/**
 * Splits a command line made by shell.ts `join` back into its words: single-quoted parts,
 * backslash escapes and safe characters, separated by spaces. Anything else (operators,
 * double quotes, `$`) is not something `join` makes: undefined.
 */
export function tokenize(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let w = '';
    while (i < line.length && line[i] !== ' ') {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return undefined;
        w += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '\\') {
        if (i + 1 >= line.length) return undefined;
        w += line[i + 1];
        i += 2;
      } else if (SAFE_CHAR.test(c)) {
        w += c;
        i++;
      } else return undefined;
    }
    words.push(w);
  }
  return words;
}

// ---------------------------------------------------------------------------------------
// Script templates: the exact text of the scripts in src/host/commands.ts, with ⟨name⟩ for a
// quoted word and ⟨*name⟩ for a space-separated list of them.

const WORD = String.raw`(?:'[^']*'|\\.|[A-Za-z0-9_@%+=:,./-])+`;

interface Template {
  re: RegExp;
  names: { name: string; list: boolean }[];
}

function template(text: string): Template {
  const names: Template['names'] = [];
  let src = '';
  for (const part of text.split(/(⟨\*?\w+⟩)/)) {
    const m = /^⟨(\*?)(\w+)⟩$/.exec(part);
    if (m) {
      names.push({ name: m[2]!, list: !!m[1] });
      src += m[1] ? `(${WORD}(?: ${WORD})*)` : `(${WORD})`;
    } else src += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return { re: new RegExp(`^${src}$`), names };
}

/** The placeholders' values, or undefined when the text is not this script (or a repeated placeholder differs). */
function matchScript(t: Template, text: string): Record<string, string[]> | undefined {
  const m = t.re.exec(text);
  if (!m) return undefined;
  const out: Record<string, string[]> = {};
  for (const [i, { name, list }] of t.names.entries()) {
    const words = tokenize(m[i + 1]!);
    if (!words || (!list && words.length !== 1)) return undefined;
    const seen = out[name];
    if (seen && seen.join('\0') !== words.join('\0')) return undefined;
    out[name] = words;
  }
  return out;
}

/**
 * The scripts the program sends, taken from its own builders with named holes, so the
 * droplet follows every change to them. A hole is a word quote() leaves bare, then
 * becomes a ⟨name⟩ of the template.
 */
const hole = (name: string) => `CLHHOLE${name}CLHHOLE`;
const fromBuilder = (argv: string[]): Template => template(argv[2]!.replace(/CLHHOLE(\w+)CLHHOLE/g, '⟨$1⟩'));
const WRITE_FILE = fromBuilder(writeFileAtomic(hole('path'), hole('mode')));
const WRITE_FILE_BACKUP = fromBuilder(writeFileAtomic(hole('path'), hole('mode'), { backupSuffix: '.orig' }));
const AUTHORIZE_KEY = fromBuilder(authorizeKey(hole('home'), hole('line')));
const REMOVE_KEYS = fromBuilder(removeKeys(hole('home'), [hole('blobs')]));
const CONTAINERS_RUNNING = fromBuilder(containersRunning());

/** Every key the probe may print that this droplet knows how to answer. */
const PROBE_KEYS = new Set([
  'os.id', 'os.version', 'os.pretty', 'os.kernel', 'os.arch', 'user', 'uid', 'groups', 'home', 'sudo',
  'docker.path', 'docker.client', 'docker.server.rc', 'docker.server', 'compose.rc', 'compose', 'containers', 'networks',
  'dc.path', 'dc.kind', 'dc.version', 'shim.exists', 'shim.sha256', 'listen', 'disk.kb',
  'du.exists', 'du.uid', 'du.home', 'du.groups', 'du.ak', 'du.keys', 'proxy.sha256', 'probe.done',
  'docker.sudo', 'group.docker', 'du.group',
]);

// ---------------------------------------------------------------------------------------
// The virtual host


const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const parentOf = (p: string) => (p.lastIndexOf('/') <= 0 ? '/' : p.slice(0, p.lastIndexOf('/')));
const lines = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

class ExecError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export function freshState(): DropletState {
  const dirs = new Map<string, VDir>();
  for (const d of ['/', '/bin', '/etc', '/home', '/root', '/tmp', '/usr', '/usr/bin', '/usr/local', '/usr/local/bin', '/var', '/var/run'])
    dirs.set(d, { mode: d === '/root' ? 0o700 : d === '/tmp' ? 0o1777 : 0o755, owner: 'root' });
  return {
    files: new Map(),
    dirs,
    users: new Map([['root', { name: 'root', uid: 0, home: '/root', shell: '/bin/bash', groups: ['root'], sudo: 'passwordless' }]]),
    containers: new Set(),
    containerInfo: new Map(),
    networks: new Set(['bridge', 'host', 'none']),
    docker: { version: DOCKER_VERSION, compose: COMPOSE_VERSION },
  };
}

interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Everything the client sent on stdin, once it closed it. */
  stdin(): Promise<string>;
  sleep(ms: number): Promise<void>;
}

class Host {
  constructor(
    readonly state: DropletState,
    readonly composeDelayMs: number,
  ) {}

  user(name: string): VUser | undefined {
    return this.state.users.get(name);
  }

  private inside(path: string, dir: string): boolean {
    return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
  }

  /** The nearest existing folder at or above `path`. */
  private existingDir(path: string): { path: string; dir: VDir } {
    let p = path;
    for (;;) {
      const d = this.state.dirs.get(p);
      if (d) return { path: p, dir: d };
      p = parentOf(p);
    }
  }

  canWriteDir(u: VUser, dir: string): boolean {
    if (u.uid === 0) return true;
    const { dir: d } = this.existingDir(dir);
    return d.owner === u.name && this.inside(dir, u.home);
  }

  canRead(u: VUser, f: VFile): boolean {
    return u.uid === 0 || f.owner === u.name || (f.mode & 0o004) !== 0;
  }

  mkdirP(u: VUser, dir: string, mode = 0o700): void {
    if (this.state.files.has(dir)) throw new ExecError(`mkdir: cannot create directory '${dir}': File exists`, 1);
    if (this.state.dirs.has(dir)) return;
    this.mkdirP(u, parentOf(dir), mode);
    if (!this.canWriteDir(u, parentOf(dir))) throw new ExecError(`mkdir: cannot create directory '${dir}': Permission denied`, 1);
    this.state.dirs.set(dir, { mode, owner: u.name });
  }

  /** Writes through a temp file and a rename in the same folder, as the scripts do. */
  writeFile(u: VUser, path: string, content: string, mode: number): void {
    const dir = parentOf(path);
    if (!this.state.dirs.has(dir)) throw new ExecError(`mktemp: failed to create file via template '${dir}/.clh.XXXXXX': No such file or directory`, 1);
    if (!this.canWriteDir(u, dir)) throw new ExecError(`mktemp: failed to create file via template '${dir}/.clh.XXXXXX': Permission denied`, 1);
    this.state.files.set(path, { content, mode, owner: u.name });
  }

  dockerAccess(u: VUser, what: string): void {
    if (u.uid === 0 || u.groups.includes('docker')) return;
    throw new ExecError(
      `permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v${DOCKER_API}/${what}": dial unix /var/run/docker.sock: connect: permission denied`,
      1,
    );
  }

  /** `docker ps` order: newest first. */
  runningNames(): string[] {
    return [...this.state.containers].reverse();
  }

  // ------------------------------------------------------------------- the probe
  probe(u: VUser, script: string): string {
    const unknown = [...script.matchAll(/(?:^|[\s;])[pb] ([a-z][a-z0-9_.]*)(?=\s)/gm)].map((m) => m[1]!).filter((k) => !PROBE_KEYS.has(k));
    if (unknown.length) throw new ExecError(`sh: 1: the sandbox droplet cannot answer probe key(s) ${[...new Set(unknown)].join(', ')}`, 127);
    const du = /^DU=(\S+)$/m.exec(script)?.[1];
    const duName = du === undefined ? undefined : tokenize(du);
    if (!duName || duName.length !== 1) throw new ExecError('sh: 1: Syntax error: the probe names no deploy user (DU=...)', 2);
    const out: string[] = [];
    const p = (k: string, v: string | number) => out.push(`${k}=${v}`);
    const b = (k: string, v: string) => out.push(`${k}=${b64(v)}`);
    Object.entries(OS).forEach(([k, v]) => p(`os.${k}`, v));
    p('user', u.name);
    p('uid', u.uid);
    p('groups', u.groups.join(' '));
    p('home', u.home);
    const sudoOk = u.uid !== 0 && u.sudo === 'passwordless';
    p('sudo', u.uid === 0 ? 'root' : sudoOk ? 'passwordless' : 'password');
    p('docker.path', '/usr/bin/docker');
    p('docker.client', `Docker version ${DOCKER_VERSION}, build ${DOCKER_BUILD}`);
    let daemonOk = true;
    try {
      this.dockerAccess(u, 'version');
      p('docker.server.rc', 0);
      b('docker.server', DOCKER_VERSION);
    } catch (e) {
      daemonOk = false;
      p('docker.server.rc', 1);
      b('docker.server', (e as Error).message);
    }
    p('compose.rc', 0);
    p('compose', COMPOSE_VERSION);
    if (daemonOk) {
      p('containers', this.runningNames().map((n) => `${n} `).join(''));
      p('networks', [...this.state.networks].sort().map((n) => `${n} `).join(''));
    }
    const shim = this.state.files.get(SHIM_PATH);
    p('dc.path', shim ? SHIM_PATH : '');
    if (shim) {
      if (shim.content.split('\n').includes(SHIM_MARKER)) p('dc.kind', 'ours');
      else p('dc.version', '');
      p('shim.exists', 1);
      p('shim.sha256', sha256(shim.content));
    }
    b('listen', '');
    p('disk.kb', DISK_FREE_KB);
    p('group.docker', 1);
    const d = this.user(duName[0]!);
    if (d) p('du.group', 1);
    if (!d) {
      p('du.exists', 0);
    } else {
      p('du.exists', 1);
      p('du.uid', d.uid);
      p('du.home', d.home);
      p('du.groups', d.groups.join(' '));
      const viaSudo = u.name !== d.name && sudoOk;
      if (u.name !== d.name && u.uid !== 0 && !viaSudo) p('du.ak', 'unreadable');
      else {
        const reader = viaSudo ? this.user('root')! : u;
        const ak = this.state.files.get(`${d.home}/.ssh/authorized_keys`);
        const keys = ak && this.canRead(reader, ak) ? ak.content : '';
        p('du.ak', 'readable');
        b('du.keys', lines(keys).filter((l) => l.includes('create-litestream-host')).join('\n'));
        const proxy = this.state.files.get(`${d.home}/.deploy/nginx-proxy/nginx-proxy-compose.yml`);
        p('proxy.sha256', proxy && this.canRead(reader, proxy) ? sha256(proxy.content) : '');
      }
    }
    p('probe.done', 1);
    return out.join('\n') + '\n';
  }

  // ------------------------------------------------------------------- scripts
  async script(u: VUser, text: string, io: Io): Promise<number> {
    if (text.includes('probe.done')) {
      io.out(this.probe(u, text));
      return 0;
    }
    let m = matchScript(WRITE_FILE_BACKUP, text) ?? matchScript(WRITE_FILE, text);
    if (m) {
      const path = m.path![0]!;
      const mode = m.mode![0]!;
      if (!path.startsWith('/') || !/^0?[0-7]{3,4}$/.test(mode)) throw new ExecError(`chmod: invalid mode: '${mode}'`, 1);
      const content = await io.stdin();
      this.mkdirP(u, parentOf(path));
      const backup = text.includes(`${path}.orig`) ? `${path}.orig` : undefined;
      const old = this.state.files.get(path);
      if (backup && old && !this.state.files.has(backup)) this.writeFile(u, backup, old.content, old.mode);
      this.writeFile(u, path, content, parseInt(mode, 8));
      return 0;
    }
    m = matchScript(AUTHORIZE_KEY, text);
    if (m) {
      const dir = `${m.home![0]!}/.ssh`;
      const line = m.line![0]!;
      this.mkdirP(u, dir);
      const d = this.state.dirs.get(dir)!;
      if (u.uid !== 0 && d.owner !== u.name) throw new ExecError(`chmod: changing permissions of '${dir}': Operation not permitted`, 1);
      d.mode = 0o700;
      const f = `${dir}/authorized_keys`;
      const old = this.state.files.get(f);
      if (old && !this.canRead(u, old)) throw new ExecError(`grep: ${f}: Permission denied`, 2);
      if (old && lines(old.content).includes(line)) return 0;
      let text2 = old?.content ?? '';
      if (text2 && !text2.endsWith('\n')) text2 += '\n';
      this.writeFile(u, f, `${text2}${line}\n`, 0o600);
      return 0;
    }
    m = matchScript(REMOVE_KEYS, text);
    if (m) {
      const dir = `${m.home![0]!}/.ssh`;
      const marker = KEY_MARKER;
      const blobs = m.blobs![0]!.split(' ').filter(Boolean);
      const f = `${dir}/authorized_keys`;
      const old = this.state.files.get(f);
      if (!old) return 0;
      if (!this.canRead(u, old)) throw new ExecError(`awk: cannot open "${f}" (Permission denied)`, 2);
      const kept = lines(old.content).filter((l) => !(l.includes(marker) && blobs.some((b) => l.includes(b))));
      this.writeFile(u, f, kept.map((l) => `${l}\n`).join(''), 0o600);
      return 0;
    }
    m = matchScript(CONTAINERS_RUNNING, text);
    if (m) {
      const daemon = u.uid === 0 || u.groups.includes('docker');
      for (const c of PROXY_CONTAINERS) io.out(`${c}=${daemon && this.state.containerInfo.has(c) ? String(this.state.containers.has(c)) : ''}\n`);
      return 0;
    }
    const first = text.split('\n')[0]!.trim().split(/\s+/)[0] ?? '';
    io.err(`sh: 1: ${first}: not found\n`);
    io.err('(the sandbox droplet emulates only the scripts the program sends; this one is not one of them)\n');
    return 127;
  }

  // ------------------------------------------------------------------- docker
  async docker(u: VUser, args: string[], io: Io): Promise<number> {
    const a = args.join(' ');
    if (a === '--version') {
      io.out(`Docker version ${DOCKER_VERSION}, build ${DOCKER_BUILD}\n`);
      return 0;
    }
    if (a === 'compose version --short') {
      io.out(`${COMPOSE_VERSION}\n`);
      return 0;
    }
    if (a === 'compose version') {
      io.out(`Docker Compose version v${COMPOSE_VERSION}\n`);
      return 0;
    }
    if (a === 'version --format {{.Server.Version}}') {
      this.dockerAccess(u, 'version');
      io.out(`${DOCKER_VERSION}\n`);
      return 0;
    }
    if (a === 'version') {
      io.out(
        `Client: Docker Engine - Community\n Version:           ${DOCKER_VERSION}\n API version:       ${DOCKER_API}\n Go version:        go1.22.7\n Git commit:        ${DOCKER_BUILD}\n Built:             Fri Sep 20 11:41:00 2024\n OS/Arch:           linux/amd64\n Context:           default\n`,
      );
      this.dockerAccess(u, 'version');
      io.out(
        `\nServer: Docker Engine - Community\n Engine:\n  Version:          ${DOCKER_VERSION}\n  API version:      ${DOCKER_API} (minimum version 1.24)\n  Go version:       go1.22.7\n  Git commit:       41ca978\n  Built:            Fri Sep 20 11:41:00 2024\n  OS/Arch:          linux/amd64\n  Experimental:     false\n containerd:\n  Version:          1.7.22\n runc:\n  Version:          1.1.14\n docker-init:\n  Version:          0.19.0\n`,
      );
      return 0;
    }
    if (a === 'ps' || a === 'ps --format {{.Names}}') {
      this.dockerAccess(u, 'containers/json');
      const names = this.runningNames();
      if (a === 'ps') {
        io.out('CONTAINER ID   IMAGE                       COMMAND                  CREATED         STATUS         PORTS     NAMES\n');
        for (const n of names) {
          const c = this.state.containerInfo.get(n)!;
          io.out(`${sha256(`container:${n}`).slice(0, 12)}   ${c.image.padEnd(25)}   "/app/docker-entrypoint…"   2 minutes ago   Up 2 minutes             ${n}\n`);
        }
      } else for (const n of names) io.out(`${n}\n`);
      return 0;
    }
    if (a === 'network ls --format {{.Name}}') {
      this.dockerAccess(u, 'networks');
      for (const n of [...this.state.networks].sort()) io.out(`${n}\n`);
      return 0;
    }
    if (args.length === 4 && args[0] === 'inspect' && args[1] === '-f' && args[2] === '{{.State.Running}}') {
      this.dockerAccess(u, `containers/${args[3]}/json`);
      const c = this.state.containerInfo.get(args[3]!);
      if (!c) throw new ExecError(`Error: No such object: ${args[3]}`, 1);
      io.out(`${c.running}\n`);
      return 0;
    }
    if (args.length === 7 && args[0] === 'compose' && args[1] === '-p' && args[3] === '-f' && args[5] === 'up' && args[6] === '-d')
      return this.composeUp(u, args[2]!, args[4]!, io);
    throw new ExecError(`docker: '${args[0] ?? ''}' is not a docker command the sandbox droplet emulates.\nSee 'docker --help'`, 127);
  }

  private async composeUp(u: VUser, project: string, file: string, io: Io): Promise<number> {
    this.dockerAccess(u, `containers/json?all=1&filters=%7B%22label%22%3A%7B%22com.docker.compose.project%3D${project}%22%3Atrue%7D%7D`);
    const f = this.state.files.get(file);
    if (!f) throw new ExecError(`open ${file}: no such file or directory`, 1);
    if (!this.canRead(u, f)) throw new ExecError(`open ${file}: permission denied`, 1);
    let doc: { services?: Record<string, { image?: string; container_name?: string; network_mode?: string } | null>; networks?: Record<string, { name?: string; external?: boolean } | null>; volumes?: Record<string, unknown> };
    try {
      doc = (parseYaml(f.content) ?? {}) as typeof doc;
    } catch (e) {
      throw new ExecError(`yaml: ${(e as Error).message.split('\n')[0]}`, 15);
    }
    const services = Object.entries(doc.services ?? {});
    if (!services.length) throw new ExecError('no service selected', 1);
    const line = async (text: string) => {
      io.err(`${text}\n`);
      await io.sleep(this.composeDelayMs);
    };
    // Images: pulled once, like a fresh host.
    const toCreate = services.filter(([svc, s]) => !this.state.containerInfo.has(s?.container_name ?? `${project}-${svc}-1`));
    for (const [svc] of toCreate) await line(` ${svc} Pulling `);
    for (const [svc] of toCreate) await line(` ${svc} Pulled `);
    const defaultNet = doc.networks?.default?.name ?? `${project}_default`;
    const needsDefault = services.some(([, s]) => !s?.network_mode);
    if (needsDefault && !this.state.networks.has(defaultNet)) {
      await line(` Network ${defaultNet}  Creating`);
      this.state.networks.add(defaultNet);
      await line(` Network ${defaultNet}  Created`);
    }
    for (const v of Object.keys(doc.volumes ?? {})) {
      const name = `${project}_${v}`;
      if (this.state.dirs.has(`/var/lib/docker/volumes/${name}`)) continue;
      this.state.dirs.set(`/var/lib/docker/volumes/${name}`, { mode: 0o755, owner: 'root' });
      await line(` Volume "${name}"  Creating`);
      await line(` Volume "${name}"  Created`);
    }
    const names = services.map(([svc, s]) => ({ svc, name: s?.container_name ?? `${project}-${svc}-1`, image: s?.image ?? `${project}-${svc}` }));
    for (const c of names) {
      const had = this.state.containerInfo.get(c.name);
      if (had && had.project !== project)
        throw new ExecError(
          `Error response from daemon: Conflict. The container name "/${c.name}" is already in use by container "${sha256(`container:${c.name}`)}". You have to remove (or rename) that container to be able to reuse that name.`,
          1,
        );
      if (!had) {
        await line(` Container ${c.name}  Creating`);
        this.state.containerInfo.set(c.name, { name: c.name, image: c.image, service: c.svc, project, running: false });
        await line(` Container ${c.name}  Created`);
      }
    }
    for (const c of names) {
      const info = this.state.containerInfo.get(c.name)!;
      if (info.running) {
        await line(` Container ${c.name}  Running`);
        continue;
      }
      await line(` Container ${c.name}  Starting`);
      info.running = true;
      this.state.containers.add(c.name);
      await line(` Container ${c.name}  Started`);
    }
    return 0;
  }

  // ------------------------------------------------------------------- commands
  useradd(u: VUser, args: string[]): number {
    const name = args[7]!;
    if (u.uid !== 0) throw new ExecError('useradd: Permission denied.\nuseradd: cannot lock /etc/passwd; try again later.', 1);
    if (this.state.users.has(name)) throw new ExecError(`useradd: user '${name}' already exists`, 9);
    const uid = Math.max(999, ...[...this.state.users.values()].map((x) => x.uid)) + 1;
    const home = `/home/${name}`;
    this.state.users.set(name, { name, uid, home, shell: '/bin/bash', groups: [name, 'docker'], sudo: 'password' });
    this.state.dirs.set(home, { mode: 0o750, owner: name });
    for (const [f, content] of [
      ['.bashrc', '# ~/.bashrc: executed by bash(1) for non-login shells.\n'],
      ['.profile', '# ~/.profile: executed by the command interpreter for login shells.\n'],
      ['.bash_logout', '# ~/.bash_logout: executed by bash(1) when login shell exits.\n'],
    ] as const)
      this.state.files.set(`${home}/${f}`, { content, mode: 0o644, owner: name });
    return 0;
  }

  passwdLine(x: VUser): string {
    return `${x.name}:x:${x.uid}:${x.uid}:${x.uid === 0 ? 'root' : ''}:${x.home}:${x.shell}`;
  }

  /** One exec request: prefixes, then the command. */
  async exec(login: VUser, command: string, io: Io): Promise<number> {
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
          const t = this.user(target);
          if (!t) throw new ExecError(`sudo: unknown user ${target}\nsudo: error initializing audit plugin sudoers_audit`, 1);
          u = t;
          argv = argv.slice(a2 === '--' ? 3 : 5);
        } else if (a0 === 'runuser' && a1 === '-u' && a3 === '--') {
          if (u.uid !== 0) throw new ExecError('runuser: may not be used by non-root users', 1);
          const t = this.user(a2!);
          if (!t) throw new ExecError(`runuser: user ${a2} does not exist or the user entry does not contain all the required fields`, 1);
          u = t;
          argv = argv.slice(4);
        } else break;
      }
      const [cmd, ...args] = argv;
      const a = args.join(' ');
      if (cmd === 'sh' && args.length === 2 && args[0] === '-c') return await this.script(u, args[1]!, io);
      if (cmd === 'true' && !args.length) return 0;
      if (cmd === 'id' && (a === '-un' || a === '-u' || a === '-nG')) {
        io.out(`${a === '-un' ? u.name : a === '-u' ? u.uid : u.groups.join(' ')}\n`);
        return 0;
      }
      if (cmd === 'getent' && args.length === 2 && args[0] === 'passwd') {
        const x = this.user(args[1]!);
        if (!x) return 2;
        io.out(`${this.passwdLine(x)}\n`);
        return 0;
      }
      if (cmd === 'useradd' && args.length === 8 && a.startsWith('--create-home --shell /bin/bash --password * --groups docker ') && /^[a-z_][a-z0-9_-]*$/.test(args[7]!))
        return this.useradd(u, args);
      if (cmd === 'docker') return await this.docker(u, args, io);
      io.err(`sh: 1: ${cmd}: not found\n`);
      return 127;
    } catch (e) {
      if (!(e instanceof ExecError)) throw e;
      io.err(`${e.message}\n`);
      return e.code;
    }
  }

  /** Whether `blob` (with a valid signature, when given) is in the user's authorized_keys. */
  authorized(user: string, ctx: AuthContext): boolean {
    if (ctx.method !== 'publickey') return false;
    const u = this.user(user);
    const f = u && this.state.files.get(`${u.home}/.ssh/authorized_keys`);
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
}

// ---------------------------------------------------------------------------------------
// The server

export async function startDroplet(opts: DropletOptions = {}): Promise<Droplet> {
  const hostKey = generateDeployKey('root@litestream-demo');
  const loginKey = generateDeployKey('you@create-litestream-host-demo');
  const state = freshState();
  state.dirs.set('/root/.ssh', { mode: 0o700, owner: 'root' });
  state.files.set('/root/.ssh/authorized_keys', { content: `${loginKey.publicKey}\n`, mode: 0o600, owner: 'root' });
  const host = new Host(state, opts.composeDelayMs ?? 120);
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

  const server = new ssh2.Server({ hostKeys: [hostKey.privateKey.reveal()], ident: 'OpenSSH_9.6p1 Ubuntu-3ubuntu13.5' }, (client) => {
    clients.add(client);
    // As sshd does for sessions: no Nagle delay on small packets (40 ms per exec otherwise).
    (client as Connection & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    let username = '';
    client.on('error', () => {});
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method === 'publickey' && host.authorized(ctx.username, ctx)) {
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
          host
            .exec(login, info.command, io)
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
    host: '127.0.0.1',
    port,
    hostKeyLine: hostKey.publicKey.split(' ').slice(0, 2).join(' '),
    loginKey: loginKey.privateKey.reveal(),
    fingerprint: hostKey.fingerprint,
    state,
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
