/** Workflows, workflow_dispatch, and the runs lists. */
import { openRepo, type Ctx } from '../context.js';
import { jobJson, runJson } from '../run-json.js';
import { ApiError, iso, jsonObjectBody, notFound, notSupplied, paginate, type Reply } from '../http.js';
import { branchHead, defaultHead, fileText, type RepoState, type WorkflowEntry } from '../state.js';
import { createdFilter, playRun, type RunRecord } from '../runs.js';
import { startRun } from '../run-start.js';
import { readWorkflow } from '../workflow-yaml.js';
import { REPO, SEG, p, type Route } from './route.js';

const DOCS = {
  workflows: 'https://docs.github.com/rest/actions/workflows#list-repository-workflows',
  workflow: 'https://docs.github.com/rest/actions/workflows#get-a-workflow',
  dispatch: 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event',
  workflowRuns: 'https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow',
  repoRuns: 'https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-repository',
  run: 'https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run',
  jobs: 'https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run',
  job: 'https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run',
};

/** GitHub's limit on workflow_dispatch inputs. */
const MAX_INPUTS = 25;

/** The name in the workflow file on the default branch, or its path when it has none. */
const workflowName = (repo: RepoState, wf: WorkflowEntry): string => readWorkflow(fileText(repo, defaultHead(repo), wf.path) ?? '').name ?? wf.path;

function workflowJson(ctx: Ctx, repo: RepoState, wf: WorkflowEntry): Record<string, unknown> {
  return {
    id: wf.id,
    node_id: `W_${Buffer.from(String(wf.id)).toString('base64url')}`,
    name: workflowName(repo, wf),
    path: wf.path,
    state: 'active',
    created_at: iso(wf.createdAt),
    updated_at: iso(wf.createdAt),
    url: `${ctx.env.apiUrl}/repos/${repo.fullName}/actions/workflows/${wf.id}`,
    html_url: `${ctx.env.htmlUrl}/${repo.fullName}/blob/${repo.defaultBranch}/${wf.path}`,
    badge_url: `${ctx.env.htmlUrl}/${repo.fullName}/workflows/${encodeURIComponent(workflowName(repo, wf))}/badge.svg`,
  };
}

function workflowOr404(ctx: Ctx, repo: RepoState, idOrFile: string, docs: string): WorkflowEntry {
  const wf = ctx.env.state.findWorkflow(repo, idOrFile);
  if (!wf) throw notFound(docs);
  return wf;
}

/** Validates like GitHub: known keys only, a branch that exists, a dispatchable workflow, declared inputs. */
function dispatch(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'push', DOCS.dispatch);
  const wf = workflowOr404(ctx, repo, p(params, 2), DOCS.dispatch);
  const body = jsonObjectBody(ctx.rawBody, DOCS.dispatch);

  // GitHub Enterprise Server predates return_run_details and rejects it like any unknown key.
  const permitted = ctx.env.faults.rejectReturnRunDetails ? ['ref', 'inputs'] : ['ref', 'inputs', 'return_run_details'];
  const unknown = Object.keys(body).find((k) => !permitted.includes(k));
  if (unknown) throw new ApiError(422, `Invalid request.\n\n"${unknown}" is not a permitted key.`, DOCS.dispatch);

  const ref = body.ref;
  if (ref === undefined || ref === null) throw notSupplied('ref', DOCS.dispatch);
  if (typeof ref !== 'string') throw new ApiError(422, 'Invalid request.\n\nFor \'properties/ref\', it is not a string.', DOCS.dispatch);
  const branch = ref.replace(/^refs\/heads\//, '');
  const head = branchHead(repo, branch);
  if (!head) throw new ApiError(422, `No ref found for: ${ref}`, DOCS.dispatch);

  const facts = readWorkflow(fileText(repo, head, wf.path) ?? '');
  if (!facts.dispatchable) throw new ApiError(422, "Workflow does not have 'workflow_dispatch' trigger", DOCS.dispatch);

  const rawInputs = body.inputs ?? {};
  if (rawInputs === null || typeof rawInputs !== 'object' || Array.isArray(rawInputs)) {
    throw new ApiError(422, "Invalid request.\n\nFor 'properties/inputs', it is not an object.", DOCS.dispatch);
  }
  const inputs = Object.fromEntries(Object.entries(rawInputs).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  const names = Object.keys(inputs);
  if (names.length > MAX_INPUTS) throw new ApiError(422, `Invalid request.\n\nNo more than ${MAX_INPUTS} properties are allowed; ${names.length} were supplied.`, DOCS.dispatch);
  const unexpected = names.filter((n) => !facts.inputs.has(n));
  if (unexpected.length) throw new ApiError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`, DOCS.dispatch);
  for (const [name, decl] of facts.inputs) {
    if (decl.required && decl.default === undefined && !(name in inputs)) {
      throw new ApiError(422, `Required input '${name}' not provided`, DOCS.dispatch);
    }
  }

  ctx.env.record({ kind: 'dispatch', repo: repo.fullName, name: wf.file, at: ctx.at });
  const actor = { login: ctx.token?.login ?? 'octocat', id: ctx.token?.userId ?? 0 };
  const run = startRun(ctx.env, repo, wf, { event: 'workflow_dispatch', ref, branch, sha: head, inputs, actor, at: ctx.at });
  if (body.return_run_details === true) {
    return {
      status: 200,
      json: {
        workflow_run_id: run.id,
        run_url: `${ctx.env.apiUrl}/repos/${repo.fullName}/actions/runs/${run.id}`,
        html_url: `${ctx.env.htmlUrl}/${repo.fullName}/actions/runs/${run.id}`,
      },
    };
  }
  return { status: 204 };
}

/** Both runs lists: newest first, filtered like GitHub, paginated with a Link header. */
function listRuns(ctx: Ctx, repo: RepoState, workflow?: WorkflowEntry): Reply {
  const q = ctx.query;
  const created = createdFilter(q.get('created'));
  const status = q.get('status');
  const runs = repo.runs
    .filter((r) => !workflow || r.workflowId === workflow.id)
    .filter((r) => !q.get('event') || q.get('event') === r.event)
    .filter((r) => !q.get('branch') || q.get('branch') === r.branch)
    .filter((r) => !q.get('actor') || q.get('actor')?.toLowerCase() === r.actor.login.toLowerCase())
    .filter((r) => !q.get('head_sha') || q.get('head_sha') === r.headSha)
    .filter((r) => !created || created(r.createdAt))
    .filter((r) => {
      if (!status) return true;
      const s = playRun(r, ctx.at);
      return s.status === status || s.conclusion === status;
    })
    .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  const page = paginate(runs, q, ctx.env.apiUrl, ctx.pathname);
  return {
    status: 200,
    json: { total_count: runs.length, workflow_runs: page.items.map((r) => runJson(ctx, repo, r)) },
    ...(page.link ? { headers: { link: page.link } } : {}),
  };
}

function runOr404(repo: RepoState, id: string, docs: string): RunRecord {
  const run = repo.runs.find((r) => String(r.id) === id);
  if (!run) throw notFound(docs);
  return run;
}

export const actionRoutes: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/workflows$`),
    operation: 'GET /repos/{owner}/{repo}/actions/workflows',
    scopes: 'repo',
    docs: DOCS.workflows,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.workflows);
      const page = paginate(repo.workflows, ctx.query, ctx.env.apiUrl, ctx.pathname);
      return {
        status: 200,
        json: { total_count: repo.workflows.length, workflows: page.items.map((wf) => workflowJson(ctx, repo, wf)) },
        ...(page.link ? { headers: { link: page.link } } : {}),
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/workflows/${SEG}$`),
    operation: 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}',
    scopes: 'repo',
    docs: DOCS.workflow,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.workflow);
      return { status: 200, json: workflowJson(ctx, repo, workflowOr404(ctx, repo, p(params, 2), DOCS.workflow)) };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`${REPO}/actions/workflows/${SEG}/dispatches$`),
    operation: 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    scopes: 'repo',
    docs: DOCS.dispatch,
    handle: dispatch,
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/workflows/${SEG}/runs$`),
    operation: 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
    scopes: 'repo',
    docs: DOCS.workflowRuns,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.workflowRuns);
      return listRuns(ctx, repo, workflowOr404(ctx, repo, p(params, 2), DOCS.workflowRuns));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/runs$`),
    operation: 'GET /repos/{owner}/{repo}/actions/runs',
    scopes: 'repo',
    docs: DOCS.repoRuns,
    handle: (ctx, params) => listRuns(ctx, openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.repoRuns)),
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/runs/${SEG}$`),
    operation: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
    scopes: 'repo',
    docs: DOCS.run,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.run);
      return { status: 200, json: runJson(ctx, repo, runOr404(repo, p(params, 2), DOCS.run)) };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/runs/${SEG}/jobs$`),
    operation: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
    scopes: 'repo',
    docs: DOCS.jobs,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.jobs);
      const run = runOr404(repo, p(params, 2), DOCS.jobs);
      const jobs = playRun(run, ctx.at).jobs;
      const page = paginate(jobs, ctx.query, ctx.env.apiUrl, ctx.pathname);
      return {
        status: 200,
        json: { total_count: jobs.length, jobs: page.items.map((j) => jobJson(ctx, repo, run, j)) },
        ...(page.link ? { headers: { link: page.link } } : {}),
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/jobs/${SEG}$`),
    operation: 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}',
    scopes: 'repo',
    docs: DOCS.job,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.job);
      for (const run of repo.runs) {
        const job = playRun(run, ctx.at).jobs.find((j) => String(j.id) === p(params, 2));
        if (job) return { status: 200, json: jobJson(ctx, repo, run, job) };
      }
      throw notFound(DOCS.job);
    },
  },
];
