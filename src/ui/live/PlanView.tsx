import { Box, Text } from 'ink';
import type { Plan } from '../../engine/types.js';
import { planLines, STATUS_WORD } from '../format.js';

const STATUS_COLOR: Record<string, string> = {
  [STATUS_WORD.ok]: 'green',
  [STATUS_WORD.change]: 'yellow',
  [STATUS_WORD.blocked]: 'red',
  [STATUS_WORD.skip]: 'gray',
};
/** Below this many columns for the detail, items reflow: status and title, then the detail under them. */
const MIN_DETAIL = 30;

/** The status word of an item line, coloured when allowed; the rest as it is. */
function Lead({ text, color }: { text: string; color: boolean }) {
  const word = Object.keys(STATUS_COLOR).find((w) => text.startsWith(`  ${w} `));
  if (!word || !color) return <Text>{text}</Text>;
  return (
    <Text>
      {'  '}
      <Text color={STATUS_COLOR[word]}>{word}</Text>
      {text.slice(2 + word.length)}
    </Text>
  );
}

function Rest({ text, color }: { text: string; color: boolean }) {
  const command = text.startsWith('$ ');
  const fix = /^fix: /.test(text);
  return (
    <Text wrap={command ? 'truncate-end' : 'wrap'} dimColor={color && command}>
      {fix && color ? <Text color="yellow">fix: </Text> : null}
      {fix && color ? text.slice(5) : text}
    </Text>
  );
}

/**
 * The plan, with the text of the plain reporter (`planLines`), coloured when allowed.
 * Details and fixes wrap under their column (nothing is lost); commands are cut at the edge.
 * On a narrow terminal each item's detail goes under its status and title.
 */
export function PlanView({ plan, color, width = 80 }: { plan: Plan; color: boolean; width?: number }) {
  const lines = planLines(plan);
  const col = 16 + Math.max(0, ...plan.items.map((i) => i.title.length));
  const narrow = width - col < MIN_DETAIL;
  const secretsAt = lines.findIndex((l, i) => i > 0 && !l.startsWith(' '));
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => {
        if (!line.startsWith(' '))
          return (
            <Text key={i} bold={color} wrap="wrap">
              {line}
            </Text>
          );
        if (secretsAt > 0 && i > secretsAt)
          return (
            <Box key={i} paddingLeft={2}>
              <Text wrap="wrap">{line.slice(2)}</Text>
            </Box>
          );
        const lead = line.slice(0, col);
        const rest = line.slice(col);
        const blank = !lead.trim();
        if (!narrow)
          return (
            <Box key={i}>
              <Box flexShrink={0}>{blank ? <Text>{lead}</Text> : <Lead text={lead} color={color} />}</Box>
              <Rest text={rest} color={color} />
            </Box>
          );
        return (
          <Box key={i} flexDirection="column">
            {blank ? null : <Lead text={lead.trimEnd()} color={color} />}
            <Box paddingLeft={4}>
              <Rest text={rest} color={color} />
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
