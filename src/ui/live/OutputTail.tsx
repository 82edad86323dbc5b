import { Box, Text } from 'ink';
import { printableLine } from '../../printable.js';


/**
 * A remote output line made safe to draw: escape sequences and control characters removed,
 * a carriage-return progress line reduced to what the terminal would show last, tabs as spaces.
 */
export function cleanLine(line: string): string {
  const parts = line.replace(/[\r\n]+$/, '').split('\r');
  return printableLine((parts[parts.length - 1] ?? '').replace(/\t/g, '  ')).trimEnd();
}

/** The last few lines of the running command's output, under its row, dimmed and cut at the edge. */
export function OutputTail({ lines, color }: { lines: string[]; color: boolean }) {
  if (!lines.length) return null;
  return (
    <Box flexDirection="column" paddingLeft={2}>
      {lines.map((l, i) => (
        <Text key={i} dimColor={color} wrap="truncate-end">
          {'│ '}
          {cleanLine(l)}
        </Text>
      ))}
    </Box>
  );
}
