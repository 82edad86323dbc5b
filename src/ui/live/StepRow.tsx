import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { seconds } from '../format.js';
import type { FinishedStep } from './state.js';

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TICK_MS = 80;

type Done = FinishedStep['status'];

/** A finished row's mark and its colour (the colour only when colour is allowed). */
export const DONE_ICON: Record<Done, { icon: string; color: string }> = {
  ok: { icon: '✔', color: 'green' },
  done: { icon: '✔', color: 'green' },
  skip: { icon: '–', color: 'gray' },
  fail: { icon: '✖', color: 'red' },
};

/** Whole seconds while running: tenths would flicker. */
const runningTime = (ms: number): string => `${Math.max(0, Math.floor(ms / 1000))}s`;

/** The spinner frame and the current time, ticking while mounted. */
function useTick(active: boolean, now: () => number): { frame: number; at: number } {
  const [tick, setTick] = useState(() => ({ frame: 0, at: now() }));
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setTick((p) => ({ frame: (p.frame + 1) % SPINNER.length, at: now() })), TICK_MS);
    return () => clearInterval(t);
  }, [active, now]);
  return tick;
}

export type StepRowProps =
  | { state: 'running'; title: string; detail?: string; startedAt: number; color: boolean; now?: () => number }
  | { state: Done; title: string; detail: string; ms: number; color: boolean };

/**
 * One step: `⠋ title  detail  3s` while it runs, `✔ title  detail  1.2s` when done.
 * The title and detail are cut at the terminal's edge; the time always shows.
 */
export function StepRow(p: StepRowProps) {
  const running = p.state === 'running';
  const tick = useTick(running, running && p.now ? p.now : Date.now);
  const icon = running ? SPINNER[tick.frame]! : DONE_ICON[p.state].icon;
  const iconColor = running ? 'cyan' : DONE_ICON[p.state].color;
  const time = running ? runningTime(tick.at - p.startedAt) : seconds(p.ms);
  const paint = (c: string) => (p.color ? c : undefined);
  return (
    <Box>
      <Box flexShrink={0}>
        <Text color={paint(iconColor)}>{icon} </Text>
      </Box>
      <Box flexShrink={1}>
        <Text wrap="truncate-end" bold={p.color && p.state === 'fail'}>
          {p.title}
          {p.detail ? (
            <Text dimColor={p.color && p.state !== 'fail'} color={p.state === 'fail' ? paint('red') : undefined}>
              {'  '}
              {p.detail}
            </Text>
          ) : null}
        </Text>
      </Box>
      <Box flexShrink={0}>
        <Text dimColor={p.color}> {time}</Text>
      </Box>
    </Box>
  );
}
