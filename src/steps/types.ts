import type { Settings } from '../config/settings.js';
import type { RepoFile, Store } from '../config/store.js';
import type { JobInfo, RepoInfo, SecretMeta } from '../github/api.js';
import type { GitHubClient } from '../github/client.js';
import type { WorkflowInfo } from '../github/workflow.js';
import type { HostKeyInfo } from '../host/connect.js';
import type { DeployKeyPair } from '../host/deploy-key.js';
import type { CertAnswer } from '../host/https.js';
import type { HostFacts } from '../host/probe.js';
import type { HostSession, SshTiming } from '../host/transport.js';
import type { Sensitive } from '../sensitive.js';
import type { Outcome } from '../targets/outcome.js';
import type { Finding } from '../targets/replica-check.js';
import type { Sidecar } from '../targets/replica.js';
import type { ProxyGeneration } from './proxy-compose.js';

/** A step's id, as the list of steps (steps/index.ts) names it. */
export type StepId = string;

/** `warn`: nothing changes, but something is likely to fail later (a DNS record); the wizard asks to go on. */
export type ItemStatus = 'ok' | 'change' | 'blocked' | 'skip' | 'warn';

/** A plan row as a step's planner makes it: the engine adds the step's id and title. */
export type Row = Omit<PlanItem, 'id' | 'title'>;

export interface PlanItem {
  id: StepId;
  title: string;
  status: ItemStatus;
  /** One line: what is there, or what will change. */
  detail: string;
  /** For a blocked item: exactly what to run or do. */
  fix?: string;
  /** Blocked by an input that contradicts the repository (exit 2, like any bad input). */
  badInput?: boolean;
  /** What will run on the host, for the plan view. */
  commands?: string[];
  /** Lines of a file diff, for the plan view. */
  diff?: string[];
  /**
   * A question the wizard asks before the plan is applied (installing software, going on
   * past a warning); declined, nothing changes. Under --yes the step's flag stands for it.
   */
  ask?: string;
  /** Said when the answer to `ask` is no: what to do instead. */
  askNo?: string;
}

export type SecretAction = 'create' | 'update' | 'keep' | 'missing' | 'optional';

export interface SecretPlan {
  name: string;
  action: SecretAction;
  /** When GitHub says it was last set. */
  updatedAt?: string;
  note?: string;
}

export interface Plan {
  items: PlanItem[];
  secrets: SecretPlan[];
  warnings: string[];
}

export interface RepoState {
  info: RepoInfo;
  workflowFile: string;
  workflowText: string | undefined;
  workflow: WorkflowInfo | undefined;
  /** The workflows whose completion starts the release (`on: workflow_run`), as read. */
  triggers: { path: string; text: string }[];
  appCompose: string | undefined;
  /** Where appCompose came from in the repository. */
  appComposePath?: string;
  proxyGeneration: ProxyGeneration;
  proxyGenerationGuessed: boolean;
  secrets: Map<string, SecretMeta>;
  publicKey: { keyId: string; key: string };
  /** The name the run was given, when GitHub answered under another one (a renamed or transferred repository). */
  renamedFrom?: string;
}

/** What the read-only storage check found (engine/storage-check.ts). */
export type StorageState =
  | { kind: 'skip'; why: string; sidecar?: Sidecar }
  | { kind: 'checked'; finding: Finding; sidecar: Sidecar; ms: number; deployed?: boolean };

/** Everything inspection found; plans are pure functions of this. */
export interface Inspection {
  settings: Settings;
  hostKey: HostKeyInfo;
  hostKeyRecorded: boolean;
  facts: HostFacts;
  repo: RepoState;
  saved: RepoFile;
  /** Values the secrets would get (DEPLOY_KEY excepted: it is made during apply). */
  desired: Map<string, Sensitive>;
  /** HMAC of each desired value, compared with the record to tell keep from update. */
  digests: Map<string, string>;
  /** Public key blobs (base64) of the keys offered at login: never removed from a host. */
  loginKeyBlobs: string[];
  /** --host's DNS records as this machine resolves them, and --ssh-host's addresses when it is a name. */
  dns: { host: string; a: string[]; aaaa: string[]; error?: string; sshAddresses: string[] };
  /** The storage values tried from the host with the sidecar's image; absent where not tried (tests' hand-made inspections). */
  storage?: StorageState;
}

/** A name's A and AAAA records; a name without records answers empty lists. */
export type Resolve = (host: string) => Promise<{ a: string[]; aaaa: string[] }>;

export type EngineEvent =
  | { type: 'phase'; phase: 'inspect' | 'plan' | 'apply' | 'release' | 'done' }
  | { type: 'step-start'; id: StepId; title: string }
  | { type: 'step-end'; id: StepId; status: 'done' | 'ok' | 'skip' | 'fail'; detail: string; ms: number }
  | { type: 'output'; id: StepId; line: string }
  | { type: 'progress'; id: StepId; done: number; total: number }
  | { type: 'plan'; plan: Plan }
  | { type: 'warning'; message: string }
  | { type: 'host-key'; info: HostKeyInfo; recorded: boolean }
  | { type: 'run'; url: string; status: string; conclusion: string | null; jobs: JobInfo[] }
  | { type: 'summary'; summary: Summary };

export interface Summary {
  changed: string[];
  siteUrl: string;
  /** How the deploy user logs in: `ssh [-p PORT] USER@ADDRESS`. */
  ssh: string;
  proxyFile: string;
  secretsWritten: string[];
  runUrl?: string;
  conclusion?: string | null;
  manual: string[];
  /** With --rotate: what was replaced (names and fingerprints, never values). */
  rotated?: string[];
  dryRun: boolean;
  /** The checks of the outcome that passed, with their figures. */
  verified?: string[];
  /** Set when the restore drill passed: the summary then needs no manual restore test. */
  drilled?: boolean;
}

export type Emit = (e: EngineEvent) => void;

/** Side effects, passed in: real ones from cli.ts, sandboxed ones in --demo and tests. */
export interface Deps {
  store: Store;
  github: (s: Settings) => GitHubClient;
  /** Asked only for a host key never seen before. */
  confirmNewHostKey: (info: HostKeyInfo) => Promise<boolean>;
  /** The wizard shows the plan and asks; --yes passes none. */
  confirmPlan?: (plan: Plan) => Promise<boolean>;
  generateKey: (comment: string) => DeployKeyPair;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** How often the workflow run is polled. */
  pollMs: number;
  /** Give up following a run that never left the queue (a retired runner waits forever). */
  queuedTimeoutMs: number;
  writePrivateFile: (path: string, text: string) => Promise<void>;
  /** DNS, for the check before LetsEncrypt. */
  resolve: Resolve;
  /** How long apt's lock (unattended-upgrades) is waited for, and how often it is tried, in seconds. */
  aptLock?: { waitS: number; pollS: number };
  /** Handshake and keepalive timing of every SSH connection (defaults: SSH_TIMING); tests shorten it. */
  sshTiming?: SshTiming;
  /** The certificate `address:port` presents for `host` (the HTTPS check). */
  certificate: (host: string, address: string, port: number) => Promise<CertAnswer>;
  /** Where the site answers (443) and how long, after a release, LetsEncrypt is waited for. */
  https: { port: number; waitMs: number; pollMs: number };
  /** After a release: how long the containers and the replica are given to settle. */
  outcomeWaitMs: number;
}

export interface ApplyContext {
  ins: Inspection;
  /** Filled in as steps finish: the release's run, what was rotated, what is left to do by hand. */
  summary: Summary;
  plan: Plan;
  deps: Deps;
  emit: Emit;
  host: HostSession;
  gh: GitHubClient;
  /** The deploy user's home on the host (known once the user exists). */
  deployHome: string;
  /** Set by the deploy-key step, read by the secrets step. */
  newKey?: DeployKeyPair;
  /** Set by the workflow-access step: the repaired tree, made before any change, and the commit it goes on. */
  repairTree?: { tree: string; parent: string };
  /** Read by the first check of the outcome, judged by the next ones. */
  outcome?: { result: Outcome; names: { app: string; sidecar: string } };
  written: string[];
  changed: string[];
}

/**
 * One step of a run: a row of the plan and, where it changes something, what it does. The
 * engine walks the list in steps/index.ts and knows no step by name.
 */
export interface Step {
  id: StepId;
  /** The plan's name for it. */
  title: string;
  /** The running row's words for what it does (default: the title). */
  doing?: string | ((ins: Inspection) => string);
  /** Its plan row: a pure function of what inspection found and of the rows above it. None: no row. */
  plan?: (ins: Inspection, above: PlanItem[]) => Row;
  /**
   * After it applied: the facts it changed are read again (`probe`), over a new connection
   * when the login user's groups changed (`login`), and the rows below are planned anew.
   */
  refresh?: 'probe' | 'login';
  /** What it changes; returns a line for the summary, or nothing when there was nothing to say. */
  apply?: (ctx: ApplyContext) => Promise<string | undefined>;
  /** Whether apply runs (default: its plan row says "change"). */
  runs?: (ctx: ApplyContext, row: PlanItem | undefined) => boolean;
  /** A check of the outcome: runs after the release (unless --no-verify), and alone with --verify. */
  verify?: boolean;
  /** A later phase of the run (the release): the record is saved before it starts. */
  phase?: 'release';
  /** Reports its result itself (in `summary`), not in the summary's list of changes. */
  ownSummary?: boolean;
  /** Summary lines it owns: what it rotated, what is left to do by hand. */
  report?: (ctx: ApplyContext) => { rotated?: string[]; manual?: string[] };
}
