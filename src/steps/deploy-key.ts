import { StepError } from '../errors.js';
import { blobOf, deployKeyComment, deployKeyLine, isOurKey } from '../host/authorized-keys.js';
import { authorizeKey, removeKeys } from '../host/commands.js';
import { asUser } from '../host/shell.js';
import { openPinned, parsePrivateKey } from '../host/connect.js';
import { fingerprintOfPublicKey } from '../host/deploy-key.js';
import { runOnHost } from './host-exec.js';
import type { ApplyContext, Inspection, Row, Step } from './types.js';
import type { DeployKeyRecord } from '../config/store.js';
import { repoName } from '../config/settings.js';


/**
 * What our record says about DEPLOY_KEY, checked against GitHub's updated_at: the key it
 * holds (if we can tell), and whether a rotation was left open (a new key made, its write
 * not landed).
 */
export function effectiveKeyRecord(ins: Inspection): { rec: DeployKeyRecord | undefined; openRotation: boolean } {
  const { deployKey, pendingKey } = ins.saved.record;
  const meta = ins.repo.secrets.get('DEPLOY_KEY');
  if (pendingKey && meta && meta.updatedAt !== pendingKey.secretUpdatedAtBefore) return { rec: pendingKey, openRotation: false };
  // Trusted only when GitHub's time is the one recorded after our write (an unknown time never is).
  const trusted = deployKey && meta && deployKey.secretUpdatedAt === meta.updatedAt;
  return { rec: trusted ? deployKey : undefined, openRotation: !!pendingKey };
}

const states = new WeakMap<Inspection, KeyState>();
type KeyState = ReturnType<typeof keyState>;

/** Our keys for this repository on the host, and which of them the DEPLOY_KEY secret holds (worked out once per inspection). */
export function deployKeyState(ins: Inspection): KeyState {
  let s = states.get(ins);
  if (!s) states.set(ins, (s = keyState(ins)));
  return s;
}

function keyState(ins: Inspection) {
  // Keys added before a rename carry the old name in their comment.
  const former = ins.repo.renamedFrom;
  const ours = ins.facts.deployUser.ourKeys.filter((l) => isOurKey(l, repoName(ins.settings)) || (former !== undefined && isOurKey(l, former)));
  const blobs = ours.map((l) => blobOf(l)!).filter(Boolean);
  const { rec, openRotation } = effectiveKeyRecord(ins);
  const recBlob = rec ? blobOf(rec.publicKey) : undefined;
  const current = recBlob && blobs.includes(recBlob) ? recBlob : !rec && blobs.length >= 1 ? blobs[0] : undefined;
  const hasSecret = ins.repo.secrets.has('DEPLOY_KEY');
  const rotating = ins.settings.rotateItems.includes('deploy-key');
  const needsNew = rotating || openRotation || !hasSecret || !current;
  // Once our new key is in DEPLOY_KEY every older key of ours is replaced. Without a record
  // we trust, we cannot tell which key the secret holds: then nothing is removed.
  const stale = needsNew ? blobs : rec ? blobs.filter((b) => b !== current) : [];
  return { ours, blobs, current, needsNew, stale, rotating, openRotation, hasSecret, rec };
}

export function planDeployKey(ins: Inspection): Row {
  const s = deployKeyState(ins);
  const du = ins.settings.deployUser;
  if (!s.needsNew) {
    if (s.stale.length)
      return { status: 'change', detail: `remove ${s.stale.length} replaced deploy key(s) from ${du}'s authorized_keys (finishes an earlier swap)` };
    const fp = s.rec?.fingerprint;
    const note = !s.rec && s.blobs.length > 1 ? `; ${s.blobs.length} keys of this program are authorized: --rotate replaces them with one` : '';
    return { status: 'ok', detail: `DEPLOY_KEY is set and authorized for ${du}${fp ? ` (${fp})` : ''}${note}` };
  }
  const why = s.rotating ? 'rotate' : s.openRotation ? 'finish the rotation an earlier run left open' : !s.hasSecret ? 'create' : 'replace (the authorized key is not the one in DEPLOY_KEY)';
  const then = s.stale.length ? `, then remove the ${s.stale.length} older key(s) this program added` : '';
  return {
    status: 'change',
    detail: `${why}: a new ed25519 key, authorized for ${du}, proven to log in, stored as DEPLOY_KEY${then}`,
    commands: [`append to ~${du}/.ssh/authorized_keys (0600, atomic)`],
  };
}

/** Authorizes a new key and proves it logs in. The old key stays until DEPLOY_KEY holds the new one. */
export async function applyDeployKey(ctx: ApplyContext): Promise<string> {
  const { ins, deps } = ctx;
  const s = deployKeyState(ins);
  const key = deps.generateKey(deployKeyComment(repoName(ins.settings), deps.now()));
  // Record the new key before it reaches the host, so a run stopped anywhere from here on
  // leaves a state the next run reads correctly (see RepoRecord.pendingKey).
  const record = ins.saved.record;
  record.deployKey = s.rec;
  record.pendingKey = { ...recordOf(key.publicKey, deps.now()), secretUpdatedAtBefore: ins.repo.secrets.get('DEPLOY_KEY')?.updatedAt ?? null };
  await deps.store.save(repoName(ins.settings), ins.saved);
  const who = { user: ins.facts.user, uid: ins.facts.uid };
  await runOnHost(ctx, 'deploy-key', asUser(authorizeKey(ctx.deployHome, deployKeyLine(key.publicKey)), ins.settings.deployUser, who), {
    what: 'authorizing the deploy key',
    fix: `Check ${ins.settings.deployUser}'s ~/.ssh, then re-run`,
  });
  const proof = await openPinned(
    { sshHost: ins.settings.sshHost, sshPort: ins.settings.sshPort, user: ins.settings.deployUser, knownHostsPath: ins.settings.knownHostsPath, timing: deps.sshTiming },
    ins.hostKey.blob,
    parsePrivateKey(key.privateKey.reveal(), 'the new deploy key'),
    `nothing was run over this connection, and DEPLOY_KEY was not written (the new key is authorized on the host; a re-run finishes or replaces it)`,
  ).catch((e: Error) => {
    // A changed host key is not the key's fault: say so the way the first login would.
    if (e instanceof StepError && e.step === 'host key') throw e;
    throw new StepError('deploy-key', `the new key did not log in as ${ins.settings.deployUser}: ${e.message}`, 'Check sshd\'s AuthorizedKeysFile and AllowUsers settings, then re-run');
  });
  try {
    const r = await proof.exec(['true']);
    if (r.code !== 0) throw new StepError('deploy-key', `a command as ${ins.settings.deployUser} failed with the new key (exit ${r.code})`, 'Check the user\'s shell, then re-run');
  } finally {
    proof.close();
  }
  ctx.newKey = key;
  if (ins.settings.keepDeployKey) await deps.writePrivateFile(ins.settings.keepDeployKey, key.privateKey.reveal());
  return `${key.fingerprint} authorized and proven`;
}

/** After DEPLOY_KEY holds the new key: remove the keys it replaced. Never a line we did not add. */
export function keysToRemove(ctx: ApplyContext): string[] {
  const keep = new Set([...ctx.ins.loginKeyBlobs, ...(ctx.newKey ? [blobOf(ctx.newKey.publicKey)!] : [])]);
  return deployKeyState(ctx.ins).stale.filter((b) => !keep.has(b));
}

export async function finishDeployKey(ctx: ApplyContext): Promise<string | undefined> {
  const { ins } = ctx;
  const remove = keysToRemove(ctx);
  if (!remove.length) return undefined;
  const who = { user: ins.facts.user, uid: ins.facts.uid };
  await runOnHost(ctx, 'deploy-key', asUser(removeKeys(ctx.deployHome, remove), ins.settings.deployUser, who), {
    what: 'removing replaced deploy keys',
    fix: 'Re-run: the new key is in place and the next run finishes the swap',
  });
  return `removed ${remove.length} replaced key(s)`;
}

export const recordOf = (publicKey: string, at: Date) => ({ fingerprint: fingerprintOfPublicKey(publicKey), publicKey, at: at.toISOString() });

/** A new key, authorized and proven before DEPLOY_KEY is written; its row may be only the cleanup below. */
export const deployKeyStep: Step = {
  id: 'deploy-key',
  title: 'Deploy key',
  doing: 'Authorize a new deploy key',
  plan: planDeployKey,
  apply: applyDeployKey,
  runs: (ctx, row) => row?.status === 'change' && deployKeyState(ctx.ins).needsNew,
  report: (ctx) => ({ rotated: ctx.newKey ? [`deploy key (now ${ctx.newKey.fingerprint})`] : [] }),
};

/** After the secrets: the keys DEPLOY_KEY no longer holds leave authorized_keys. */
export const deployKeyCleanupStep: Step = {
  id: 'deploy-key',
  title: 'Deploy key',
  doing: 'Remove replaced deploy keys',
  apply: finishDeployKey,
  runs: (ctx) => keysToRemove(ctx).length > 0,
};
