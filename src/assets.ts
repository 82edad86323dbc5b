import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Files the program puts on hosts live in assets/ at the package root. The code runs from
 * src/ (tests), dist/ or dist/chunks/ (the bundle), so walk up to the folder that has it.
 */
export function readAsset(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'assets', name);
    // '../package.json' finds the package root the same way.
    if (existsSync(p)) return readFileSync(p, 'utf8');
    dir = dirname(dir);
  }
  throw new Error(`asset ${name} not found beside the program`);
}
