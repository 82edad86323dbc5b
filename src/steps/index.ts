import { deployKeyCleanupStep, deployKeyStep } from './deploy-key.js';
import { deployUserStep } from './deploy-user.js';
import { dnsStep } from './dns.js';
import { httpsStep } from './https.js';
import { containersStep, litestreamLogStep, replicaFreshStep } from './outcome.js';
import { CHECK_STEPS } from './host-checks.js';
import { proxyStep } from './proxy.js';
import { releaseStep } from './release.js';
import { planSecretList, secretsStep } from './secrets.js';
import { shimStep } from './shim.js';
import { storageStep } from './storage.js';
import type { Inspection, Plan, PlanItem, Step } from './types.js';
import { restoreDrillStep } from './verify.js';
import { workflowStep, workflowWarnings } from './workflow.js';
import { workflowAccessStep, workflowRepairStep } from './workflow-repair.js';

/**
 * Every step of a run, in order: the plan shows their rows top to bottom, and the changes
 * happen in the same order: the host first, the repository's secrets next, the release last.
 * Adding a step is one file and one row here.
 */
export const STEPS: readonly Step[] = [
  // First of all: a token that may not write workflows stops the run before any change.
  workflowAccessStep,
  ...CHECK_STEPS,
  storageStep,
  shimStep,
  deployUserStep,
  dnsStep,
  proxyStep,
  deployKeyStep,
  workflowStep,
  secretsStep,
  deployKeyCleanupStep,
  workflowRepairStep,
  releaseStep,
  // The outcome, after the release and alone with --verify: one host read, the drill, the site.
  containersStep,
  litestreamLogStep,
  replicaFreshStep,
  restoreDrillStep,
  httpsStep,
];

/** The whole plan, a pure function of what inspection found. */
export function makePlan(ins: Inspection): Plan {
  const items: PlanItem[] = [];
  for (const s of STEPS) if (s.plan) items.push({ ...s.plan(ins, items), id: s.id, title: s.title });
  // Under --yes nobody is asked about a warning row, so it is said as a warning too.
  const rowWarnings = items.filter((i) => i.status === 'warn').map((i) => `${i.title}: ${i.detail}`);
  return { items, secrets: planSecretList(ins), warnings: [...workflowWarnings(ins), ...rowWarnings] };
}

export const blockedItems = (p: Plan): PlanItem[] => p.items.filter((i) => i.status === 'blocked');
