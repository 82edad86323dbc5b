// Bundles src/ into dist/ so `npx` downloads one small package with no dependencies to
// install, and code-splits so ssh2, octokit and libsodium load only when a step needs them.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.12',
  minify: true,
  legalComments: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // ssh2 tries optional native bindings inside try/catch; the pure-JS paths are used without them.
  external: ['cpu-features', '*.node', 'react-devtools-core'],
  banner: {
    // CommonJS dependencies (ssh2, libsodium) expect require and __dirname.
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
