/**
 * Text from a host or from GitHub is untrusted: no escape sequence or control character
 * from it may reach a terminal (a title change, a cleared screen, a line overwritten by CR).
 * Made printable where it enters the program, before any renderer sees it.
 */
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g;
// C0 and C1 controls but TAB, and the bidirectional marks, overrides and isolates that reorder what is shown.
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line: every escape sequence and control character removed, newlines included. */
export const printableLine = (s: string): string => s.replace(ESCAPES, '').replace(CONTROLS, '');

/** Several lines: the same, keeping the line breaks. */
export const printable = (s: string): string => s.split(/\r?\n/).map(printableLine).join('\n');

/** Every string inside plain objects and arrays made printable (events from GitHub's answers). */
export function printableDeep<T>(v: T): T {
  if (typeof v === 'string') return printable(v) as T;
  if (Array.isArray(v)) return v.map(printableDeep) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, printableDeep(x)])) as T;
  return v;
}
