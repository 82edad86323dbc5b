import { rotateItemsOf } from '../config/options.js';
import { draftWarnings, toSettings } from '../config/settings.js';
import { UsageError } from '../errors.js';
import { failureLines } from '../ui/failure.js';
import { plainReporter } from '../ui/plain-reporter.js';
import type { Face, FaceContext } from './face.js';

/** Plain lines, one per event: pipes, CI logs and --yes runs. Nothing is asked. */
export function plainFace({ cli, io, world }: FaceContext): Face {
  const out = (s: string) => void io.stdout.write(`${s}\n`);
  const err = (s: string) => void io.stderr.write(`${s}\n`);
  let report: ((e: import('../steps/types.js').EngineEvent) => void) | undefined;
  return {
    async settle() {
      const rotatingStorage = rotateItemsOf(cli).includes('storage');
      const settings = toSettings(world.draft, cli, world.home, { storageAlreadySet: (n) => !!world.saved?.record.secrets[n] && !rotatingStorage });
      for (const w of draftWarnings(world.draft)) err(`warning: ${w}`);
      const { authSources } = await import('../host/connect.js');
      const auth = await authSources({ identity: settings.identity, passphrase: settings.passphrase, home: world.home, agentSocket: world.env.SSH_AUTH_SOCK });
      if (!auth.length) throw new UsageError('no SSH key to log in with: no agent (SSH_AUTH_SOCK) and no ~/.ssh/id_ed25519, id_ecdsa or id_rsa', 'pass the key with -i');
      for (const l of world.intro?.(settings) ?? []) out(l);
      report = plainReporter(out, { deployUser: settings.deployUser });
      return { settings, auth };
    },
    emit: (e) => report?.(e),
    async done(settings, _summary, after) {
      if (after) for (const l of ['', `${after.title}:`, ...after.lines.map((x) => `  ${x}`)]) out(l);
      for (const l of world.outro?.(settings.dryRun) ?? []) out(l);
    },
    async fail(e) {
      for (const l of failureLines(e)) err(l);
    },
  };
}
