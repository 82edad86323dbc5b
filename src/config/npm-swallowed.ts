import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { SPEC } from './options.js';

/**
 * Through `npm create litestream-host` (npm_command=init) or `npm exec create-litestream-host`
 * (npm_command=exec), npm parses every option before `--` as its own configuration: the
 * program starts without it and sees it only as an `npm_config_*` variable. Measured with
 * npm 11.19:
 *
 * - `--dry-run`, `--yes`/`-y` become `npm_config_dry_run=true`, `npm_config_yes=true`;
 * - an option npm does not know becomes `npm_config_<name>=true` (npm warns "Unknown cli
 *   config"), and the value of a `--host x` becomes a stray argument; `--no-release` becomes
 *   `npm_config_release=` (empty); `-V` becomes `npm_config_v=true`;
 * - `--version` and `--help` make npm print its own version or help: the program never runs.
 *
 * `npx create-litestream-host --yes` passes everything after the package name through (and
 * leaves `npm_config_yes` empty), so only an option npm kept while our argv lacks it counts.
 * Not counted, because npm or the user meant npm's own setting:
 * - `--yes` under `npm exec`/`npx`: `npx --yes create-litestream-host` is npx's documented
 *   "install without asking", indistinguishable from `npm exec create-litestream-host --yes`
 *   (and a lost --yes is the safe direction: the program asks, or stops and names --yes);
 * - `yes=true`/`dry-run=true` in an .npmrc (npm exports those like command-line ones);
 * - `NPM_CONFIG_YES=true` in the environment: npm leaves it as it is, the lowercase name
 *   stays unset (on Windows, where names are case-insensitive, it would count);
 * - `--host=value` forms of string options (value kept, not `true`): `npm_config_target`
 *   and the like are also set by other tools (node-gyp, Electron builds).
 */
export interface Swallowed {
  /** How the user started the program: `npm create` or `npm exec`/`npx`. */
  via: 'init' | 'exec';
  /** The options npm kept, as the user typed them (`--dry-run`, `-V`, `--host <value>`). */
  options: string[];
}

type Spec = Readonly<Record<string, { type: 'string' | 'boolean'; short?: string }>>;

/** The value the .npmrc files npm read give this key (the one npm would use), if any. */
export type NpmrcValue = (key: string) => string | undefined;

/** The options our own argv holds: long names, and short letters alone or grouped (`-yV`). */
function givenOptions(argv: readonly string[], spec: Spec): Set<string> {
  const byShort = new Map(Object.entries(spec).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])));
  const seen = new Set<string>();
  for (const a of argv) {
    if (a === '--') break;
    if (a.startsWith('--')) seen.add(a.slice(2).split('=')[0]!);
    else if (/^-[^-]/.test(a))
      for (const letter of a.slice(1)) {
        const name = byShort.get(letter);
        if (!name) break;
        seen.add(name);
        if (spec[name]!.type === 'string') break; // the rest of the group is its value (-ikey)
      }
  }
  return seen;
}

export function findSwallowed(argv: readonly string[], env: Record<string, string | undefined>, npmrc: NpmrcValue, spec: Spec = SPEC): Swallowed | undefined {
  const via = env.npm_command;
  if (via !== 'init' && via !== 'exec') return undefined;
  const given = givenOptions(argv, spec);
  const kept: string[] = [];
  for (const [name, o] of Object.entries(spec)) {
    if (given.has(name)) continue;
    const negated = o.type === 'boolean' && name.startsWith('no-');
    const key = (negated ? name.slice(3) : name).replace(/-/g, '_');
    const value = env[`npm_config_${key}`];
    let took = negated ? value === '' : value === 'true';
    if (took && (name === 'yes' || name === 'dry-run') && ((name === 'yes' && via === 'exec') || npmrc(name) === 'true')) took = false;
    if (took) kept.push(o.type === 'string' ? `--${name} <value>` : `--${name}`);
    // A short letter npm does not know (-V) becomes npm_config_v; -y is npm's yes, -i and -h
    // are npm's own (--include-workspace-root, usage).
    else if (o.short && !['y', 'i', 'h'].includes(o.short) && env[`npm_config_${o.short.toLowerCase()}`] === 'true') kept.push(`-${o.short}`);
  }
  return kept.length ? { via, options: kept } : undefined;
}

/**
 * The .npmrc files npm read, from the variables it passes, highest precedence first: project,
 * user, global, built-in. The first file that sets the key decides; in a file, the last line.
 */
export function npmrcReader(env: Record<string, string | undefined>, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): NpmrcValue {
  const files = [
    env.npm_config_local_prefix && join(env.npm_config_local_prefix, '.npmrc'),
    env.npm_config_userconfig,
    env.npm_config_globalconfig,
    env.npm_execpath && join(dirname(dirname(env.npm_execpath)), 'npmrc'),
  ].filter((f): f is string => !!f);
  let texts: string[] | undefined;
  return (key) => {
    texts ??= files.map((f) => {
      try {
        return read(f);
      } catch {
        return '';
      }
    });
    const line = new RegExp(`^\\s*${key.replace(/[-_]/g, '[-_]')}\\s*=\\s*(.*?)\\s*$`, 'gm');
    for (const text of texts) {
      const values = [...text.matchAll(line)].map((m) => m[1]!.replace(/^(["'])(.*)\1$/, '$2'));
      if (values.length) return values.at(-1);
    }
    return undefined;
  };
}

/** The usage error to stop with (exit 2, before anything else), or undefined. */
export function npmSwallowed(argv: readonly string[], env: Record<string, string | undefined>, npmrc: NpmrcValue = npmrcReader(env)): UsageError | undefined {
  const s = findSwallowed(argv, env, npmrc);
  if (!s) return undefined;
  const list = s.options.map((o) => o.split(' ')[0]);
  const names = list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} and ${list.at(-1)!}`;
  const opts = s.options.join(' ');
  return s.via === 'init'
    ? new UsageError(
        `npm kept ${names} for itself: through npm create, the program gets only the options after --`,
        `npm create litestream-host -- ${opts}`,
      )
    : new UsageError(
        `npm kept ${names} for itself: npm exec passes the program only the options after --`,
        `npx create-litestream-host ${opts}   (or: npm exec create-litestream-host -- ${opts})`,
      );
}
