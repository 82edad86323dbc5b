/**
 * The shape of src/: imports point down the layers and never form a cycle, so the house
 * stays one a newcomer can read from the top (cli) to the bottom (errors, sensitive).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

/** Lowest first. A module may import its own layer (without a cycle) or a lower one. */
const LAYERS: [string, RegExp][] = [
  ['base', /^(errors|sensitive|printable|local-files|private-file|version|assets|validate)\.ts$/],
  ['targets, host, github', /^(targets|host|github)\//],
  ['config', /^config\//],
  ['steps', /^steps\//],
  ['engine', /^engine\//],
  ['interview, ui, deps', /^(interview|ui)\/|^deps\.ts$/],
  ['session', /^session\//],
  ['sandbox (the demo world and its doubles)', /^sandbox\//],
  ['cli', /^cli\.ts$/],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}

const rel = (p: string) => relative(SRC, p).split('\\').join('/');
const layerOf = (f: string): number => {
  const i = LAYERS.findIndex(([, re]) => re.test(f));
  if (i < 0) throw new Error(`${f} is in no layer: add it to LAYERS in test/unit/layers.test.ts`);
  return i;
};

/** Every relative import of a module, type-only ones and dynamic import() included. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => rel(resolve(join(SRC, dirname(file)), s)).replace(/\.js$/, '')).map((s) => (files(SRC).map(rel).find((f) => f.replace(/\.tsx?$/, '') === s) ?? `${s} (missing)`));
}

const graph = new Map(files(SRC).map(rel).map((f) => [f, importsOf(f)]));

test('every module is in a layer and imports only its own layer or lower ones', () => {
  const up: string[] = [];
  for (const [f, deps] of graph) for (const d of deps) if (layerOf(d) > layerOf(f)) up.push(`${f} (${LAYERS[layerOf(f)]![0]}) imports ${d} (${LAYERS[layerOf(d)]![0]})`);
  assert.deepEqual(up, []);
});

test('no import cycle', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].join(' → '));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});

test('nothing imports cli.ts', () => {
  assert.deepEqual([...graph].filter(([, deps]) => deps.includes('cli.ts')).map(([f]) => f), []);
});
