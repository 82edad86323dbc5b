/**
 * What the sandbox received, as the demo prints it after the run: read back from the
 * droplet and the GitHub emulator and checked against the inputs, never taken from the
 * run's own report.
 */
import type { Settings } from '../../config/settings.js';
import type { Summary } from '../../steps/types.js';
import { parseKeyLine } from '../../host/authorized-keys.js';
import { TARGETS } from '../../targets/index.js';
import { Host } from '../droplet/host.js';
import { replicaFigures } from '../droplet/replica-scripts.js';
import { DEMO, RELEASE_JOBS, type Sandbox } from './sandbox.js';

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s.padEnd(n));
const octal = (m: number) => m.toString(8).padStart(4, '0');

/**
 * What the sandbox received, checked: every secret opened by the emulator and equal to its
 * input (DEPLOY_KEY: a private key whose public half is authorized on the droplet and logs
 * in), the files on the droplet, the proxy containers, the release. No value is printed.
 */
export async function sandboxReceipt(sb: Sandbox, settings: Settings, summary: Summary): Promise<{ ok: boolean; lines: string[] }> {
  const [{ parsePrivateKey, openPinned }, { publicKeyFromPrivate, fingerprintOfPublicKey }] = await Promise.all([
    import('../../host/connect.js'),
    import('../../host/deploy-key.js'),
  ]);
  const { droplet, github } = sb;
  const state = droplet.state;
  const du = state.users.get(settings.deployUser);
  const home = du?.home ?? `/home/${settings.deployUser}`;
  const akPath = `${home}/.ssh/authorized_keys`;
  const lines: string[] = [];
  let ok = true;
  const bad = (l: string) => {
    ok = false;
    lines.push(l);
  };

  lines.push('', 'What the sandbox received:');
  const secrets = github.secrets(DEMO.repo);
  lines.push(`  GitHub secrets of ${DEMO.repo}: each sealed here with the repository's public key and opened by the sandbox GitHub`);
  const expected: Record<string, [string, string]> = {
    DEPLOY_HOST: [settings.host, 'equals --host'],
    DEPLOY_API: [settings.host, 'equals --host'],
    DEPLOY_PORT: [String(settings.sshPort), 'equals --ssh-port'],
    DEPLOY_USERNAME: [settings.deployUser, 'equals --deploy-user'],
    LETSENCRYPT_EMAIL: [settings.email, 'equals --email'],
  };
  // As the run stores them: SFTP's credentials percent-encoded for the replica URL.
  for (const [k, v] of Object.entries(settings.storage)) {
    const encode = TARGETS[settings.target].fields.find((f) => f.name === k)?.encode;
    const value = encode ? encode(v.reveal()) : v.reveal();
    expected[k] = [value, `equals the ${k} given (${v.length} characters${value !== v.reveal() ? ', percent-encoded' : ''})`];
  }
  const w = Math.max(0, ...secrets.map((s) => s.name.length)) + 2;
  const ak = state.files.get(akPath);
  const authorizedBlobs = new Set((ak?.content ?? '').split('\n').map((l) => parseKeyLine(l)?.blob).filter(Boolean));
  for (const s of secrets) {
    const head = `    opened  ${pad(s.name, w)}`;
    if (s.name === 'DEPLOY_KEY') {
      try {
        const key = parsePrivateKey(s.value, 'DEPLOY_KEY');
        const pub = publicKeyFromPrivate(s.value);
        const blob = pub.split(' ')[1]!;
        const fp = fingerprintOfPublicKey(pub);
        if (!s.value.endsWith('\n') || s.value.includes('\r')) bad(`${head}MISMATCH: not LF line endings with a final newline`);
        else if (!authorizedBlobs.has(blob)) bad(`${head}MISMATCH: ${key.type} key ${fp} is not in ${akPath}`);
        else {
          const hostBlob = Buffer.from(droplet.hostKeyLine.split(' ')[1]!, 'base64');
          const session = await openPinned({ sshHost: settings.sshHost, sshPort: settings.sshPort, user: settings.deployUser, knownHostsPath: settings.knownHostsPath }, hostBlob, key);
          try {
            const r = await session.exec(['id', '-un']);
            if (r.code !== 0 || r.stdout.trim() !== settings.deployUser) bad(`${head}MISMATCH: ${fp} logs in but runs as "${r.stdout.trim()}"`);
            else lines.push(`${head}${key.type} private key ${fp}: its public half is in ${akPath}, and it logs in as ${settings.deployUser}`);
          } finally {
            session.close();
          }
        }
      } catch (e) {
        bad(`${head}MISMATCH: ${(e as Error).message}`);
      }
      continue;
    }
    const want = expected[s.name];
    if (!want) lines.push(`${head}set (not by this run)`);
    else if (want[0] !== s.value) bad(`${head}MISMATCH: the opened value differs from the input`);
    else lines.push(`${head}${want[1]}`);
  }
  for (const n of summary.secretsWritten) if (!secrets.some((s) => s.name === n)) bad(`    MISSING ${n}: the run wrote it, the sandbox GitHub does not have it`);

  lines.push('  Files on the droplet:');
  const files: [string, (c: string) => string | undefined][] = [
    ['/usr/local/bin/docker-compose', (c) => (c.includes('exec docker compose --compatibility "$@"') ? 'exec docker compose --compatibility "$@"' : undefined)],
    [summary.proxyFile, (c) => (c.includes(`DEFAULT_EMAIL=${settings.email}`) ? `nginx-proxy + acme-companion, DEFAULT_EMAIL = --email${/^\s*name: nginx\s*$/m.test(c) ? ', network nginx' : ''}` : undefined)],
    [akPath, (c) => `${c.split('\n').filter((l) => l.includes('create-litestream-host')).length} deploy key(s) of this program`],
  ];
  const fw = Math.max(...files.map(([p]) => p.length)) + 2;
  for (const [path, describe] of files) {
    const f = state.files.get(path);
    const what = f && describe(f.content);
    if (!f || !what) bad(`    MISSING ${path}${f ? ': not the expected content' : ''}`);
    else lines.push(`    ${pad(path, fw)}${octal(f.mode)} ${pad(f.owner, 8)}${what}`);
  }
  // The proxy's project here; the app's containers under the release's deploy below.
  const running = [...state.containers].filter((c) => state.containerInfo.get(c)?.project === 'nginx-proxy').sort();
  if (!running.includes('nginx-proxy') || !running.includes('nginx-proxy-le')) bad(`  Containers: MISSING the proxy (running: ${running.join(', ') || 'none'})`);
  else lines.push(`  Containers running: ${running.join(', ')} (docker compose -p nginx-proxy)`);
  if (sb.deployed) for (const l of deployedLines(sb, settings, summary)) (l.startsWith('  MISSING') || l.includes('MISMATCH') ? bad : (x: string) => lines.push(x))(l);
  else if (settings.release && summary.conclusion === 'success') bad('  Deploy: MISSING, the release completed but nothing was deployed on the droplet');
  if (droplet.unrecognised.length)
    bad(`  Commands run over SSH: ${droplet.execLog.length}, ${droplet.unrecognised.length} NOT recognised by the sandbox droplet: ${droplet.unrecognised.map((c) => c.slice(0, 80)).join(' | ')}`);
  else lines.push(`  Commands run over SSH: ${droplet.execLog.length}, every one recognised by the sandbox droplet`);

  if (settings.release) {
    const runs = github.dispatches(DEMO.repo);
    if (summary.conclusion !== 'success' || !runs.length) bad(`  Release: ${summary.conclusion ?? 'not run'}`);
    else {
      const steps = RELEASE_JOBS.reduce((n, j) => n + j.steps.length, 0);
      lines.push(`  Release: ${runs[0]!.workflow} dispatched with version=${runs[0]!.inputs.version ?? '?'}, ${RELEASE_JOBS.length} jobs and ${steps} steps, conclusion: ${summary.conclusion}`);
    }
  }
  return { ok, lines };
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const hms = (t: number) => new Date(t).toISOString().slice(11, 23);

/**
 * What the release's deploy left on the droplet and the storage, read from the model: the
 * compose file, the app and its sidecar, the database and the replica the drill restored.
 * The replica URL is shown with the secret storage values masked.
 */
function deployedLines(sb: Sandbox, settings: Settings, summary: Summary): string[] {
  const d = sb.deployed!;
  const state = sb.droplet.state;
  const out: string[] = [`  Deployed by the release (run ${d.runId}), as its deploy_via_ssh job does:`];
  const f = state.files.get(d.composePath);
  out.push(f ? `    ${d.composePath}  ${f.mode.toString(8).padStart(4, '0')} ${f.owner}  the compose template filled with the opened secrets` : `  MISSING ${d.composePath}`);
  const app = state.containerInfo.get(d.app.container);
  const side = state.containerInfo.get(d.sidecar.container);
  if (!app?.running || !side?.running) out.push(`  MISSING the app's containers (${d.app.container}, ${d.sidecar.container})`);
  else
    out.push(
      `    containers  ${d.sidecar.container} (${side.image}) started ${hms(d.sidecar.startedAt)}, healthy ${hms(d.sidecar.healthyAt)}; ${d.app.container} (${app.image}) started ${hms(d.app.startedAt)}`,
    );
  const secrets = TARGETS[settings.target].fields
    .filter((x) => x.secret)
    .flatMap((x) => {
      const v = settings.storage[x.name]?.reveal();
      return v ? [v, x.encode ? x.encode(v) : v] : [];
    })
    .sort((a, b) => b.length - a.length);
  const url = secrets.reduce((t, v) => t.split(v).join('***'), d.replicaUrl);
  const fig = replicaFigures(new Host(state, 0), d.replicaUrl);
  if (!fig) {
    out.push(`  MISSING the replica at ${url}`);
    return out;
  }
  out.push(`    database    ${d.db}: ${fig.live.rows} rows, ${kb(fig.live.bytes)} now, the app writing to it`);
  out.push(`    replica     ${url}: generation ${fig.generation}, latest sync ${hms(fig.end)}, ${fig.tables} tables, ${fig.rows} rows, ${kb(fig.bytes)}`);
  const drill = summary.verified?.find((v) => v.startsWith('Restore drill: '));
  if (drill) {
    const tables = /, (\d+) tables?,/.exec(drill)?.[1];
    if (Number(tables) !== fig.tables) out.push(`    restore drill MISMATCH: ${drill.slice(15)}, the replica holds ${fig.tables} tables`);
    else out.push(`    restore drill  ${drill.slice(15)}: the replica's tables, restored on the droplet`);
  }
  return out;
}
