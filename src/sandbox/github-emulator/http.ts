/** Reply shapes and the small HTTP conventions GitHub's REST API follows. */
import { randomBytes } from 'node:crypto';

export interface Reply {
  status: number;
  /** Serialized as compact JSON. */
  json?: unknown;
  /** Sent as is (HTML error pages, raw file content). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export const REST_DOCS = 'https://docs.github.com/rest';

/** Thrown by handlers; turned into GitHub's `{message, documentation_url, status}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly docs: string = REST_DOCS,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** GitHub sends `status` as a string in error bodies. */
export const errorReply = (status: number, message: string, docs: string, headers: Record<string, string> = {}): Reply => ({
  status,
  json: { message, documentation_url: docs, status: String(status) },
  headers,
});

export const notFound = (docs: string = REST_DOCS): ApiError => new ApiError(404, 'Not Found', docs);

/** Epoch milliseconds with sub-millisecond precision, so event order survives equal Date.now() values. */
export const now = (): number => performance.timeOrigin + performance.now();

/** GitHub timestamps carry whole seconds only. */
export const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Shaped like GitHub's X-GitHub-Request-Id (hex groups), so log scrapers see something familiar. */
export const newRequestId = (): string => {
  const h = randomBytes(14).toString('hex').toUpperCase();
  return `${h.slice(0, 4)}:${h.slice(4, 9)}:${h.slice(9, 16)}:${h.slice(16, 23)}:${h.slice(23, 28)}`;
};

export interface Page<T> {
  items: T[];
  link?: string;
}

/** GitHub's rules: per_page default 30, capped at 100; page starts at 1; Link has prev/next/last/first as relevant. */
export function paginate<T>(all: T[], query: URLSearchParams, baseUrl: string, pathname: string): Page<T> {
  const asked = Number.parseInt(query.get('per_page') ?? '', 10);
  const perPage = Number.isFinite(asked) && asked > 0 ? Math.min(asked, 100) : 30;
  const askedPage = Number.parseInt(query.get('page') ?? '', 10);
  const page = Number.isFinite(askedPage) && askedPage > 0 ? askedPage : 1;
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);

  const urlFor = (p: number): string => {
    const q = new URLSearchParams(query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${baseUrl}${pathname}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${urlFor(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${urlFor(page + 1)}; rel="next"`, `${urlFor(last)}; rel="last"`);
  if (page > 1) rels.push(`${urlFor(1)}; rel="first"`);
  return rels.length ? { items, link: rels.join(', ') } : { items };
}

/** Write endpoints take a JSON object; GitHub answers 400 for unparsable JSON and 422 for other shapes. */
export function jsonObjectBody(raw: string, docs: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw new ApiError(400, 'Problems parsing JSON', docs);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError(422, 'Invalid request.\n\nThe request body must be a JSON object.', docs);
  }
  return parsed as Record<string, unknown>;
}

export const notSupplied = (field: string, docs: string): ApiError =>
  new ApiError(422, `Invalid request.\n\n"${field}" wasn't supplied.`, docs);
