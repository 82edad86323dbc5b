/**
 * The facts the emulator needs from a workflow file: its name, its `workflow_dispatch`
 * inputs, its `push` and `workflow_run` triggers with their filters, and each job's
 * `runs-on`. It understands the block and flow forms real workflows use; anything fancier
 * (anchors, expressions in `on:`) is simply not seen.
 */
import { child, listValues, parseTree, unquote, type YamlNode } from './yaml-tree.js';

export interface DispatchInput {
  required: boolean;
  default?: string;
}

/** GitHub's filter lists; undefined means the key is absent. */
export interface PushTrigger {
  branches?: string[];
  branchesIgnore?: string[];
  tags?: string[];
  tagsIgnore?: string[];
  paths?: string[];
  pathsIgnore?: string[];
}

export interface WorkflowRunTrigger {
  /** Names of the workflows whose runs start this one. */
  workflows: string[];
  /** Empty: every activity type (requested, in_progress, completed). */
  types: string[];
  branches?: string[];
  branchesIgnore?: string[];
}

export interface JobFacts {
  id: string;
  name?: string;
  /** Runner labels; undefined when runs-on is an expression the emulator cannot evaluate. */
  runsOn?: string[];
}

export interface WorkflowFacts {
  name?: string;
  dispatchable: boolean;
  inputs: Map<string, DispatchInput>;
  push?: PushTrigger;
  workflowRun?: WorkflowRunTrigger;
  jobs: JobFacts[];
}

/** `on: push`, `on: [push, workflow_dispatch]`, `on:\n  - push`, or `on:\n  push:`. */
function mentions(on: YamlNode, event: string): boolean {
  if (on.value && listValues(on).includes(event)) return true;
  return on.children.some((c) => (c.key === '-' && c.value === event) || c.key === event);
}

const optionalList = (node: YamlNode | undefined, key: string): string[] | undefined => {
  const n = child(node, key);
  return n ? listValues(n) : undefined;
};

function readPush(on: YamlNode): PushTrigger | undefined {
  if (!mentions(on, 'push')) return undefined;
  const node = child(on, 'push');
  const out: PushTrigger = {};
  const keys: [keyof PushTrigger, string][] = [
    ['branches', 'branches'],
    ['branchesIgnore', 'branches-ignore'],
    ['tags', 'tags'],
    ['tagsIgnore', 'tags-ignore'],
    ['paths', 'paths'],
    ['pathsIgnore', 'paths-ignore'],
  ];
  for (const [field, key] of keys) {
    const list = optionalList(node, key);
    if (list) out[field] = list;
  }
  return out;
}

function readWorkflowRun(on: YamlNode): WorkflowRunTrigger | undefined {
  const node = child(on, 'workflow_run');
  if (!node) return undefined;
  const branches = optionalList(node, 'branches');
  const branchesIgnore = optionalList(node, 'branches-ignore');
  return {
    workflows: listValues(child(node, 'workflows')),
    types: listValues(child(node, 'types')),
    ...(branches ? { branches } : {}),
    ...(branchesIgnore ? { branchesIgnore } : {}),
  };
}

/** `runs-on: x`, `[x, y]`, a block list, or `{group, labels}`; `${{ }}` cannot be read. */
function runsOn(node: YamlNode | undefined): string[] | undefined {
  if (!node) return [];
  if (node.value.includes('${{')) return undefined;
  if (node.value || node.children.some((c) => c.key === '-')) return listValues(node);
  return listValues(child(node, 'labels'));
}

function readJobs(root: YamlNode): JobFacts[] {
  return (child(root, 'jobs')?.children ?? [])
    .filter((j) => j.key !== '-')
    .map((j) => {
      const name = child(j, 'name')?.value;
      const labels = runsOn(child(j, 'runs-on'));
      return { id: j.key, ...(name ? { name: unquote(name) } : {}), ...(labels ? { runsOn: labels } : {}) };
    });
}

export function readWorkflow(text: string): WorkflowFacts {
  const root = parseTree(text);
  const nameNode = child(root, 'name');
  // YAML 1.1 reads a bare `on` key as boolean true; GitHub accepts either spelling.
  const on = child(root, 'on') ?? child(root, 'true');
  const inputs = new Map<string, DispatchInput>();
  let dispatchable = false;
  let push: PushTrigger | undefined;
  let workflowRun: WorkflowRunTrigger | undefined;

  if (on) {
    dispatchable = mentions(on, 'workflow_dispatch');
    for (const input of child(child(on, 'workflow_dispatch'), 'inputs')?.children ?? []) {
      if (input.key === '-') continue;
      const def = child(input, 'default');
      inputs.set(input.key, {
        required: unquote(child(input, 'required')?.value ?? '') === 'true',
        ...(def ? { default: unquote(def.value) } : {}),
      });
    }
    push = readPush(on);
    workflowRun = readWorkflowRun(on);
  }
  return {
    ...(nameNode?.value ? { name: unquote(nameNode.value) } : {}),
    dispatchable,
    inputs,
    ...(push ? { push } : {}),
    ...(workflowRun ? { workflowRun } : {}),
    jobs: readJobs(root),
  };
}
