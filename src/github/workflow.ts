import { parse } from 'yaml';
import { storageSecretNames, targetOfSecrets, type TargetId } from '../targets/index.js';

/** Secrets the mixes read only when present (`if [ ! -z ... ]`, `if: env.deploy_cdn != ''`). */
export const OPTIONAL_SECRETS = new Set(['APPSETTINGS_PATCH', 'DEPLOY_CDN']);
/** Provided by Actions itself; setting it is refused by GitHub anyway. */
export const PROVIDED_SECRETS = new Set(['GITHUB_TOKEN']);
/**
 * Runner labels GitHub no longer provisions (a job asking for one waits forever), each with
 * the supported label of the same family the repair puts in its place: the current LTS
 * for Ubuntu, so a job keeps its OS and gets the longest support.
 */
export const RETIRED_RUNNERS: Readonly<Record<string, string>> = {
  'ubuntu-16.04': 'ubuntu-24.04',
  'ubuntu-18.04': 'ubuntu-24.04',
  'ubuntu-20.04': 'ubuntu-24.04',
  'windows-2019': 'windows-2022',
  'macos-11': 'macos-14',
  'macos-12': 'macos-14',
};
const isRetired = (label: string): boolean => Object.hasOwn(RETIRED_RUNNERS, label.toLowerCase());

export interface WorkflowInfo {
  /** Every `secrets.NAME` the workflow reads, in first-seen order. */
  secrets: string[];
  hostSecret: 'DEPLOY_HOST' | 'DEPLOY_API' | undefined;
  target: TargetId | undefined;
  dispatchable: boolean;
  /** workflow_dispatch inputs that are required and have no default. */
  requiredInputs: string[];
  retiredRunners: { job: string; runner: string }[];
  /** Steps that hard-code `port: 22` while DEPLOY_PORT is elsewhere: a non-22 SSH port will not work there. */
  hardCodedPort22: boolean;
  /** The workflow's `name:`, which `on: workflow_run: workflows:` refers to. */
  name: string | undefined;
  /** Names of the workflows whose completion starts this one (`on: workflow_run`). */
  triggeredBy: string[];
  /** The blazor generation joins the external `nginx` network; the others use the default bridge. */
  usesExternalNetwork?: boolean;
}

const EXPR = /\$\{\{([\s\S]*?)\}\}/g;
const SECRET_REF = /\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*\])/g;

/** Every string in the document with the key it sits under (comments are not visited). */
function* strings(node: unknown, key = ''): Generator<[string, string]> {
  if (typeof node === 'string') yield [key, node];
  else if (Array.isArray(node)) for (const x of node) yield* strings(x, key);
  else if (node && typeof node === 'object')
    for (const [k, x] of Object.entries(node)) {
      yield ['', k];
      yield* strings(x, k);
    }
}

export function secretRefs(text: string): string[] {
  const found = new Set<string>();
  for (const expr of text.matchAll(EXPR))
    for (const m of expr[1]!.matchAll(SECRET_REF)) found.add((m[1] ?? m[2])!);
  return [...found];
}

export class WorkflowParseError extends Error {}

export function analyzeWorkflow(text: string): WorkflowInfo {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new WorkflowParseError(`the release workflow is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object') throw new WorkflowParseError('the release workflow is empty');

  const secrets: string[] = [];
  const seen = new Set<string>();
  for (const [key, s] of strings(doc)) {
    // `if:` conditions are expressions even without ${{ }}.
    for (const name of secretRefs(key === 'if' ? `\${{ ${s} }}` : s))
      if (!seen.has(name)) {
        seen.add(name);
        secrets.push(name);
      }
  }
  // YAML 1.1 turns the key `on` into true in some parsers; `yaml` keeps 'on', accept both.
  const on = (doc.on ?? (doc as Record<string, unknown>)['true']) as unknown;
  const dispatch =
    on === 'workflow_dispatch' ||
    (Array.isArray(on) && on.includes('workflow_dispatch')) ||
    (!!on && typeof on === 'object' && 'workflow_dispatch' in (on as object));
  const inputs = (on && typeof on === 'object' && !Array.isArray(on)
    ? ((on as Record<string, { inputs?: Record<string, { required?: boolean; default?: unknown }> } | null>).workflow_dispatch?.inputs ?? {})
    : {}) as Record<string, { required?: boolean; default?: unknown } | null>;
  const requiredInputs = Object.entries(inputs)
    .filter(([, i]) => i?.required && i.default === undefined)
    .map(([k]) => k);

  const retiredRunners: WorkflowInfo['retiredRunners'] = [];
  const jobs = (doc.jobs ?? {}) as Record<string, { 'runs-on'?: unknown }>;
  for (const [job, def] of Object.entries(jobs)) {
    const runsOn = def?.['runs-on'];
    for (const r of Array.isArray(runsOn) ? runsOn : [runsOn])
      if (typeof r === 'string' && isRetired(r)) retiredRunners.push({ job, runner: r });
  }

  const wfRun = on && typeof on === 'object' && !Array.isArray(on) ? (on as Record<string, { workflows?: unknown } | null>).workflow_run : undefined;
  const triggeredBy = [wfRun?.workflows].flat().filter((w): w is string => typeof w === 'string');

  const hostSecret = seen.has('DEPLOY_HOST') ? 'DEPLOY_HOST' : seen.has('DEPLOY_API') ? 'DEPLOY_API' : undefined;
  return {
    secrets,
    hostSecret,
    target: targetOfSecrets(secrets),
    dispatchable: dispatch,
    requiredInputs,
    retiredRunners,
    name: typeof doc.name === 'string' ? doc.name : undefined,
    triggeredBy,
    hardCodedPort22: /^\s*port:\s*['"]?22['"]?\s*$/m.test(text),
  };
}

/** Names used when a repository has no release workflow yet (the seed's table). */
export function seedSecretNames(target: TargetId): string[] {
  return ['DEPLOY_API', 'DEPLOY_USERNAME', 'DEPLOY_KEY', 'LETSENCRYPT_EMAIL', ...storageSecretNames(target)];
}

/** The fix for a retired runner, in words a user can act on. */
export function retiredRunnerFix(info: WorkflowInfo, file: string): string {
  const runners = [...new Set(info.retiredRunners.map((r) => r.runner))].join(', ');
  return `.github/workflows/${file} runs on ${runners}, which GitHub retired: its jobs wait for a runner forever. Change runs-on to ubuntu-24.04 (or ubuntu-latest) and push; editing workflow files through the API needs the token's "workflow" scope. A run without --no-release proposes that repair (with --yes: --repair-workflow).`;
}
