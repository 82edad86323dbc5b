import { useEffect, useState } from 'react';
import { Box, Static, Text, useStdout } from 'ink';
import { FailureView } from './FailureView.js';
import { OutputTail } from './OutputTail.js';
import { RunView } from './RunView.js';
import { SecretsRow } from './SecretsRow.js';
import type { LiveState, LogEntry } from './state.js';
import { StepRow } from './StepRow.js';
import { SummaryView } from './SummaryView.js';

/** The terminal's size, following resizes; fixed values (tests) win. */
function useTerminalSize(fixed: { columns?: number; rows?: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: fixed.columns ?? (stdout.columns || 80), rows: fixed.rows ?? (stdout.rows || 24) });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout, fixed.columns, fixed.rows]);
  return size;
}

function LogRow({ entry: e, color, columns }: { entry: LogEntry; color: boolean; columns: number }) {
  switch (e.kind) {
    case 'step':
      return <StepRow state={e.step.status} title={e.step.title} detail={e.step.detail} ms={e.step.ms} color={color} />;
    case 'warning':
      return (
        <Text wrap="wrap" color={color ? 'yellow' : undefined}>
          warning: {e.message}
        </Text>
      );
    case 'note':
      return <Text wrap="wrap" dimColor={color}>{e.message}</Text>;
    case 'run':
      return <RunView run={e.run} color={color} />;
  }
}

export interface AppProps {
  state: LiveState;
  /** Colours, text attributes and hyperlinks allowed (no NO_COLOR, FORCE_COLOR=0 or --no-color). */
  color: boolean;
  /** For the restore instructions in the summary. */
  deployUser: string;
  columns?: number;
  rows?: number;
  now?: () => number;
}

/**
 * The root: finished rows are written once (<Static>); below them only what is
 * still moving re-renders: running steps with their output tail, secrets progress, the live
 * workflow run; then the failure or the summary.
 */
export function App({ state, color, deployUser, columns: fixedColumns, rows: fixedRows, now }: AppProps) {
  const { columns, rows } = useTerminalSize({ columns: fixedColumns, rows: fixedRows });
  const releaseRunning = state.running.some((r) => r.id === 'release');
  // The live area must fit the screen or the terminal scrolls garbage: the run gets what is left.
  const used = state.running.reduce((n, r) => n + 1 + r.output.length, 0) + (state.secrets ? 1 : 0);
  return (
    <>
      <Static items={state.log} style={{ width: columns }}>
        {(e) => (
          <Box key={e.key} width={columns}>
            <LogRow entry={e} color={color} columns={columns} />
          </Box>
        )}
      </Static>
      <Box flexDirection="column" width={columns}>
        {state.running.map((r) => (
          <Box key={r.key} flexDirection="column">
            <StepRow state="running" title={r.title} startedAt={r.startedAt} color={color} now={now} />
            {r.id === 'secrets' && state.secrets ? <SecretsRow {...state.secrets} color={color} /> : null}
            <OutputTail lines={r.output} color={color} />
          </Box>
        ))}
        {state.run && releaseRunning ? <RunView run={state.run} color={color} maxLines={Math.max(4, rows - used - 2)} /> : null}
        {state.failure ? <FailureView failure={state.failure} color={color} /> : null}
        {state.summary && !state.failure ? <SummaryView summary={state.summary} deployUser={deployUser} color={color} /> : null}
      </Box>
    </>
  );
}
