import { StepError } from '../errors.js';
import { getSecretMeta, putSecret } from '../github/api.js';
import { sealSecret } from '../github/seal.js';
import { GitHubTimeoutError, githubFailure } from '../github/errors.js';
import { OPTIONAL_SECRETS, PROVIDED_SECRETS, seedSecretNames } from '../github/workflow.js';
import { Sensitive } from '../sensitive.js';
import { TARGETS, storageSecretNames } from '../targets/index.js';
import { repoName, type Settings } from '../config/settings.js';
import { UNKNOWN_WRITE_TIME } from '../config/store.js';
import type { ApplyContext, Inspection, SecretPlan, Row, Step } from './types.js';
import { deployKeyState } from './deploy-key.js';

/** The secret names this run manages: what the workflow reads, or the seed's names without one. */
export function managedNames(ins: Pick<Inspection, 'repo' | 'settings'>): string[] {
  const names = ins.repo.workflow ? ins.repo.workflow.secrets : seedSecretNames(ins.settings.target);
  return names.filter((n) => !PROVIDED_SECRETS.has(n));
}

/** Values for every fillable secret except DEPLOY_KEY (made during the run). */
export function desiredValues(settings: Settings, names: string[]): Map<string, Sensitive> {
  const out = new Map<string, Sensitive>();
  const plain: Record<string, string> = {
    DEPLOY_HOST: settings.host,
    DEPLOY_API: settings.host,
    DEPLOY_PORT: String(settings.sshPort),
    DEPLOY_USERNAME: settings.deployUser,
    LETSENCRYPT_EMAIL: settings.email,
  };
  for (const name of names) {
    if (plain[name] !== undefined) out.set(name, new Sensitive(plain[name]!));
    const field = TARGETS[settings.target].fields.find((f) => f.name === name);
    const value = settings.storage[name];
    if (field && value) out.set(name, field.encode ? new Sensitive(field.encode(value.reveal())) : value);
  }
  return out;
}

const rotates = (ins: Inspection, name: string): boolean =>
  (ins.settings.rotateItems.includes('storage') && storageSecretNames(ins.settings.target).includes(name)) ||
  (ins.settings.rotateItems.includes('email') && name === 'LETSENCRYPT_EMAIL');

const listed = new WeakMap<Inspection, SecretPlan[]>();

/** What happens to each secret the workflow reads (made once per inspection). */
export function planSecretList(ins: Inspection): SecretPlan[] {
  const known = listed.get(ins);
  if (known) return known;
  const list = secretList(ins);
  listed.set(ins, list);
  return list;
}

function secretList(ins: Inspection): SecretPlan[] {
  const key = deployKeyState(ins);
  return managedNames(ins).map((name): SecretPlan => {
    const meta = ins.repo.secrets.get(name);
    const at = meta?.updatedAt;
    if (name === 'DEPLOY_KEY') {
      if (key.needsNew) return { name, action: meta ? 'update' : 'create', updatedAt: at, note: 'new ed25519 key' };
      return { name, action: 'keep', updatedAt: at };
    }
    if (ins.desired.has(name)) {
      if (!meta) return { name, action: 'create' };
      if (rotates(ins, name)) return { name, action: 'update', updatedAt: at, note: 'rotated' };
      const rec = ins.saved.record.secrets[name];
      if (rec && rec.hmac === ins.digests.get(name)) return { name, action: 'keep', updatedAt: at };
      return { name, action: 'update', updatedAt: at, note: rec ? 'value changed' : 'set before, not by this program' };
    }
    if (OPTIONAL_SECRETS.has(name)) return { name, action: meta ? 'keep' : 'optional', updatedAt: at, note: meta ? undefined : 'not set' };
    if (meta) return { name, action: 'keep', updatedAt: at, note: 'set by you' };
    return { name, action: 'missing' };
  });
}

export function planSecrets(ins: Inspection): Row {
  const list = planSecretList(ins);
  const missing = list.filter((s) => s.action === 'missing').map((s) => s.name);
  if (missing.length) {
    const otherTarget = missing.some((n) => !storageSecretNames(ins.settings.target).includes(n) && /^(AWS|AZURE|SFTP)_/.test(n));
    return {
      status: 'blocked',
      detail: `the workflow reads ${missing.join(', ')}, which this program cannot fill and which is not set`,
      fix: otherTarget
        ? `The workflow is for another storage target than --target ${ins.settings.target}: pick the target the workflow uses`
        : `Set ${missing.length > 1 ? 'them' : 'it'} first: ${missing.map((n) => `gh secret set ${n} --repo ${ins.repo.info.fullName}`).join('; ')}`,
    };
  }
  const n = (a: SecretPlan['action']) => list.filter((s) => s.action === a).length;
  const [c, u, k] = [n('create'), n('update'), n('keep')];
  if (!c && !u) return { status: 'ok', detail: `all ${k} set` };
  return { status: 'change', detail: [c && `create ${c}`, u && `update ${u}`, k && `keep ${k}`].filter(Boolean).join(', ') };
}

/**
 * When GitHub says a secret was last written, read right after our write. A read that keeps
 * failing gives UNKNOWN_WRITE_TIME, which matches no time GitHub shows: the guard against
 * "someone else wrote DEPLOY_KEY" stays as strict as before, never off.
 */
async function writtenAt(ctx: ApplyContext, name: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await getSecretMeta(ctx.gh, ctx.ins.settings.repo, name)).updatedAt;
    } catch {
      if (attempt === 3) return UNKNOWN_WRITE_TIME;
      await ctx.deps.sleep(500 * attempt);
    }
  }
}

/**
 * Seals and writes every secret to create or update, several at once (the client caps
 * how many). The record is saved as each write lands, so a failed run keeps what it did;
 * a new DEPLOY_KEY was recorded as pending before it was authorized (see RepoRecord.pendingKey).
 */
export async function applySecrets(ctx: ApplyContext): Promise<string> {
  const { ins, deps } = ctx;
  const todo = ctx.plan.secrets.filter((s) => s.action === 'create' || s.action === 'update');
  const repo = repoName(ins.settings);
  const record = ins.saved.record;
  const save = () => deps.store.save(repo, ins.saved);
  let done = 0;
  ctx.emit({ type: 'progress', id: 'secrets', done, total: todo.length });
  const failures: string[] = [];
  let refused: unknown;
  let silent: GitHubTimeoutError | undefined;
  // Writes to the record are serialised: each save must see the previous one.
  let saving = Promise.resolve();
  await Promise.all(
    todo.map(async (s) => {
      const value = s.name === 'DEPLOY_KEY' ? ctx.newKey?.privateKey : ins.desired.get(s.name);
      if (!value) return void failures.push(`${s.name} (no value)`);
      try {
        const sealed = await sealSecret(value, ins.repo.publicKey.key);
        await putSecret(ctx.gh, ins.settings.repo, s.name, sealed, ins.repo.publicKey.keyId);
        const at = deps.now().toISOString();
        if (s.name === 'DEPLOY_KEY' && record.pendingKey) {
          const { secretUpdatedAtBefore: _, ...key } = record.pendingKey;
          // GitHub's own time for this write: a later, different one means someone else wrote it.
          record.deployKey = { ...key, secretUpdatedAt: await writtenAt(ctx, 'DEPLOY_KEY') };
          delete record.pendingKey;
        } else record.secrets[s.name] = { hmac: ins.digests.get(s.name)!, at };
        ctx.written.push(s.name);
        saving = saving.then(save);
        await saving;
      } catch (e) {
        const err = e as { status?: number; message?: string };
        if (err.status && [401, 403, 404].includes(err.status)) refused ??= e;
        if (e instanceof GitHubTimeoutError) silent ??= e;
        failures.push(`${s.name} (${err.status ?? ''} ${String(err.message ?? e).split('\n')[0]})`.replace('( ', '('));
      }
      ctx.emit({ type: 'progress', id: 'secrets', done: ++done, total: todo.length });
    }),
  );
  if (refused) {
    const f = githubFailure(refused, 'secrets', repo, ins.settings.apiUrl);
    throw new StepError('secrets', `${failures.length} of ${todo.length} secrets were refused: ${f.cause_}`, `${f.fix}. Secrets already written are kept; a re-run resumes here`);
  }
  if (silent) {
    const f = githubFailure(silent, 'secrets', repo, ins.settings.apiUrl);
    throw new StepError('secrets', `${failures.length} of ${todo.length} secrets were not written: ${f.cause_}`, f.fix);
  }
  if (failures.length)
    throw new StepError(
      'secrets',
      `${failures.length} of ${todo.length} secrets could not be written after retries: ${failures.join(', ')}`,
      'Re-run: secrets already written are kept, the host still accepts the previous deploy key, and the run resumes here',
    );
  return todo.length ? `${todo.length} written (${todo.map((s) => s.name).join(', ')})` : 'nothing to write';
}

const REVOKE: Record<Settings['target'], string> = {
  aws: 'AWS access key (IAM > Users > Security credentials)',
  azure: 'Azure account key (Storage account > Access keys > Rotate key)',
  sftp: 'SFTP password',
};

export const secretsStep: Step = {
  id: 'secrets',
  title: 'Repository secrets',
  doing: 'Write repository secrets',
  plan: planSecrets,
  apply: applySecrets,
  report: (ctx) => ({
    rotated: ctx.plan.secrets.filter((p) => p.note === 'rotated' && ctx.written.includes(p.name)).map((p) => p.name),
    manual: ctx.ins.settings.rotateItems.includes('storage') ? [`Revoke the previous ${REVOKE[ctx.ins.settings.target]} at your provider: this program cannot`] : [],
  }),
};
