import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * A secret value that refuses to be printed: string conversion, JSON and util.inspect all
 * show [REDACTED], so a secret that slips into a log line or an error stays hidden.
 * Only `reveal()` gives the value, and only the code that seals or transmits it calls it.
 */
export class Sensitive {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  get length(): number {
    return this.#value.length;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

export const reveal = (v: string | Sensitive): string => (v instanceof Sensitive ? v.reveal() : v);
