import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

/**
 * Words wrapped to a width, by display width, at spaces only: a path or a command is never
 * split. A word wider than the line is cut in its middle with an ellipsis, unless `keepWords`
 * (a fix to copy: it overflows instead).
 */
export function wrapWords(text: string, width: number, o: { keepWords?: boolean } = {}): string[] {
  const w = Math.max(10, width);
  const words = text.split(' ').map((x) => (!o.keepWords && stringWidth(x) > w ? cliTruncate(x, w, { position: 'middle' }) : x));
  return wrapAnsi(words.join(' '), w, { hard: false, trim: true, wordWrap: true }).split('\n');
}

/** One line whatever its length: a command shown, not to copy (the plain plan has it whole). */
export const oneLine = (text: string, width: number): string => cliTruncate(text, Math.max(10, width), { position: 'middle' });
