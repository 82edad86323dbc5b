import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { fieldOf, HELP_ORDER, SWITCHES, VALUE_FIELDS, type Field, type SwitchKey, type ValueKey } from './fields.js';

export type RotateItem = 'deploy-key' | 'storage' | 'email';

/** What the command line said, before environment, env file and saved defaults are merged. */
export type CliOptions = { [K in ValueKey]?: string } & { [K in Exclude<SwitchKey, 'rotateOnly'>]: boolean } & { rotateOnly: RotateItem[] };

/** parseArgs' options, from the field table (npm-swallowed.ts reads it too). */
export const SPEC: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = Object.fromEntries(
  [...Object.values(VALUE_FIELDS), ...Object.values(SWITCHES)].map((f: Field) => [
    f.flag,
    { type: f.kind === 'switch' ? 'boolean' : 'string', ...(f.kind === 'list' ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) },
  ]),
);

const FLAG_COLUMN = 28;

function helpLines(): string[] {
  const out: string[] = [];
  let group = '';
  for (const k of HELP_ORDER) {
    const f = fieldOf(k);
    if (f.group !== group) out.push('', (group = f.group));
    const flag = `  ${f.short ? `-${f.short}, ` : ''}--${f.flag}${f.arg ? ` ${f.arg}` : ''}`;
    const [first, ...rest] = f.help;
    out.push(flag.length < FLAG_COLUMN ? `${flag.padEnd(FLAG_COLUMN)}${first}` : `${flag}\n${' '.repeat(FLAG_COLUMN)}${first}`);
    for (const l of rest) out.push(`${' '.repeat(FLAG_COLUMN)}${l}`);
  }
  return out;
}

export const HELP = `create-litestream-host: set up a Linux host and a GitHub repository for the
ServiceStack Litestream templates, then release the app.

Usage: npx create-litestream-host [options]
       npm create litestream-host -- [options]   (npm create: options after --)

With no options on a terminal it asks for what it needs. Every question can be
answered by a flag or an environment variable, so a run can be scripted (--yes).
${helpLines().join('\n')}

Environment
  GH_TOKEN, GITHUB_TOKEN    GitHub token (else \`gh auth token\`, else asked);
                            with --github-api-url, GH_ENTERPRISE_TOKEN first
  storage, --target aws     AWS_S3_BUCKET AWS_ACCESS_KEY_ID
                            AWS_SECRET_ACCESS_KEY
  storage, --target azure   AZURE_ACCOUNT_KEY AZURE_STORAGEACCOUNT
                            AZURE_CONTAINER
  storage, --target sftp    SFTP_USERNAME SFTP_PASSWORD SFTP_HOST SFTP_PORT
  SSH_KEY_PASSPHRASE        passphrase of an encrypted -i key under --yes
  NO_COLOR, CI              plain output without colour or animation

Exit codes: 0 done, 1 a step failed (a re-run resumes), 2 bad usage or input,
130 interrupted.
`;

const ROTATE_ITEMS: readonly RotateItem[] = ['deploy-key', 'storage', 'email'];

/** What a run rotates: nothing without --rotate, everything unless --rotate-only picks. */
export const rotateItemsOf = (cli: Pick<CliOptions, 'rotate' | 'rotateOnly'>): RotateItem[] =>
  cli.rotate ? (cli.rotateOnly.length ? cli.rotateOnly : [...ROTATE_ITEMS]) : [];

export function parseCli(argv: string[]): CliOptions {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: true }));
  } catch (e) {
    const msg = (e as Error).message;
    // node's messages name the option; keep them, add where to look.
    throw new UsageError(msg.replace(/\. To specify a positional.*$/s, '').replace(/\s+$/, ''), 'run with --help to see every option');
  }
  if (positionals.length)
    throw new UsageError(`unexpected argument "${positionals[0]}"`, 'options start with --; run with --help to see them');
  const rotateOnly = ((values['rotate-only'] as string[] | undefined) ?? []).map((item) => {
    if (!ROTATE_ITEMS.includes(item as RotateItem))
      throw new UsageError(`--rotate-only: "${item}" is not one of ${ROTATE_ITEMS.join(', ')}`);
    return item as RotateItem;
  });
  if (rotateOnly.length && values.rotate !== true) throw new UsageError('--rotate-only needs --rotate');
  const out: Record<string, unknown> = { rotateOnly };
  for (const [k, f] of Object.entries(VALUE_FIELDS)) out[k] = values[f.flag] as string | undefined;
  for (const [k, f] of Object.entries(SWITCHES) as [SwitchKey, Field][])
    if (f.kind === 'switch') out[k] = 'negated' in f && f.negated ? values[f.flag] !== true : values[f.flag] === true;
  return out as CliOptions;
}
