/**
 * GitHub's filter patterns for `branches`, `tags` and `paths`: `*` matches anything but `/`,
 * `**` anything, `?` and `+` repeat the character before them, `[...]` is a character class,
 * and a leading `!` excludes what earlier patterns included (order matters).
 */
import type { PushTrigger, WorkflowRunTrigger } from './workflow-yaml.js';

/** The strings in a commit message that stop `push` workflows. */
export const SKIP_MARKERS = ['[skip ci]', '[ci skip]', '[no ci]', '[skip actions]', '[actions skip]'];

export const skipsPushWorkflows = (message: string): boolean => {
  const lower = message.toLowerCase();
  return SKIP_MARKERS.some((m) => lower.includes(m));
};

const cache = new Map<string, RegExp>();

export function patternRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i += 1;
      } else re += '[^/]*';
    } else if (c === '?' || c === '+') re += c;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.^$|(){}\\]/g, '\\$&');
  }
  const compiled = new RegExp(`^${re}$`);
  cache.set(pattern, compiled);
  return compiled;
}

/** Patterns applied in order: the last one that matches decides, `!` ones exclude. */
export function matchesPatterns(value: string, patterns: string[]): boolean {
  let included = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (patternRegExp(negated ? p.slice(1) : p).test(value)) included = !negated;
  }
  return included;
}

function branchAllowed(branch: string, include: string[] | undefined, ignore: string[] | undefined): boolean {
  if (include && !matchesPatterns(branch, include)) return false;
  if (ignore && ignore.some((p) => patternRegExp(p).test(branch))) return false;
  return true;
}

/**
 * Whether a push of `branch` changing `changed` starts a workflow with this `push` trigger.
 * A trigger that filters only tags ignores branch pushes, as GitHub does.
 */
export function pushStarts(trigger: PushTrigger, branch: string, changed: string[]): boolean {
  const branchFilter = trigger.branches !== undefined || trigger.branchesIgnore !== undefined;
  const tagFilter = trigger.tags !== undefined || trigger.tagsIgnore !== undefined;
  if (tagFilter && !branchFilter) return false;
  if (!branchAllowed(branch, trigger.branches, trigger.branchesIgnore)) return false;
  if (trigger.paths && !changed.some((p) => matchesPatterns(p, trigger.paths ?? []))) return false;
  if (trigger.pathsIgnore && changed.every((p) => matchesPatterns(p, trigger.pathsIgnore ?? []))) return false;
  return true;
}

export type RunActivity = 'requested' | 'in_progress' | 'completed';

/** Whether an activity of a run of workflow `name` on `branch` starts a workflow with this trigger. */
export function workflowRunStarts(trigger: WorkflowRunTrigger, name: string, branch: string, activity: RunActivity): boolean {
  if (!trigger.workflows.includes(name)) return false;
  if (trigger.types.length > 0 && !trigger.types.includes(activity)) return false;
  return branchAllowed(branch, trigger.branches, trigger.branchesIgnore);
}
