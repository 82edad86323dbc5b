import { useSyncExternalStore } from 'react';
import { render } from 'ink';
import type { EngineEvent } from '../../steps/types.js';
import { App } from './App.js';
import { initialState, reduce, type LiveEvent, type LiveState } from './state.js';

export interface LiveView {
  emit(e: EngineEvent): void;
  fail(e: { step: string; cause: string; fix: string }): void;
  /** Final render, unmount; resolves when Ink has exited and the cursor is restored. */
  stop(): Promise<void>;
}

export interface LiveViewOptions {
  stdout: NodeJS.WriteStream;
  /**
   * The keyboard. On a terminal it is held in raw mode while the view runs (see holdKeyboard):
   * a key typed meanwhile is swallowed instead of echoed into the rows Ink redraws.
   */
  stdin?: NodeJS.ReadStream;
  /** Ctrl-C while the view holds the keyboard; by default SIGINT to this process (cli.ts's handler). */
  onInterrupt?: () => void;
  noColor: boolean;
  /** For the summary's restore instructions; by default the owner of the proxy file's home. */
  deployUser?: string;
  /** Defaults to process.env: NO_COLOR and FORCE_COLOR=0 turn colours and links off too. */
  env?: Record<string, string | undefined>;
}

/** 30 frames a second at most for events that come in floods (output lines, progress, run polls). */
export const FRAME_MS = 33;
const FREQUENT = new Set<LiveEvent['type']>(['output', 'progress', 'run']);

export const colorAllowed = (noColor: boolean, env: Record<string, string | undefined>): boolean =>
  !noColor && !env.NO_COLOR && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';

/**
 * Holds the folded state outside React so the engine never touches it. Structural events
 * publish at once; frequent ones are coalesced into one publish per frame.
 */
export function createStore(now: () => number = Date.now) {
  let state: LiveState = initialState();
  let published = state;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** Bumped to draw everything again from the top (see startLiveView's resize handling). */
  let generation = 0;
  const listeners = new Set<() => void>();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (published === state) return;
    published = state;
    for (const l of listeners) l();
  };
  return {
    dispatch(e: LiveEvent) {
      if (closed) return;
      state = reduce(state, e, now());
      if (!FREQUENT.has(e.type)) flush();
      else timer ??= setTimeout(flush, FRAME_MS);
    },
    flush,
    /** Publishes what is pending and ignores later events. */
    close() {
      flush();
      closed = true;
    },
    get: (): LiveState => published,
    generation: (): number => generation,
    redraw() {
      generation++;
      for (const l of listeners) l();
    },
    subscribe(l: () => void) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
  };
}

type Store = ReturnType<typeof createStore>;

function Connected({ store, color, deployUser }: { store: Store; color: boolean; deployUser: string | undefined }) {
  const state = useSyncExternalStore(store.subscribe, store.get);
  const generation = useSyncExternalStore(store.subscribe, store.generation);
  return <App key={generation} state={state} color={color} deployUser={deployUser ?? userOfHome(state.summary?.proxyFile)} />;
}

/** `/home/deploy/.deploy/nginx-proxy/…` → `deploy`; `/root/…` → `root`. */
export function userOfHome(proxyFile: string | undefined): string {
  const home = proxyFile?.split('/.deploy/')[0] ?? '';
  return home.split('/').filter(Boolean).pop() ?? 'deploy';
}

/**
 * Ink redraws its live rows by moving the cursor up as many rows as it drew last time. In
 * the terminal's normal (cooked) mode every key typed meanwhile is echoed where the cursor
 * is: an Enter pressed during the run (people press Enter at a wizard) moves the cursor one
 * row down behind Ink's back, the next erase stops one row short, and a stale copy of the
 * running row stays on screen. So, while the view runs, the keyboard is in raw mode (no
 * echo) and read here: keys are dropped, Ctrl-C (no SIGINT in raw mode) calls onInterrupt.
 * Returns the release, which restores the mode and pauses the stream (idempotent).
 */
export function holdKeyboard(stdin: NodeJS.ReadStream | undefined, onInterrupt: () => void): () => void {
  if (!stdin?.isTTY || typeof stdin.setRawMode !== 'function') return () => {};
  const wasRaw = stdin.isRaw;
  const onData = (chunk: Buffer | string) => {
    if (String(chunk).includes('\u0003')) {
      release();
      onInterrupt();
    }
  };
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    stdin.off('data', onData);
    stdin.setRawMode(wasRaw);
    stdin.pause();
  };
  stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.resume();
  return release;
}

/** Draws engine events on a terminal until stop(). Importing this loads Ink and React, nothing else. */
export function startLiveView(opts: LiveViewOptions): LiveView {
  const color = colorAllowed(opts.noColor, opts.env ?? process.env);
  const store = createStore();
  const releaseKeyboard = holdKeyboard(opts.stdin, opts.onInterrupt ?? (() => void process.kill(process.pid, 'SIGINT')));
  // A terminal that narrows reflows the live rows Ink drew at the old width: Ink then erases
  // too few rows and stale copies stay on screen. Instead, clear the screen and draw it all
  // again at the new width (a new App: <Static> writes its rows again). Registered before
  // Ink's own handler so the clear comes first. The new App is rendered right here (rerender
  // flushes the update): else Ink's handler first draws the old tree, still as wide as the old
  // terminal, its wider rows wrap, and its next erase leaves the top row (a spinner) behind.
  const { stdout } = opts;
  const tree = <Connected store={store} color={color} deployUser={opts.deployUser} />;
  let width = stdout.columns;
  const onResize = () => {
    if (stdout.columns && width && stdout.columns < width) {
      stdout.write('\u001b[H\u001b[2J');
      store.redraw();
      ink.rerender(tree);
    }
    width = stdout.columns;
  };
  stdout.on('resize', onResize);
  const ink = render(tree, {
    stdout: opts.stdout,
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let stopped: Promise<void> | undefined;
  return {
    emit: (e) => store.dispatch(e),
    fail: (f) => store.dispatch({ type: 'failure', ...f }),
    stop() {
      stopped ??= (async () => {
        stdout.off('resize', onResize);
        store.close();
        try {
          // React commits store updates in a microtask: let the last one land before unmounting.
          await new Promise((r) => setImmediate(r));
          ink.unmount();
          await ink.waitUntilExit();
        } finally {
          releaseKeyboard();
        }
      })();
      return stopped;
    },
  };
}
