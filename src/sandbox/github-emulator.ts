/**
 * An in-process GitHub REST API for the tests and for `--demo`: the endpoints this program
 * uses, answered with GitHub's status codes, bodies and headers, plus injectable faults.
 * Depends on node:* and libsodium only, so the demo ships without test tooling.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import sodium from 'libsodium-wrappers';
import type { Ctx, Env } from './github-emulator/context.js';
import { tokenFromHeader } from './github-emulator/context.js';
import { Faults } from './github-emulator/faults.js';
import { iso, newRequestId, now, type Reply } from './github-emulator/http.js';
import { route } from './github-emulator/routes/index.js';
import { DEFAULT_PLAYBOOK, RETIRED_RUNNER_LABELS, toPlaybook, type Playbook } from './github-emulator/runs.js';
import { EmulatorState, secretKey, type TokenState } from './github-emulator/state.js';
import { inspectCommits, inspectFiles, inspectHead, inspectRuns, pushFromOutside } from './github-emulator/inspection.js';
import { settleRunActivity } from './github-emulator/workflow-run-events.js';
import type { EmulatorEvent, EmulatorRequestLog, GitHubEmulator, StartOptions } from './github-emulator/types.js';

export { RETIRED_RUNNER_LABELS } from './github-emulator/runs.js';
export type {
  EmulatorCommit,
  EmulatorEvent,
  EmulatorRun,
  EmulatorRepoInit,
  EmulatorRequestLog,
  EmulatorToken,
  FaultPlan,
  GitHubEmulator,
  RunPlaybook,
  StartOptions,
} from './github-emulator/types.js';

interface Counters {
  total: number;
  inFlight: number;
  maxConcurrent: number;
  byMethod: Record<string, number>;
}

export async function startGitHubEmulator(opts: StartOptions = {}): Promise<GitHubEmulator> {
  await sodium.ready;
  const state = new EmulatorState();
  const faults = new Faults();
  let playbook: Playbook = DEFAULT_PLAYBOOK;
  const playbooks = new Map<string, Playbook>();
  let log: EmulatorRequestLog[] = [];
  let events: EmulatorEvent[] = [];
  let counters: Counters = { total: 0, inFlight: 0, maxConcurrent: 0, byMethod: {} };
  // Cuts injected latency short on close(), so no timer outlives the emulator.
  const closing = new AbortController();

  const server = createServer((req, res) => void serve(req, res));
  const port = await listen(server, opts.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  const env: Env = {
    state,
    faults,
    playbook: (file) => playbooks.get(file) ?? playbook,
    retiredRunners: new Set((opts.retiredRunners ?? RETIRED_RUNNER_LABELS).map((l) => l.toLowerCase())),
    record: (e) => events.push(e),
    apiUrl: url,
    htmlUrl: (opts.htmlUrl ?? 'https://github.com').replace(/\/+$/, ''),
  };

  const settle = (): void => settleRunActivity(env, now());

  let beforeHandle: ((route: string) => Promise<void> | void) | undefined;
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = now();
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const tally = counters;
    let hung = false;
    tally.total += 1;
    tally.byMethod[method] = (tally.byMethod[method] ?? 0) + 1;
    tally.inFlight += 1;
    tally.maxConcurrent = Math.max(tally.maxConcurrent, tally.inFlight);
    // 'close' fires once the response is fully sent or the client went away: the request's true end.
    res.on('close', () => {
      tally.inFlight -= 1;
      if (tally !== counters) counters.inFlight -= 1;
      log.push({ method, path, status: hung ? 0 : res.statusCode, start, end: now() });
    });

    const requestId = newRequestId();
    try {
      const rawBody = await readBody(req);
      if (faults.latencyMs > 0) await sleep(faults.latencyMs, undefined, { signal: closing.signal });
      // A test's chance to act at an exact moment (drop SSH, send SIGINT) before the request is handled.
      if (beforeHandle) await beforeHandle(`${method} ${path}`);

      const hang = faults.hang(`${method} ${path}`);
      if (hang) {
        hung = true;
        if (hang === 'midway') {
          res.writeHead(200, { ...commonHeaders(requestId, undefined), 'content-type': 'application/json; charset=utf-8', 'content-length': '4096' });
          res.write('{"message":"');
        }
        await new Promise<void>((resolve) => {
          res.once('close', resolve);
          closing.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        res.destroy();
        return;
      }

      const presented = tokenFromHeader(req.headers.authorization);
      const token = presented === undefined ? undefined : state.tokens.get(presented);
      if (token) token.used += 1;
      const injected = faults.intercept(`${method} ${path}`, requestId);
      if (injected) return send(res, injected, commonHeaders(requestId, token));

      // Concatenated, not resolved: `new URL('//x', base)` would read a host out of the path.
      const parsed = new URL(url + (path.startsWith('/') ? path : `/${path}`));
      const at = now();
      // Runs that finished since the last request start the workflows waiting on them.
      settleRunActivity(env, at);
      const ctx: Ctx = {
        env,
        method,
        pathname: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        rawBody,
        requestId,
        at,
        ...(token ? { token } : {}),
      };
      const { reply, scopes } = route(ctx, presented !== undefined && !token);
      const headers = commonHeaders(requestId, token);
      if (token?.scopes && scopes !== undefined) headers['x-accepted-oauth-scopes'] = scopes;
      send(res, reply, headers);
    } catch (e) {
      if (closing.signal.aborted) {
        res.destroy();
        return;
      }
      send(res, { status: 500, json: { message: 'Server Error', detail: String(e) } }, commonHeaders(requestId, undefined));
    }
  }

  return {
    url,
    addRepo: (init) => void state.addRepo(init),
    addToken: (t) => state.addToken(t),
    renameRepo: (from, to) => state.renameRepo(from, to).id,
    setFaults: (f) => faults.set(f),
    onRequest: (hook) => {
      beforeHandle = hook;
    },
    setPlaybook: (p, workflowFile) => {
      if (workflowFile) playbooks.set(workflowFile, toPlaybook(p));
      else playbook = toPlaybook(p);
    },
    secretValue: (repo, name) => state.repo(repo).secrets.get(secretKey(name))?.value,
    secrets: (repo) =>
      state.sortedSecrets(state.repo(repo)).map((s) => ({
        name: s.name,
        created_at: iso(s.createdAt),
        updated_at: iso(s.updatedAt),
        value: s.value,
      })),
    dispatches: (repo) =>
      state
        .repo(repo)
        .runs.filter((r) => r.event === 'workflow_dispatch')
        .map((r) => ({ workflow: r.workflowFile, ref: r.ref, inputs: { ...r.inputs }, at: r.createdAt, runId: r.id })),
    runs: (repo) => {
      settle();
      return inspectRuns(state.repo(repo), now());
    },
    files: (repo, ref) => inspectFiles(state.repo(repo), ref),
    commits: (repo, ref) => inspectCommits(state.repo(repo), ref),
    headSha: (repo, branch) => inspectHead(state.repo(repo), branch),
    push: (repo, change) => {
      settle();
      return pushFromOutside(env, state.repo(repo), change, now());
    },
    requests: () => [...log].sort((a, b) => a.start - b.start),
    stats: () => ({ total: counters.total, maxConcurrent: counters.maxConcurrent, byMethod: { ...counters.byMethod } }),
    events: () => {
      settle();
      return events.map((e) => ({ ...e }));
    },
    reset: () => {
      log = [];
      events = [];
      // Requests still in flight keep decrementing the old tally; carry their count over.
      counters = { total: 0, inFlight: counters.inFlight, maxConcurrent: counters.inFlight, byMethod: {} };
      faults.set({});
    },
    close: async () => {
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Headers GitHub puts on every answer; scope headers only for classic tokens, as GitHub does. */
function commonHeaders(requestId: string, token: TokenState | undefined): Record<string, string> {
  const limit = token ? 5000 : 60;
  const used = token?.used ?? 1;
  const headers: Record<string, string> = {
    'x-github-request-id': requestId,
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, limit - used)),
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 3_600_000) * 3600),
    'x-ratelimit-used': String(used),
    'x-ratelimit-resource': 'core',
  };
  if (token?.scopes) headers['x-oauth-scopes'] = token.scopes.join(', ');
  return headers;
}

function send(res: ServerResponse, reply: Reply, headers: Record<string, string>): void {
  if (res.destroyed || res.headersSent) return;
  const all: Record<string, string> = { ...headers, ...reply.headers };
  let body: string | undefined;
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    all['content-type'] = 'application/json; charset=utf-8';
  } else if (reply.text !== undefined) {
    body = reply.text;
    all['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
  }
  if (body !== undefined) all['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, all);
  res.end(body);
}
