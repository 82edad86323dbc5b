/**
 * The `sh -c` scripts the program sends (src/host/commands.ts and the probe), recognised
 * EXACTLY by their full text: templates with ⟨name⟩ for a quoted word and ⟨*name⟩ for a
 * space-separated list of them.
 */
import { authorizeKey, containersRunning, removeKeys, writeFileExpecting } from '../../host/commands.js';
import { KEY_MARKER, PROXY_CONTAINERS, SHIM_MARKER } from '../../host/layout.js';
import { replicaListArgv, restoreDrillArgv } from '../../host/litestream.js';
import { outcomeArgv } from '../../host/outcome.js';
import { dockerAccess } from './docker.js';
import { outcome, replicaList, restoreDrill } from './replica-scripts.js';
import { ExecError, lines, parentOf, sha256, type Host, type Io } from './host.js';
import { probe } from './probe.js';
import { tokenize, WORD } from './shell-words.js';
import type { VUser } from './state.js';

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
const EXPECTED = { bytes: hole('bytes'), sha256: hole('sha256') };
const WRITE_FILE = fromBuilder(writeFileExpecting(hole('path'), hole('mode'), EXPECTED));
const SHIM_BACKUP = { suffix: '.orig', marker: SHIM_MARKER };
const WRITE_FILE_BACKUP = fromBuilder(writeFileExpecting(hole('path'), hole('mode'), EXPECTED, { backup: SHIM_BACKUP }));
const AUTHORIZE_KEY = fromBuilder(authorizeKey(hole('home'), hole('line')));
const REMOVE_KEYS = fromBuilder(removeKeys(hole('home'), [hole('blobs')]));
const CONTAINERS_RUNNING = fromBuilder(containersRunning());
/** The docker prefixes the program uses (storage-run.ts dockerFor): the daemon directly, or through sudo. */
const DOCKERS = [['docker'], ['sudo', '-n', '--', 'docker']] as const;
const perDocker = (build: (docker: readonly string[]) => string[]) => DOCKERS.map((d) => ({ sudo: d[0] === 'sudo', t: fromBuilder(build(d)) }));
const REPLICA_LIST = perDocker((d) => replicaListArgv(hole('image'), d, hole('sidecar')));
const OUTCOME = perDocker((d) => outcomeArgv(d, { app: hole('app'), sidecar: hole('sidecar') }, hole('image')));
const RESTORE_DRILL = perDocker((d) => restoreDrillArgv(hole('image'), d));

/** The first of `templates` the text is, and whether it runs docker through sudo. */
function matchDocker(templates: { sudo: boolean; t: Template }[], text: string): { sudo: boolean; m: Record<string, string[]> } | undefined {
  for (const { sudo, t } of templates) {
    const m = matchScript(t, text);
    if (m) return { sudo, m };
  }
  return undefined;
}

/** Throws what the docker prefix prints when `u` may not use it. */
function dockerAllowed(u: VUser, sudo: boolean, what: string): void {
  if (!sudo) return dockerAccess(u, what);
  if (u.uid !== 0 && u.sudo !== 'passwordless') throw new ExecError('sudo: a password is required', 1);
}

/** Runs one recognised script as `u`; an unknown one answers like sh does (127, "not found"). */
export async function script(host: Host, u: VUser, text: string, io: Io): Promise<number> {
  if (text.includes('probe.done')) {
    io.out(probe(host, u, text));
    return 0;
  }
  const backup = matchScript(WRITE_FILE_BACKUP, text);
  let m = backup ?? matchScript(WRITE_FILE, text);
  if (m) {
    const path = m.path![0]!;
    const mode = m.mode![0]!;
    if (!path.startsWith('/') || !/^0?[0-7]{3,4}$/.test(mode)) throw new ExecError(`chmod: invalid mode: '${mode}'`, 1);
    const content = await io.stdin();
    host.mkdirP(u, parentOf(path));
    const bytes = Buffer.byteLength(content);
    if (String(bytes) !== m.bytes![0] || sha256(content) !== m.sha256![0])
      throw new ExecError(`${path}: the upload was cut short or changed (${bytes} of ${m.bytes![0]} bytes arrived); the file was left as it was`, 1);
    if (backup) {
      // As the script: a file we wrote (the marker, or a start of the new content) is no backup.
      const ours = (c: string) => lines(c).includes(SHIM_BACKUP.marker) || content.startsWith(c);
      const orig = `${path}${SHIM_BACKUP.suffix}`;
      const kept = host.state.files.get(orig);
      if (kept && ours(kept.content)) host.state.files.delete(orig);
      const old = host.state.files.get(path);
      if (old && !host.state.files.has(orig) && !ours(old.content)) host.writeFile(u, orig, old.content, old.mode);
    }
    host.writeFile(u, path, content, parseInt(mode, 8));
    return 0;
  }
  m = matchScript(AUTHORIZE_KEY, text);
  if (m) {
    const dir = `${m.home![0]!}/.ssh`;
    const line = m.line![0]!;
    host.mkdirP(u, dir);
    const d = host.state.dirs.get(dir)!;
    if (u.uid !== 0 && d.owner !== u.name) throw new ExecError(`chmod: changing permissions of '${dir}': Operation not permitted`, 1);
    d.mode = 0o700;
    const f = `${dir}/authorized_keys`;
    const old = host.state.files.get(f);
    if (old && !host.canRead(u, old)) throw new ExecError(`grep: ${f}: Permission denied`, 2);
    if (old && lines(old.content).includes(line)) return 0;
    let text2 = old?.content ?? '';
    if (text2 && !text2.endsWith('\n')) text2 += '\n';
    host.writeFile(u, f, `${text2}${line}\n`, 0o600);
    return 0;
  }
  m = matchScript(REMOVE_KEYS, text);
  if (m) {
    const dir = `${m.home![0]!}/.ssh`;
    const marker = KEY_MARKER;
    const blobs = m.blobs![0]!.split(' ').filter(Boolean);
    const f = `${dir}/authorized_keys`;
    const old = host.state.files.get(f);
    if (!old) return 0;
    if (!host.canRead(u, old)) throw new ExecError(`awk: cannot open "${f}" (Permission denied)`, 2);
    const kept = lines(old.content).filter((l) => !(l.includes(marker) && blobs.some((b) => l.includes(b))));
    host.writeFile(u, f, kept.map((l) => `${l}\n`).join(''), 0o600);
    return 0;
  }
  m = matchScript(CONTAINERS_RUNNING, text);
  if (m) {
    const daemon = u.uid === 0 || u.groups.includes('docker');
    for (const c of PROXY_CONTAINERS) io.out(`${c}=${daemon && host.state.containerInfo.has(c) ? String(host.state.containers.has(c)) : ''}\n`);
    return 0;
  }
  // Litestream against the sandbox's storage, and the app's containers: answered from the model.
  let d = matchDocker(REPLICA_LIST, text);
  if (d) {
    dockerAllowed(u, d.sudo, 'containers/create');
    io.out(replicaList(host, d.m.image![0]!, await io.stdin(), Date.now(), d.m.sidecar![0]!));
    return 0;
  }
  d = matchDocker(OUTCOME, text);
  if (d) {
    dockerAllowed(u, d.sudo, 'containers/json');
    io.out(outcome(host, { app: d.m.app![0]!, sidecar: d.m.sidecar![0]! }, d.m.image![0]!, await io.stdin()));
    return 0;
  }
  d = matchDocker(RESTORE_DRILL, text);
  if (d) {
    dockerAllowed(u, d.sudo, 'containers/create');
    const stdin = await io.stdin();
    // A restore of a small database takes a moment: a pull of nothing, a download, a rename.
    await io.sleep(host.composeDelayMs * 5);
    io.out(restoreDrill(host, d.m.image![0]!, stdin));
    return 0;
  }
  const first = text.split('\n')[0]!.trim().split(/\s+/)[0] ?? '';
  io.err(`sh: 1: ${first}: not found\n`);
  io.err('(the sandbox droplet emulates only the scripts the program sends; this one is not one of them)\n');
  return 127;
}
