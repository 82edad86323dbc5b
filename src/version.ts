import { readAsset } from './assets.js';

let cached: string | undefined;
/** Read from package.json beside the program, so one number is kept in one place. */
export function version(): string {
  if (!cached) {
    try {
      cached = (JSON.parse(readAsset('../package.json')) as { version: string }).version;
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
