import { Box, Text } from 'ink';

const BAR = 10;

/** Secret uploads as one row: `7/9 secrets`, with a small bar when colour is allowed. */
export function SecretsRow({ done, total, color }: { done: number; total: number; color: boolean }) {
  const filled = total ? Math.round((Math.min(done, total) / total) * BAR) : BAR;
  return (
    <Box paddingLeft={2}>
      <Text wrap="truncate-end">
        {color ? (
          <Text>
            <Text color="green">{'█'.repeat(filled)}</Text>
            <Text dimColor>{'░'.repeat(BAR - filled)}</Text>{' '}
          </Text>
        ) : null}
        {done}/{total} secrets
      </Text>
    </Box>
  );
}
