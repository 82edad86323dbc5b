import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { Summary } from '../../steps/types.js';
import { restoreTestLines } from '../format.js';
import { hyperlink } from './RunView.js';

export const ROTATE = 'Rotate credentials later: npx create-litestream-host --rotate';

/** A summary line: an optional lead kept on the first line, the text wrapping under itself. */
function Line({ lead, children, indent = 2, cut = false }: { lead?: ReactNode; children: ReactNode; indent?: number; cut?: boolean }) {
  return (
    <Box paddingLeft={indent}>
      {lead ? <Box flexShrink={0}>{lead}</Box> : null}
      <Text wrap={cut ? 'truncate-end' : 'wrap'}>{children}</Text>
    </Box>
  );
}

/**
 * The end: what was done, the release, the site, what is left to do by hand, where the
 * proxy's compose file is, how to test a restore and how to rotate. Lines wrap: nothing is cut
 * (a link is cut at the edge instead: its target stays whole).
 */
export function SummaryView({ summary: s, deployUser, color }: { summary: Summary; deployUser: string; color: boolean }) {
  const paint = (c: string) => (color ? c : undefined);
  const [first, ...restore] = restoreTestLines(s.ssh);
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold={color}>{s.dryRun ? 'Summary (dry run: nothing was changed):' : 'Summary:'}</Text>
      {!s.changed.length && !s.dryRun && !s.verified ? <Line>nothing to change: host and repository were already set up</Line> : null}
      {s.changed.map((c, i) => (
        <Line key={i} lead={<Text color={paint('green')}>✔ </Text>}>
          {c}
        </Line>
      ))}
      {s.rotated?.length ? <Line lead={<Text>rotated: </Text>}>{s.rotated.join(', ')}</Line> : null}
      {s.runUrl ? (
        <Line cut={color} lead={<Text>release: <Text color={paint(s.conclusion === 'success' ? 'green' : 'red')}>{s.conclusion ?? 'unknown'}</Text> </Text>}>
          {color ? hyperlink(s.runUrl) : s.runUrl}
        </Line>
      ) : null}
      {(s.verified ?? []).map((v, i) => (
        <Line key={`v${i}`} lead={<Text color={paint('green')}>✔ checked: </Text>}>
          {v}
        </Line>
      ))}
      <Line cut={color} lead={<Text>site: </Text>}>
        {color ? <Text bold>{hyperlink(s.siteUrl)}</Text> : s.siteUrl}
      </Line>
      {s.manual.map((m, i) => (
        <Line key={i} lead={<Text color={paint('yellow')}>to do by hand: </Text>}>
          {m}
        </Line>
      ))}
      {/* A passed drill is the restore test; without one, how to make it by hand. */}
      {s.drilled ? null : <Line>{first}</Line>}
      {s.drilled
        ? null
        : restore.map((l, i) => (
            <Line key={i} indent={4}>
              {l.trimStart()}
            </Line>
          ))}
      <Line>the proxy's compose file: {s.proxyFile}</Line>
      <Line>{ROTATE}</Line>
    </Box>
  );
}
