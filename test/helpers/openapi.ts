/**
 * GitHub's OpenAPI description (@octokit/openapi, api.github.com, OpenAPI 3.0) and a small
 * validator for the part of JSON Schema its responses use: $ref, type, nullable, required,
 * properties, items, enum, allOf, anyOf and oneOf (any branch that fits). Formats and
 * additionalProperties are not checked. The file is 13 MB: load it once per test file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Schema {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
}

interface Response {
  $ref?: string;
  content?: Record<string, { schema?: Schema }>;
}

export interface Description {
  info: { version: string };
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Response> };
}

export function loadDescription(): Description {
  const pkg = createRequire(import.meta.url).resolve('@octokit/openapi/package.json');
  return JSON.parse(readFileSync(join(dirname(pkg), 'generated', 'api.github.com.json'), 'utf8')) as Description;
}

function deref<T extends { $ref?: string }>(spec: Description, node: T): T {
  let n = node;
  for (let hops = 0; n.$ref && hops < 10; hops += 1) {
    const [, , kind, name] = n.$ref.split('/');
    n = (spec.components as unknown as Record<string, Record<string, T>>)[kind ?? '']?.[name ?? ''] as T;
    if (!n) throw new Error(`unresolvable $ref ${node.$ref}`);
  }
  return n;
}

export interface Documented {
  /** The status is listed for the operation. */
  listed: boolean;
  /** The JSON schema of that answer; undefined when it has no body (204) or no JSON. */
  schema?: Schema;
}

/** What the description says about `status` for 'METHOD /path/{template}'. */
export function documented(spec: Description, operation: string, status: number): Documented {
  const [method = '', path = ''] = operation.split(' ');
  const op = spec.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`not in GitHub's description: ${operation}`);
  const raw = op.responses[String(status)];
  if (!raw) return { listed: false };
  const res = deref(spec, raw);
  const schema = res.content?.['application/json']?.schema;
  return schema ? { listed: true, schema } : { listed: true };
}

export const schemaNamed = (spec: Description, name: string): Schema => {
  const s = spec.components.schemas[name];
  if (!s) throw new Error(`no schema ${name}`);
  return s;
};

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

/** Problems with `value` against `schema`, as 'path: what'; [] when it fits. */
export function validate(spec: Description, schema: Schema, value: unknown, at = '$'): string[] {
  const s = deref(spec, schema);
  if (value === null && (s.nullable || s.type === 'null')) return [];
  if (s.allOf) return s.allOf.flatMap((sub) => validate(spec, sub, value, at));
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    const results = alternatives.map((sub) => validate(spec, sub, value, at));
    if (results.some((r) => r.length === 0)) return [];
    return [`${at}: fits none of ${alternatives.length} alternatives (${results.map((r) => r[0]).join(' | ')})`];
  }
  const actual = typeOf(value);
  if (s.type) {
    const fits = s.type === actual || (s.type === 'number' && actual === 'integer');
    if (!fits) return [`${at}: ${actual} where the description says ${s.type}${s.nullable ? ' or null' : ''}`];
  }
  if (s.enum && !s.enum.includes(value) && !(value === null && s.enum.includes(null))) return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`];
  const problems: string[] = [];
  if (actual === 'object' && (s.type === 'object' || s.properties || s.required)) {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in obj)) problems.push(`${at}.${key}: required, missing`);
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      if (key in obj) problems.push(...validate(spec, sub, obj[key], `${at}.${key}`));
    }
  }
  if (actual === 'array' && s.items) (value as unknown[]).forEach((item, i) => problems.push(...validate(spec, s.items as Schema, item, `${at}[${i}]`)));
  return problems;
}
