import { deployKeyCleanupStep, deployKeyStep } from './deploy-key.js';
import { deployUserStep } from './deploy-user.js';
import { CHECK_STEPS } from './host-checks.js';
import { proxyStep } from './proxy.js';
import { releaseStep } from './release.js';
import { planSecretList, secretsStep } from './secrets.js';
import { shimStep } from './shim.js';
import { storageStep } from './storage.js';
import type { Inspection, Plan, PlanItem, Step } from './types.js';
import { restoreDrillStep } from './verify.js';
import { workflowStep, workflowWarnings } from './workflow.js';

/**
 * Every step of a run, in order: the plan shows their rows top to bottom, and the changes
 * happen in the same order: the host first, the repository's secrets next, the release last.
 * Adding a step is one file and one row here.
 */
export const STEPS: readonly Step[] = [
  ...CHECK_STEPS,
  storageStep,
  shimStep,
  deployUserStep,
  proxyStep,
  deployKeyStep,
  workflowStep,
  secretsStep,
  deployKeyCleanupStep,
  releaseStep,
  restoreDrillStep,
];

/** The whole plan, a pure function of what inspection found. */
export function makePlan(ins: Inspection): Plan {
  const items: PlanItem[] = [];
  for (const s of STEPS) if (s.plan) items.push({ ...s.plan(ins, items), id: s.id, title: s.title });
  return { items, secrets: planSecretList(ins), warnings: workflowWarnings(ins) };
}

export const blockedItems = (p: Plan): PlanItem[] => p.items.filter((i) => i.status === 'blocked');
