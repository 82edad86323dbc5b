import type { Readable, Writable } from 'node:stream';
import { normalizeInput } from '../config/settings.js';
import { Interrupted } from '../errors.js';

/**
 * The questions the wizard can ask, over clack. Cancelling (Ctrl-C, Esc) becomes an
 * Interrupted error: exit 130 with nothing changed. Streams are passed in so tests drive
 * the same prompts through their own input and output.
 */
export interface Prompter {
  intro(title: string): void;
  outro(text: string): void;
  note(text: string, title?: string): void;
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  success(text: string): void;
  text(o: { message: string; initial?: string; placeholder?: string; validate?: (v: string) => string | undefined }): Promise<string>;
  secret(o: { message: string; validate?: (v: string) => string | undefined }): Promise<string>;
  select<T extends string>(o: { message: string; options: { value: T; label: string; hint?: string }[]; initial?: T }): Promise<T>;
  multiselect<T extends string>(o: { message: string; options: { value: T; label: string; hint?: string }[]; initial?: T[] }): Promise<T[]>;
  confirm(o: { message: string; initial?: boolean }): Promise<boolean>;
  spinner(): { start(msg: string): void; stop(msg: string): void; fail(msg: string): void; message(msg: string): void };
}

export async function clackPrompter(io: { input: Readable; output: Writable }): Promise<Prompter> {
  const c = await import('@clack/prompts');
  // A pty that reports no size (some CI shells, `script`) would make clack wrap every box to one column.
  const out = io.output as Writable & { columns?: number };
  if (!out.columns) out.columns = 80;
  const opts = { input: io.input, output: io.output };
  // clack does not wrap log lines or spinner lines: a long one would spill past the frame's
  // bar. Logs wrap at spaces (never inside a path); a spinner line stays one line.
  const { wrapWords, oneLine } = await import('../ui/wrap.js');
  const cols = () => out.columns ?? 80;
  const wrap = (t: string) => t.split('\n').flatMap((l) => (l ? wrapWords(l, cols() - 4, { keepWords: true }) : [''])).join('\n');
  const line = (t: string) => oneLine(t, cols() - 4);
  // A validation message sits after clack's corner ("└  "): its next lines go under its text.
  const under = (t: string | undefined) => t && wrapWords(t, cols() - 4, { keepWords: true }).join('\n   ');
  const done = <T>(v: unknown): T => {
    if (c.isCancel(v)) {
      c.cancel('Cancelled: nothing was changed.', opts);
      throw new Interrupted('cancelled at a question; nothing was changed', true);
    }
    return v as T;
  };
  return {
    intro: (t) => c.intro(t, opts),
    outro: (t) => c.outro(t, opts),
    note: (t, title) => c.note(t, title, opts),
    info: (t) => c.log.info(wrap(t), opts),
    warn: (t) => c.log.warn(wrap(t), opts),
    error: (t) => c.log.error(wrap(t), opts),
    success: (t) => c.log.success(wrap(t), opts),
    text: async (o) =>
      normalizeInput(done<string>(
        await c.text({
          ...opts,
          message: o.message,
          initialValue: o.initial,
          placeholder: o.placeholder,
          validate: o.validate ? (v) => under(o.validate!(normalizeInput(v ?? ''))) : undefined,
        }),
      )),
    secret: async (o) => done<string>(await c.password({ ...opts, message: o.message, validate: o.validate ? (v) => under(o.validate!(v ?? '')) : undefined })),
    select: async (o) =>
      done(await c.select({ ...opts, message: o.message, options: o.options as never, initialValue: o.initial })) as never,
    multiselect: async (o) =>
      done(await c.multiselect({ ...opts, message: o.message, options: o.options as never, initialValues: o.initial, required: true })) as never,
    confirm: async (o) => done<boolean>(await c.confirm({ ...opts, message: o.message, initialValue: o.initial ?? true })),
    spinner: () => {
      const s = c.spinner({ output: io.output });
      return { start: (m) => s.start(line(m)), stop: (m) => s.stop(line(m)), fail: (m) => s.error(line(m)), message: (m) => s.message(line(m)) };
    },
  };
}
