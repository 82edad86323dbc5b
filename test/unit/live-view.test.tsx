import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { Box } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import * as esbuild from 'esbuild';
import type { EngineEvent, Plan, Summary } from '../../src/steps/types.js';
import type { JobInfo } from '../../src/github/api.js';
import { restoreTestLines } from '../../src/ui/format.js';
import { App } from '../../src/ui/live/App.js';
import { FailureView, RESUME } from '../../src/ui/live/FailureView.js';
import { colorAllowed, createStore, FRAME_MS, startLiveView, userOfHome } from '../../src/ui/live/index.js';
import { cleanLine, OutputTail } from '../../src/ui/live/OutputTail.js';
import { RunView, runLines } from '../../src/ui/live/RunView.js';
import { SecretsRow } from '../../src/ui/live/SecretsRow.js';
import { initialState, reduce, type LiveEvent, type LiveState } from '../../src/ui/live/state.js';
import { SPINNER, StepRow } from '../../src/ui/live/StepRow.js';
import { ROTATE, SummaryView } from '../../src/ui/live/SummaryView.js';

afterEach(() => cleanup());

const plain = (frame: string | undefined): string => stripVTControlCharacters(frame ?? '');
const lines = (frame: string | undefined): string[] => plain(frame).split('\n');
/** Every character drawn here is one column wide. */
const widest = (frame: string | undefined): number => Math.max(...lines(frame).map((l) => [...l].length));

const RUN_URL = 'https://github.com/acme/litestream-app/actions/runs/13371337420';

const plan: Plan = {
  items: [
    { id: 'docker', title: 'Docker', status: 'ok', detail: 'Docker 27.3.1, compose v2.29.7' },
    {
      id: 'proxy',
      title: 'nginx-proxy + LetsEncrypt',
      status: 'change',
      detail: 'start nginx-proxy and acme-companion',
      commands: ['docker compose -f ~/.deploy/nginx-proxy/nginx-proxy-compose.yml up -d --remove-orphans'],
    },
    { id: 'ports', title: 'Ports 80/443', status: 'blocked', detail: 'port 80 is taken by apache2', fix: 'sudo systemctl disable --now apache2\nthen re-run' },
    { id: 'release', title: 'First release', status: 'skip', detail: '--no-release' },
  ],
  secrets: [
    { name: 'DEPLOY_HOST', action: 'create' },
    { name: 'DEPLOY_KEY', action: 'update', updatedAt: '2025-01-02T10:11:12Z' },
  ],
  warnings: [],
};

const job = (id: number, name: string, status: string, conclusion: string | null, steps: [string, string, string | null][]): JobInfo => ({
  id,
  name,
  status,
  conclusion,
  steps: steps.map(([n, st, c], i) => ({ name: n, number: i + 1, status: st, conclusion: c })),
});

const summary: Summary = {
  changed: ['Start nginx-proxy + LetsEncrypt: nginx-proxy, acme-companion running', 'Write repository secrets: 9 secrets written'],
  siteUrl: 'https://app.example.com',
  ssh: 'ssh deploy@203.0.113.7',
  proxyFile: '/home/deploy/.deploy/nginx-proxy/nginx-proxy-compose.yml',
  secretsWritten: ['DEPLOY_HOST'],
  runUrl: RUN_URL,
  conclusion: 'success',
  manual: [],
  dryRun: false,
};

/** A whole run, as the engine emits it. */
const sequence: EngineEvent[] = [
  { type: 'phase', phase: 'inspect' },
  { type: 'step-start', id: 'ssh', title: 'Connect to ubuntu@203.0.113.7:22' },
  { type: 'step-end', id: 'ssh', status: 'ok', detail: 'ssh-ed25519 SHA256:q3v1n2ZkGJ2ErS0p7aTnEXAMPLEfingerprintthatislong', ms: 412 },
  { type: 'plan', plan },
  { type: 'warning', message: 'the AWS key is older than 90 days' },
  { type: 'step-start', id: 'proxy', title: 'Start nginx-proxy + LetsEncrypt' },
  ...['one', 'two', '\u001b[32mthree\u001b[0m', `four ${'x'.repeat(120)}`].map((line): EngineEvent => ({ type: 'output', id: 'proxy', line })),
];
const sequence2: EngineEvent[] = [
  { type: 'step-end', id: 'proxy', status: 'done', detail: 'nginx-proxy, acme-companion running', ms: 3700 },
  { type: 'step-start', id: 'secrets', title: 'Write repository secrets' },
  { type: 'progress', id: 'secrets', done: 7, total: 9 },
];
const sequence3: EngineEvent[] = [
  { type: 'progress', id: 'secrets', done: 9, total: 9 },
  { type: 'step-end', id: 'secrets', status: 'done', detail: '9 secrets written', ms: 1500 },
  { type: 'step-start', id: 'release', title: 'Release: release.yml' },
  {
    type: 'run',
    url: RUN_URL,
    status: 'in_progress',
    conclusion: null,
    jobs: [job(1, 'push_to_registry', 'in_progress', null, [['Set up job', 'completed', 'success'], ['Build and push', 'in_progress', null], ['Complete job', 'queued', null]])],
  },
];
const sequence4: EngineEvent[] = [
  {
    type: 'run',
    url: RUN_URL,
    status: 'completed',
    conclusion: 'success',
    jobs: [job(1, 'push_to_registry', 'completed', 'success', [['Set up job', 'completed', 'success'], ['Build and push', 'completed', 'success']])],
  },
  { type: 'step-end', id: 'release', status: 'done', detail: `success ${RUN_URL}`, ms: 4300 },
  { type: 'phase', phase: 'done' },
  { type: 'summary', summary },
];

const foldAll = (events: LiveEvent[], s: LiveState, at = 1_000_000): LiveState => events.reduce((st, e) => reduce(st, e, at), s);

test('StepRow: a finished row has its mark, title, detail and time', () => {
  const { lastFrame, rerender } = render(<StepRow state="done" title="Start nginx-proxy" detail="running" ms={3700} color={false} />);
  assert.equal(plain(lastFrame()), '✔ Start nginx-proxy  running 3.7s');
  rerender(<StepRow state="fail" title="Write secrets" detail="403" ms={20} color={false} />);
  assert.equal(plain(lastFrame()), '✖ Write secrets  403 20ms');
  rerender(<StepRow state="skip" title="Release" detail="stopped" ms={1000} color={false} />);
  assert.equal(plain(lastFrame()), '– Release  stopped 1.0s');
});

test('StepRow: a running row spins and shows whole seconds since it started', () => {
  const { lastFrame } = render(<StepRow state="running" title="Inspect the host" startedAt={10_000} now={() => 13_400} color={false} />);
  const f = plain(lastFrame());
  assert.ok(SPINNER.includes(f[0]!), f);
  assert.equal(f.slice(1), ' Inspect the host 3s');
});

test('StepRow at 60 columns: title and detail are cut, the time stays', () => {
  const { lastFrame } = render(
    <Box width={60}>
      <StepRow state="ok" title="Connect to ubuntu@203.0.113.7:22" detail={'ssh-ed25519 SHA256:' + 'x'.repeat(80)} ms={412} color={false} />
    </Box>,
  );
  const f = plain(lastFrame());
  assert.ok([...f].length <= 60, f);
  assert.equal(f, '✔ Connect to ubuntu@203.0.113.7:22  ssh-ed25519 SHA25… 412ms');
});

test('cleanLine: escape sequences, control characters and carriage-return redraws are removed', () => {
  assert.equal(cleanLine('\u001b[1;32mPulled\u001b[0m ok'), 'Pulled ok');
  assert.equal(cleanLine('10%\r50%\r100% done\r\n'), '100% done');
  assert.equal(cleanLine('a\tb\u0007\u0000c\u009b'), 'a  bc');
  assert.equal(cleanLine('\u001b]8;;https://evil\u0007link\u001b]8;;\u0007 \u001b]0;title\u0007x'), 'link x');
  assert.equal(cleanLine('abc\u202edcba'), 'abcdcba');
  assert.equal(cleanLine('lone \u001b'), 'lone');
});

test('OutputTail: dimmed lines under the row, cleaned, cut at 60 columns', () => {
  const { lastFrame } = render(
    <Box width={60}>
      <OutputTail lines={['\u001b[31mred\u001b[0m', `long ${'y'.repeat(100)}`]} color={false} />
    </Box>,
  );
  assert.deepEqual(lines(lastFrame()), ['  │ red', `  │ long ${'y'.repeat(50)}…`]);
  assert.equal(widest(lastFrame()), 60);
});

test('SecretsRow: one row with a count', () => {
  const { lastFrame, rerender } = render(<SecretsRow done={7} total={9} color={false} />);
  assert.equal(plain(lastFrame()), '  7/9 secrets');
  rerender(<SecretsRow done={7} total={9} color={true} />);
  assert.match(plain(lastFrame()), /^ {2}[█░]{10} 7\/9 secrets$/);
});

test('RunView: the run, its URL, its jobs and their started steps', () => {
  const run = {
    url: RUN_URL,
    status: 'in_progress',
    conclusion: null,
    jobs: [
      job(1, 'build', 'completed', 'success', [['Checkout', 'completed', 'success'], ['Push', 'completed', 'success']]),
      job(2, 'deploy', 'in_progress', null, [['Set up job', 'completed', 'success'], ['Deploy', 'in_progress', null], ['Post', 'queued', null]]),
      job(3, 'notify', 'queued', null, []),
    ],
  };
  const { lastFrame, rerender } = render(<RunView run={run} color={false} />);
  assert.deepEqual(lines(lastFrame()), [
    'Workflow run: in progress',
    `  ${RUN_URL}`,
    '  ✔ build',
    '    ✔ Checkout',
    '    ✔ Push',
    '  ● deploy',
    '    ✔ Set up job',
    '    ● Deploy',
    '  ○ notify',
  ]);
  // A short screen: finished jobs fold, then the earliest steps go.
  assert.deepEqual(runLines(run, 5).map((l) => l.text), ['build', 'deploy', 'Set up job', 'Deploy', 'notify']);
  assert.deepEqual(runLines(run, 4).map((l) => l.text), ['build', 'deploy', '… 2 earlier steps', 'notify']);
  // With colour allowed, the URL is a terminal hyperlink.
  rerender(<RunView run={{ ...run, status: 'completed', conclusion: 'failure' }} color={true} />);
  const f = lastFrame() ?? '';
  assert.ok(f.includes(`\u001b]8;;${RUN_URL}\u0007${RUN_URL}\u001b]8;;\u0007`), JSON.stringify(f));
  assert.match(plain(f), /^Workflow run: failure$/m);
});

test('FailureView: the step, the cause, the fix and that a re-run resumes', () => {
  const { lastFrame } = render(
    <Box width={60}>
      <FailureView failure={{ step: 'secrets', cause: '1 of 9 secrets could not be written after retries: R2_BUCKET (403)', fix: 'Give the token "Secrets: read and write"\nthen re-run' }} color={false} />
    </Box>,
  );
  const f = plain(lastFrame());
  assert.ok(widest(lastFrame()) <= 60, f);
  assert.deepEqual(f.split('\n'), [
    '',
    '✖ secrets: 1 of 9 secrets could not be written after',
    '  retries: R2_BUCKET (403)',
    '  fix: Give the token "Secrets: read and write"',
    '       then re-run',
    RESUME,
  ]);
});

test('SummaryView: what was done, the release, the site, the proxy file, restore test and rotation', () => {
  const { lastFrame } = render(<SummaryView summary={summary} deployUser="deploy" color={false} />);
  const f = plain(lastFrame());
  for (const text of [
    'Summary:',
    '✔ Start nginx-proxy + LetsEncrypt: nginx-proxy, acme-companion running',
    `release: success ${RUN_URL}`,
    'site: https://app.example.com',
    'the proxy\'s compose file: /home/deploy/.deploy/nginx-proxy/nginx-proxy-compose.yml',
    restoreTestLines(summary.ssh)[0]!,
    'npx create-litestream-host --verify',
    ROTATE,
  ])
    assert.ok(f.includes(text), text);
  const rotated = render(<SummaryView summary={{ ...summary, rotated: ['deploy key (now SHA256:abc)', 'AWS_SECRET_ACCESS_KEY'] }} deployUser="deploy" color={false} />);
  assert.match(plain(rotated.lastFrame()), /^ {2}rotated: deploy key \(now SHA256:abc\), AWS_SECRET_ACCESS_KEY$/m);
  const dry = render(<SummaryView summary={{ ...summary, changed: [], runUrl: undefined, dryRun: true, manual: ['Revoke the old key'] }} deployUser="deploy" color={false} />);
  assert.match(plain(dry.lastFrame()), /Summary \(dry run: nothing was changed\):/);
  assert.match(plain(dry.lastFrame()), /to do by hand: Revoke the old key/);
  assert.doesNotMatch(plain(dry.lastFrame()), /^ *release:/m);
});

for (const columns of [100, 60]) {
  test(`App at ${columns} columns: steps, output tail, secrets, run, summary (the plan was shown before the view)`, () => {
    let s = foldAll(sequence, initialState());
    const app = (st: LiveState) => <App state={st} color={false} deployUser="deploy" columns={columns} rows={40} now={() => 1_002_000} />;
    const { lastFrame, rerender } = render(app(s));
    let f = plain(lastFrame());
    assert.ok(widest(lastFrame()) <= columns, f);
    assert.match(f, /^✔ Connect to ubuntu@203\.0\.113\.7:22 {2}ssh-ed25519/m);
    assert.ok(!f.includes('Plan:') && f.includes('warning: the AWS key is older than 90 days'));
    assert.match(f, /^. Start nginx-proxy \+ LetsEncrypt 2s\n {2}│ two\n {2}│ three\n {2}│ four x+…$/m);

    s = foldAll(sequence2, s);
    rerender(app(s));
    f = plain(lastFrame());
    assert.match(f, /^✔ Start nginx-proxy \+ LetsEncrypt {2}nginx-proxy, acme-c(ompanion running|…) 3\.7s$/m);
    assert.match(f, /^. Write repository secrets 2s\n {2}7\/9 secrets$/m);
    assert.doesNotMatch(f, /│ two/);

    s = foldAll(sequence3, s);
    rerender(app(s));
    f = plain(lastFrame());
    assert.ok(widest(lastFrame()) <= columns, f);
    // Without colour the URL is plain text: it wraps (at 60 columns) rather than being cut.
    assert.match(f, /^Workflow run: in progress\n {2}https:\/\/github\.com\/acme\/litestream-app\/actions\/runs\/133713(37420\n|\n {2}37420\n)/m);
    assert.match(f, /\n {2}● push_to_registry\n {4}✔ Set up job\n {4}● Build and push$/);
    assert.doesNotMatch(f, /Complete job/);

    s = foldAll(sequence4, s);
    rerender(app(s));
    f = plain(lastFrame());
    assert.ok(widest(lastFrame()) <= columns, f);
    // The finished run is written once, above the release row; the summary ends the screen.
    assert.equal(f.match(/Workflow run:/g)?.length, 1);
    assert.match(f, /^Workflow run: success\n[^]*^✔ Release: release\.yml {2}success https:/m);
    assert.match(f, /Summary:\n {2}✔ Start nginx-proxy/);
    assert.ok(f.includes('site: https://app.example.com'));
    assert.ok(f.replace(/\s+/g, ' ').trimEnd().endsWith(ROTATE), f);
    // Every finished row appears once: <Static> writes it and never again.
    assert.equal(f.match(/^✔ Write repository secrets {2}/gm)?.length, 1);
  });
}

test('App at 60 columns: a failure shows the step, cause, fix and resume, not the summary', () => {
  let s = foldAll([...sequence, ...sequence2], initialState());
  s = foldAll(
    [
      { type: 'step-end', id: 'secrets', status: 'fail', detail: '1 of 9 secrets could not be written after retries: R2_BUCKET (403 Resource not accessible)', ms: 1500 },
      { type: 'failure', step: 'secrets', cause: '1 of 9 secrets could not be written after retries: R2_BUCKET (403 Resource not accessible)', fix: 'Give the token "Secrets: read and write", then re-run' },
    ],
    s,
  );
  const { lastFrame } = render(<App state={s} color={false} deployUser="deploy" columns={60} rows={40} />);
  const f = plain(lastFrame());
  assert.ok(widest(lastFrame()) <= 60, f);
  assert.match(f, /^✖ Write repository secrets {2}1 of 9 secrets could not b… 1\.5s$/m);
  assert.match(f, /^✖ secrets: 1 of 9 secrets could not be written after\n {2}retries: R2_BUCKET/m);
  assert.match(f, /^ {2}fix: Give the token "Secrets: read and write", then re-run$/m);
  assert.ok(f.trimEnd().endsWith(RESUME));
  assert.doesNotMatch(f, /Summary:/);
  assert.ok(!SPINNER.some((c) => f.includes(c)), 'nothing is still running');
});

test('the store publishes structural events at once and coalesces output into one frame', async () => {
  const store = createStore(() => 0);
  let calls = 0;
  store.subscribe(() => calls++);
  store.dispatch({ type: 'step-start', id: 'proxy', title: 'proxy' });
  assert.equal(calls, 1);
  for (let i = 0; i < 100; i++) store.dispatch({ type: 'output', id: 'proxy', line: `line ${i}` });
  assert.equal(calls, 1);
  assert.deepEqual(store.get().running[0]!.output, []);
  await new Promise((r) => setTimeout(r, FRAME_MS + 20));
  assert.equal(calls, 2);
  assert.deepEqual(store.get().running[0]!.output, ['line 97', 'line 98', 'line 99']);
  store.dispatch({ type: 'output', id: 'proxy', line: 'last' });
  store.close();
  assert.equal(calls, 3, 'close publishes what is pending');
  store.dispatch({ type: 'step-end', id: 'proxy', status: 'done', detail: '', ms: 1 });
  assert.equal(calls, 3, 'nothing after close');
});

test('colour: NO_COLOR, FORCE_COLOR=0 and --no-color turn it off', () => {
  assert.equal(colorAllowed(false, {}), true);
  assert.equal(colorAllowed(true, {}), false);
  assert.equal(colorAllowed(false, { NO_COLOR: '1' }), false);
  assert.equal(colorAllowed(false, { FORCE_COLOR: '0' }), false);
  assert.equal(userOfHome('/home/deploy/.deploy/nginx-proxy/nginx-proxy-compose.yml'), 'deploy');
  assert.equal(userOfHome('/root/.deploy/nginx-proxy/nginx-proxy-compose.yml'), 'root');
});

/** A terminal-like stream for startLiveView: records what Ink writes. */
class FakeTerminal extends EventEmitter {
  columns = 60;
  rows = 30;
  isTTY = true;
  out = '';
  write = (s: string, cb?: () => void) => {
    this.out += s;
    cb?.();
    return true;
  };
}

for (const noColor of [true, false]) {
  test(`startLiveView (noColor: ${noColor}): draws the events, stops with the cursor shown`, async () => {
    const term = new FakeTerminal();
    const view = startLiveView({ stdout: term as unknown as NodeJS.WriteStream, noColor, env: {} });
    for (const e of [...sequence, ...sequence2, ...sequence3, ...sequence4]) view.emit(e);
    await view.stop();
    await view.stop();
    const text = plain(term.out);
    assert.ok(text.includes('Summary:') && text.includes('site: https://app.example.com'), text);
    assert.ok(text.includes('✔ Write repository secrets'));
    assert.ok(term.out.endsWith('\u001b[?25h') || term.out.includes('\u001b[?25h'), 'cursor shown again');
    // No colours or text attributes and no hyperlinks when not allowed (whether colours are
    // drawn when allowed is for Ink's colour detection to say: this stream is no terminal).
    if (noColor) assert.doesNotMatch(term.out, /\u001b\[[\d;]*m/);
    assert.equal(term.out.includes(`\u001b]8;;${RUN_URL}`), !noColor);
    view.emit({ type: 'warning', message: 'after stop' });
    assert.ok(!plain(term.out).includes('after stop'));
  });
}

test('startLiveView: a failure is drawn before it stops', async () => {
  const term = new FakeTerminal();
  const view = startLiveView({ stdout: term as unknown as NodeJS.WriteStream, noColor: true, env: {} });
  for (const e of sequence) view.emit(e);
  view.emit({ type: 'step-end', id: 'proxy', status: 'fail', detail: 'compose up failed', ms: 10 });
  view.fail({ step: 'proxy', cause: 'compose up failed', fix: 'Free port 80, then re-run' });
  await view.stop();
  const text = plain(term.out);
  assert.ok(text.includes('✖ proxy: compose up failed') && text.includes('fix: Free port 80, then re-run') && text.includes(RESUME), text);
});

test('importing the live view loads Ink and React, not ssh2, octokit or libsodium', async () => {
  const r = await esbuild.build({
    entryPoints: ['src/ui/live/index.tsx'],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    external: ['react-devtools-core'],
  });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.some((i) => i.includes('node_modules/ink/')));
  const heavy = inputs.filter((i) => /node_modules\/(ssh2|@octokit|libsodium)|src\/(host|github|engine\/(?!types))/.test(i));
  assert.deepEqual(heavy, []);
});
