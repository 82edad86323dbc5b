import { Box, Text } from 'ink';

// CSI, OSC (ended by BEL or ST) and two-character escapes.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g;
// C0 (tab handled first), DEL, C1, and bidi overrides/isolates that would reorder the row.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A remote output line made safe to draw: escape sequences and control characters removed,
 * a carriage-return progress line reduced to what the terminal would show last, tabs as spaces.
 */
export function cleanLine(line: string): string {
  const parts = line.replace(/[\r\n]+$/, '').split('\r');
  return (parts[parts.length - 1] ?? '').replace(ESCAPES, '').replace(/\t/g, '  ').replace(CONTROLS, '').trimEnd();
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
