/** The `author` / `committer` objects of commit-creating requests. */
import type { Person } from '../git-objects.js';
import { ApiError, iso, notSupplied } from '../http.js';

/** undefined when absent; 422 when present but without a name or email, as GitHub does. */
export function readPerson(raw: unknown, field: string, defaultDate: string, docs: string): Person | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ApiError(422, `Invalid request.\n\nFor 'properties/${field}', ${JSON.stringify(raw)} is not an object.`, docs);
  const o = raw as Record<string, unknown>;
  for (const key of ['name', 'email']) {
    if (typeof o[key] !== 'string') throw notSupplied(key, docs);
  }
  const parsed = typeof o.date === 'string' ? Date.parse(o.date) : Number.NaN;
  return { name: String(o.name), email: String(o.email), date: Number.isNaN(parsed) ? defaultDate : iso(parsed) };
}
