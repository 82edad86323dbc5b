// Bundles src/ into dist/ so `npx` downloads one small package with no dependencies to
// install, and code-splits so ssh2, octokit and libsodium load only when a step needs them.
// Also writes THIRD-PARTY-NOTICES: the licence texts of every package the bundle carries,
// found from esbuild's metafile (what really went into dist/, not what package.json lists),
// and .build/metafile.json for the test that checks the two agree.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LICENCE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

// Ink's development mode (DEV=true in the environment) imports its React devtools bridge
// (build/devtools.js: the `ws` WebSocket library, ~48 kB bundled, then react-devtools-core,
// which is not installed) and reads its own package.json beside the module, which in a bundle
// is dist/package.json: it does not exist, so any user whose shell sets DEV=true would see
// the live view crash. In the bundle Ink's isDev() is false and devtools.js an empty module.
const inkWithoutDevMode = {
  name: 'ink-without-dev-mode',
  setup(b) {
    const inInk = (p) => /[\\/]node_modules[\\/]ink[\\/]build[\\/]/.test(p);
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) => (inInk(args.importer) ? { path: 'ink-devtools', namespace: 'clh-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'clh-stub' }, () => ({ contents: 'export {};', loader: 'js' }));
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]utils\.js$/ }, () => ({ contents: 'export const isDev = () => false;', loader: 'js' }));
  },
};

await rm(join(root, 'dist'), { recursive: true, force: true });
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.12',
  minify: true,
  // The licences travel whole in THIRD-PARTY-NOTICES, not as scattered comment excerpts.
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  // ssh2 tries optional native bindings inside try/catch; the pure-JS paths are used without them.
  external: ['cpu-features', '*.node'],
  plugins: [inkWithoutDevMode],
  metafile: true,
  banner: {
    // CommonJS dependencies (ssh2, libsodium) expect require and __dirname.
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

// --help and --version as plain text beside the bundle: the bin prints them without loading
// the program (as fast as `node -e 0`), from the same field table the program parses with.
const helpBundle = await build({ absWorkingDir: root, entryPoints: ['src/config/options.ts'], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
const { HELP } = await import(`data:text/javascript;base64,${Buffer.from(helpBundle.outputFiles[0].text).toString('base64')}`);
await writeFile(join(root, 'dist', 'help.txt'), HELP);
await writeFile(join(root, 'dist', 'version.txt'), `${JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version}\n`);

await mkdir(join(root, '.build'), { recursive: true });
await writeFile(join(root, '.build', 'metafile.json'), JSON.stringify(metafile));
await writeFile(join(root, 'THIRD-PARTY-NOTICES'), await notices(metafile));

/** The package folders (node_modules/NAME or node_modules/@scope/NAME) with code in the output. */
function bundledPackageDirs(meta) {
  const dirs = new Set();
  for (const out of Object.values(meta.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = bytesInOutput > 0 && input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
      if (m) dirs.add(m[1]);
    }
  return [...dirs];
}


async function notices(meta) {
  const pkgs = new Map();
  for (const dir of bundledPackageDirs(meta)) {
    const pj = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8'));
    const id = `${pj.name}@${pj.version}`;
    if (pkgs.has(id)) continue;
    const licence = typeof pj.license === 'string' ? pj.license : (pj.license?.type ?? pj.licenses?.map((l) => l.type).join(' OR ') ?? 'see below');
    const files = (await readdir(join(root, dir))).filter((f) => LICENCE_FILE.test(f)).sort();
    const texts = await Promise.all(files.map(async (f) => ({ name: f, text: await readFile(join(root, dir, f), 'utf8') })));
    // A package published without its licence file: the text from its repository, kept here.
    const kept = join(root, 'scripts', 'licenses', `${pj.name.replace('/', '__')}.txt`);
    if (!texts.length && existsSync(kept)) texts.push({ name: `LICENSE (from ${pj.repository?.url ?? pj.homepage ?? 'its repository'}; the npm package ships none)`, text: await readFile(kept, 'utf8') });
    if (!texts.length) throw new Error(`build: ${id} is in the bundle but ships no licence file; put its licence text in scripts/licenses/${pj.name.replace('/', '__')}.txt`);
    pkgs.set(id, { name: pj.name, version: pj.version, licence, texts });
  }
  const list = [...pkgs.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const rule = '='.repeat(79);
  const parts = [
    'create-litestream-host bundles the packages below into dist/. Each one\'s licence',
    'follows, as the package ships it (LICENSE, NOTICE and the like).',
    '',
    ...list.map((p) => `  ${p.name} ${p.version} (${p.licence})`),
  ];
  for (const p of list) {
    parts.push('', rule, `${p.name} ${p.version} (${p.licence})`, rule);
    for (const t of p.texts) parts.push('', `--- ${t.name} ---`, '', t.text.replace(/\r\n/g, '\n').trimEnd());
  }
  return `${parts.join('\n')}\n`;
}
