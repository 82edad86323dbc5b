/**
 * The program: argv, environment and the terminal in, an exit code out. The only module
 * that touches `process`; nothing imports it.
 */
import { npmSwallowed } from './config/npm-swallowed.js';
import { HELP, parseCli, type CliOptions } from './config/options.js';
import { exitCodeOf, UsageError, wasShown } from './errors.js';
import { settlePrivateWrites } from './private-file.js';
import type { Io } from './session/index.js';
import { failureLines } from './ui/failure.js';
import { version } from './version.js';

export async function main(argv: string[], env: Record<string, string | undefined>, io: Io, signal: AbortSignal): Promise<number> {
  const err = (s: string) => void io.stderr.write(`${s}\n`);
  try {
    // `npm create litestream-host --dry-run` kept the option for npm: say so rather than run without it.
    const swallowed = npmSwallowed(argv, env);
    if (swallowed) throw swallowed;
    const cli = parseCli(argv);
    if (cli.help) return void io.stdout.write(HELP), 0;
    if (cli.version) return void io.stdout.write(`${version()}\n`), 0;
    checkConfirmable(cli, env, io);
    const world = cli.demo ? await (await import('./sandbox/demo/world.js')).demoWorld(env, cli) : await (await import('./session/world.js')).realWorld(cli, env, err);
    try {
      const { runSession } = await import('./session/index.js');
      await runSession({ ...cli, ...world.options }, io, world, signal);
    } finally {
      await world.close?.();
    }
    return 0;
  } catch (e) {
    if (!wasShown(e)) for (const l of failureLines(e)) err(l);
    return exitCodeOf(e);
  }
}

/** A plan nobody confirmed is never applied: without a terminal to ask on, --yes says so. */
function checkConfirmable(cli: CliOptions, env: Record<string, string | undefined>, io: Io): void {
  const wizard = io.isTTY && !env.CI;
  if (wizard || cli.yes || cli.dryRun || cli.verify || cli.demo) return;
  throw new UsageError(
    `no terminal to confirm the plan on (${io.isTTY ? 'CI is set' : 'input or output is not a terminal'}) and no --yes: a plan nobody confirmed is never applied`,
    'Add --yes to apply the plan without asking, or --dry-run to only print it',
  );
}

// Runs when this module is the program (bin/ imports it), not when a test imports it.
if (process.argv[1] && /create-litestream-host(\.js)?$|dist[\\/]cli\.js$/.test(process.argv[1])) {
  const interrupt = new AbortController();
  process.on('SIGINT', () => {
    // Show the cursor again and leave raw mode, whoever hid or set it.
    if (process.stdout.isTTY) process.stdout.write('\u001b[?25h');
    if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
    // A second Ctrl-C does not wait for the first to be shown.
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  });
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, isTTY: !!process.stdout.isTTY && !!process.stdin.isTTY };
  main(process.argv.slice(2), process.env, io, interrupt.signal).then(async (code) => {
    // Host files: each write is checked on the host before its rename, so a cut one changes
    // nothing. Local files: the few in flight are let finish (milliseconds) before exiting.
    await settlePrivateWrites(2_000);
    process.exit(code);
  });
}
