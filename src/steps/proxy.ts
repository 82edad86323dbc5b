import { createHash } from 'node:crypto';
import { StepError } from '../errors.js';
import { composeUp, containersRunning, writeFileAtomic } from '../host/commands.js';
import { asUser } from '../host/shell.js';
import { PROXY_CONTAINERS, PROXY_FILE } from '../host/layout.js';
import { runOnHost } from './host-exec.js';
import type { ApplyContext, Inspection, Row, Step } from './types.js';
import { deployHome } from './deploy-user.js';
import { renderProxyCompose } from './proxy-compose.js';

export const proxyPath = (home: string) => `${home}/${PROXY_FILE}`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export function desiredProxy(ins: Inspection): string {
  return renderProxyCompose(ins.repo.proxyGeneration, ins.settings.email);
}

export function planProxy(ins: Inspection): Row {
  const { facts } = ins;
  const path = proxyPath(deployHome(ins));
  const running = PROXY_CONTAINERS.every((c) => facts.containers.includes(c));
  const fileSha = facts.proxyFile.sha256;
  const upToDate = fileSha === sha(desiredProxy(ins));
  const gen = ins.repo.proxyGeneration === 'network' ? 'on the nginx network' : 'on the default bridge';
  if (running && !fileSha)
    return { status: 'ok', detail: 'nginx-proxy and nginx-proxy-le already run (set up by hand); left as they are: check their DEFAULT_EMAIL' };
  if (running && upToDate) return { status: 'ok', detail: `running ${gen}, ${path}` };
  const cmds = [`write ${path} (DEFAULT_EMAIL=${ins.settings.email})`, `docker compose -p nginx-proxy -f ${path} up -d`];
  if (!upToDate && fileSha) return { status: 'change', detail: `update ${path} (DEFAULT_EMAIL or images changed) and recreate the proxy`, commands: cmds };
  if (upToDate) return { status: 'change', detail: `start the proxy from ${path}`, commands: cmds.slice(1) };
  return { status: 'change', detail: `upload ${path} and start nginx-proxy, nginx-proxy-le ${gen}`, commands: cmds };
}

export async function applyProxy(ctx: ApplyContext): Promise<string> {
  const { facts, settings } = ctx.ins;
  const who = { user: facts.user, uid: facts.uid };
  const path = proxyPath(ctx.deployHome);
  const content = desiredProxy(ctx.ins);
  const upToDate = facts.proxyFile.sha256 === sha(content);
  const du = settings.deployUser;
  if (!upToDate)
    await runOnHost(ctx, 'proxy', asUser(writeFileAtomic(path, '0600', content), du, who), {
      stdin: content,
      what: `uploading ${path}`,
      fix: `Check that ${du}'s home is writable, then re-run`,
    });
  await runOnHost(ctx, 'proxy', asUser(composeUp(path), du, who), {
    what: 'docker compose up',
    fix: `Run \`docker compose -p nginx-proxy -f ${path} up -d\` on the host as ${du} to see the full error, fix it, then re-run`,
  });
  const states = await runOnHost(ctx, 'proxy', asUser(containersRunning(), du, who), { what: 'checking the proxy containers', fix: 'Re-run', quiet: true });
  const down = PROXY_CONTAINERS.filter((c) => !new RegExp(`^${c}=true$`, 'm').test(states));
  if (down.length)
    throw new StepError('proxy', `${down.join(' and ')} did not stay up`, `See why with \`docker logs ${down[0]}\` on the host, then re-run`);
  return upToDate ? 'proxy started' : `proxy running (${path})`;
}

export const proxyStep: Step = { id: 'proxy', title: 'nginx-proxy + LetsEncrypt', doing: 'Start nginx-proxy + LetsEncrypt', plan: planProxy, apply: applyProxy };
