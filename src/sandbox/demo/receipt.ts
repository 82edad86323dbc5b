/**
 * What the sandbox received, as the demo prints it after the run: read back from the
 * droplet and the GitHub emulator and checked against the inputs, never taken from the
 * run's own report.
 */
import type { Settings } from '../../config/settings.js';
import type { Summary } from '../../steps/types.js';
import { parseKeyLine } from '../../host/authorized-keys.js';
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
  for (const [k, v] of Object.entries(settings.storage)) expected[k] = [v.reveal(), `equals the ${k} given (${v.length} characters)`];
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
  const running = [...state.containers].sort();
  if (!running.includes('nginx-proxy') || !running.includes('nginx-proxy-le')) bad(`  Containers: MISSING the proxy (running: ${running.join(', ') || 'none'})`);
  else lines.push(`  Containers running: ${running.join(', ')} (docker compose -p nginx-proxy)`);
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
