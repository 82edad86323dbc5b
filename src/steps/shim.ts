import { createHash } from 'node:crypto';
import { installShim } from '../host/commands.js';
import { SHIM_PATH, SHIM_TEXT } from '../host/layout.js';
import { runOnHost } from './host-exec.js';
import type { ApplyContext, Inspection, PlanItem, Row, Step } from './types.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const SHIM_SHA = sha(SHIM_TEXT);
/** What an interrupted write of the shim by an earlier version could leave: any start of it, down to an empty file. */
const UNFINISHED = new Set(Array.from({ length: SHIM_TEXT.length }, (_, i) => sha(SHIM_TEXT.slice(0, i))));

export function planShim(ins: Inspection, above: PlanItem[] = []): Row {
  const dc = ins.facts.dockerCompose;
  const base = { commands: [`write ${SHIM_PATH} (0755): exec docker compose --compatibility "$@"`] };
  if (!ins.facts.docker.composeVersion) {
    // Judged again on the new facts once the rows above have installed Compose.
    if (above.some((i) => (i.id === 'docker' || i.id === 'compose') && i.status === 'change'))
      return { ...base, status: 'change', detail: `install ${SHIM_PATH} once Compose v2 is installed (it runs docker compose --compatibility)` };
    return { ...base, status: 'skip', detail: 'needs Compose v2 first', commands: undefined };
  }
  if (dc.shimExists && dc.shimSha256 === SHIM_SHA) return { ...base, status: 'ok', detail: `${SHIM_PATH} runs docker compose --compatibility`, commands: undefined };
  if (dc.shimExists && dc.path === SHIM_PATH && dc.kind === 'ours') return { ...base, status: 'change', detail: `update ${SHIM_PATH} (an older version of this shim)` };
  if (dc.shimExists && dc.shimSha256 && UNFINISHED.has(dc.shimSha256))
    return { ...base, status: 'change', detail: `replace the unfinished ${SHIM_PATH} an interrupted earlier run left` };
  if (dc.shimExists) {
    const what = dc.kind === 'v1' ? `docker-compose ${dc.version} (v1)` : dc.kind === 'v2' ? `a standalone docker-compose ${dc.version}` : 'a docker-compose this program did not write';
    return { ...base, status: 'change', detail: `replace ${what} at ${SHIM_PATH} with the shim; the old file is kept as ${SHIM_PATH}.orig` };
  }
  if (dc.kind === 'v2') return { ...base, status: 'ok', detail: `${dc.path} is Compose ${dc.version} (standalone); left as it is`, commands: undefined };
  if (dc.path) {
    const what = dc.kind === 'v1' ? `docker-compose ${dc.version} (v1)` : 'another docker-compose';
    return { ...base, status: 'change', detail: `install ${SHIM_PATH}; it comes before ${dc.path} (${what}) on PATH, which stays untouched` };
  }
  return { ...base, status: 'change', detail: `install ${SHIM_PATH}: the workflows call docker-compose, this runs Compose v2` };
}

export async function applyShim(ctx: ApplyContext): Promise<string> {
  const who = { user: ctx.ins.facts.user, uid: ctx.ins.facts.uid };
  await runOnHost(ctx, 'shim', installShim(who), { stdin: SHIM_TEXT, what: `writing ${SHIM_PATH}`, fix: 'Check that the login user can write /usr/local/bin through sudo, then re-run' });
  return `${SHIM_PATH} installed`;
}

export const shimStep: Step = { id: 'shim', title: 'docker-compose shim', doing: 'Install the docker-compose shim', plan: planShim, apply: applyShim };
