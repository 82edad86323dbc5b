import { Box, Text } from 'ink';
import type { JobInfo } from '../../github/api.js';
import type { RunState } from './state.js';

/** OSC 8: a terminal hyperlink; terminals without support show the text. */
export const hyperlink = (url: string, text: string = url): string => `\u001b]8;;${url}\u0007${text}\u001b]8;;\u0007`;

type Item = { status: string; conclusion: string | null };

/** A job's or step's mark: done (by conclusion), running, or waiting. */
export function runIcon(x: Item): { icon: string; color: string } {
  if (x.status === 'completed')
    return x.conclusion === 'success'
      ? { icon: '✔', color: 'green' }
      : x.conclusion === 'skipped' || x.conclusion === 'neutral'
        ? { icon: '–', color: 'gray' }
        : { icon: '✖', color: 'red' };
  if (x.status === 'in_progress') return { icon: '●', color: 'yellow' };
  return { icon: '○', color: 'gray' };
}

type Line = { key: string; indent: number; item?: Item; text: string };

/**
 * The lines to draw: every job; each job's steps that have started. When `maxLines` is short
 * (a live view must fit the screen), finished jobs fold to one line and a running job shows
 * only its latest steps.
 */
export function runLines(run: RunState, maxLines = Infinity): Line[] {
  const jobs = (fold: boolean) =>
    run.jobs.flatMap((j: JobInfo) => {
      const steps = j.steps.filter((s) => s.status !== 'queued' && s.status !== 'pending');
      const head: Line = { key: `j${j.id}`, indent: 2, item: j, text: j.name };
      if (fold && j.status === 'completed' && j.conclusion === 'success') return [head];
      return [head, ...steps.map((s) => ({ key: `j${j.id}.${s.number}`, indent: 4, item: s, text: s.name }))];
    });
  let lines = jobs(false);
  if (lines.length <= maxLines) return lines;
  lines = jobs(true);
  if (lines.length <= maxLines) return lines;
  // Still too long: drop the earliest step lines, saying how many where they were.
  const steps = lines.filter((l) => l.indent === 4);
  const cut = new Set(steps.slice(0, Math.max(0, lines.length - Math.max(0, maxLines - 1))).map((l) => l.key));
  const marker: Line = { key: 'cut', indent: 4, text: `… ${cut.size} earlier step${cut.size === 1 ? '' : 's'}` };
  const kept = lines.flatMap((l, i) => (!cut.has(l.key) ? [l] : lines.findIndex((x) => cut.has(x.key)) === i ? [marker] : []));
  return kept.slice(0, Math.max(1, maxLines));
}

/** The release workflow run: its state, its URL (a link when allowed), its jobs and their steps. */
export function RunView({ run, color, maxLines }: { run: RunState; color: boolean; maxLines?: number }) {
  const state = run.conclusion ?? run.status.replace(/_/g, ' ');
  const headColor = run.conclusion ? runIcon(run).color : 'yellow';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        Workflow run: <Text color={color ? headColor : undefined}>{state}</Text>
      </Text>
      <Box paddingLeft={2}>
        {/* A link keeps its target when cut; a plain URL wraps so it can still be copied whole. */}
        <Text wrap={color ? 'truncate-end' : 'wrap'}>{color ? hyperlink(run.url) : run.url}</Text>
      </Box>
      {runLines(run, maxLines === undefined ? Infinity : Math.max(1, maxLines - 2)).map((l) => {
        const mark = l.item ? runIcon(l.item) : { icon: ' ', color: 'gray' };
        return (
          <Box key={l.key} paddingLeft={l.indent}>
            <Text wrap="truncate-end" dimColor={color && l.indent === 4}>
              <Text color={color ? mark.color : undefined}>{mark.icon}</Text> {l.text}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
