import type { CliOptions } from '../config/options.js';
import type { Io } from '../cli.js';

export async function runDemo(_cli: CliOptions, _env: Record<string, string | undefined>, io: Io): Promise<number> {
  io.stderr.write('the demo sandbox is not built yet\n');
  return 1;
}
