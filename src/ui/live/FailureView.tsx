import { Box, Text } from 'ink';
import type { Failure } from './state.js';

export const RESUME = 'A re-run resumes where this one stopped.';

/** What failed, why, what to do, and that running again picks up from here (the program exits 1). */
export function FailureView({ failure, color }: { failure: Failure; color: boolean }) {
  // No fix line means none is needed (Ctrl-C): the resume line says it all.
  const fix = failure.fix ? failure.fix.split('\n') : [];
  return (
    <Box flexDirection="column" marginTop={1}>
      <Box>
        <Box flexShrink={0}>
          <Text color={color ? 'red' : undefined}>✖ </Text>
        </Box>
        <Text wrap="wrap">
          <Text color={color ? 'red' : undefined} bold={color}>
            {failure.step}
          </Text>
          : {failure.cause}
        </Text>
      </Box>
      {fix.map((l, i) => (
        <Box key={i} paddingLeft={2}>
          <Box flexShrink={0}>
            <Text color={color ? 'yellow' : undefined}>{i ? '     ' : 'fix: '}</Text>
          </Box>
          <Text wrap="wrap">{l}</Text>
        </Box>
      ))}
      <Text wrap="wrap">{RESUME}</Text>
    </Box>
  );
}
