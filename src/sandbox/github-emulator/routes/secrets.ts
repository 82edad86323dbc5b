/** Actions secrets: the public key, listing, and sealed-box writes that the emulator opens. */
import sodium from 'libsodium-wrappers';
import { openRepo, type Ctx } from '../context.js';
import { ApiError, iso, jsonObjectBody, notFound, notSupplied, paginate, type Reply } from '../http.js';
import { secretKey, type RepoState, type SecretRecord } from '../state.js';
import { REPO, SEG, p, type Route } from './route.js';

const DOCS = {
  key: 'https://docs.github.com/rest/actions/secrets#get-a-repository-public-key',
  list: 'https://docs.github.com/rest/actions/secrets#list-repository-secrets',
  get: 'https://docs.github.com/rest/actions/secrets#get-a-repository-secret',
  put: 'https://docs.github.com/rest/actions/secrets#create-or-update-a-repository-secret',
  del: 'https://docs.github.com/rest/actions/secrets#delete-a-repository-secret',
};

/** GitHub's limit on one secret's value. */
const MAX_SECRET_BYTES = 48 * 1024;

const meta = (s: SecretRecord): Record<string, string> => ({ name: s.name, created_at: iso(s.createdAt), updated_at: iso(s.updatedAt) });

/** GitHub's naming rules for Actions secrets. */
function nameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(name)) return 'Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_).';
  if (/^[0-9]/.test(name)) return 'Secret names must not start with a number.';
  if (/^GITHUB_/i.test(name)) return 'Secret names must not start with the GITHUB_ prefix.';
  return undefined;
}

/**
 * The checks a real client gets wrong: a stale key_id, the URL-safe base64 alphabet (libsodium's
 * default) instead of the original one, and a value sealed to some other key.
 */
function openSealed(repo: RepoState, body: Record<string, unknown>): string {
  const keyId = body.key_id;
  const encrypted = body.encrypted_value;
  if (keyId === undefined || keyId === null) throw notSupplied('key_id', DOCS.put);
  if (encrypted === undefined || encrypted === null) throw notSupplied('encrypted_value', DOCS.put);
  if (typeof keyId !== 'string' || typeof encrypted !== 'string') {
    throw new ApiError(422, 'Invalid request.\n\n"key_id" and "encrypted_value" must be strings.', DOCS.put);
  }
  if (keyId !== repo.keyId) {
    throw new ApiError(422, `Invalid request.\n\nkey_id ${keyId} does not match the repository's current public key.`, DOCS.put);
  }
  let sealed: Uint8Array;
  try {
    sealed = sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL);
  } catch {
    throw new ApiError(422, 'Invalid request.\n\nencrypted_value is not valid Base64 (standard alphabet, with padding).', DOCS.put);
  }
  let opened: Uint8Array;
  try {
    opened = sodium.crypto_box_seal_open(sealed, repo.publicKey, repo.privateKey);
  } catch {
    throw new ApiError(422, "Invalid request.\n\nencrypted_value could not be decrypted with the repository's public key.", DOCS.put);
  }
  if (opened.length > MAX_SECRET_BYTES) throw new ApiError(422, 'Secret value is too large (maximum 48 KB).', DOCS.put);
  return Buffer.from(opened).toString('utf8');
}

function putSecret(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'admin', DOCS.put);
  const name = p(params, 2);
  const problem = nameProblem(name);
  if (problem) throw new ApiError(422, problem, DOCS.put);
  const value = openSealed(repo, jsonObjectBody(ctx.rawBody, DOCS.put));
  const outcome = ctx.env.state.putSecret(repo, name, value);
  ctx.env.record({ kind: 'secret-put', repo: repo.fullName, name: secretKey(name), at: ctx.at });
  return outcome === 'created' ? { status: 201, json: {} } : { status: 204 };
}

export const secretRoutes: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/secrets/public-key$`),
    operation: 'GET /repos/{owner}/{repo}/actions/secrets/public-key',
    scopes: 'repo',
    docs: DOCS.key,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'admin', DOCS.key);
      return { status: 200, json: { key_id: repo.keyId, key: sodium.to_base64(repo.publicKey, sodium.base64_variants.ORIGINAL) } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/secrets$`),
    operation: 'GET /repos/{owner}/{repo}/actions/secrets',
    scopes: 'repo',
    docs: DOCS.list,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'admin', DOCS.list);
      const all = ctx.env.state.sortedSecrets(repo);
      const page = paginate(all, ctx.query, ctx.env.apiUrl, ctx.pathname);
      return {
        status: 200,
        json: { total_count: all.length, secrets: page.items.map(meta) },
        ...(page.link ? { headers: { link: page.link } } : {}),
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/actions/secrets/${SEG}$`),
    operation: 'GET /repos/{owner}/{repo}/actions/secrets/{secret_name}',
    scopes: 'repo',
    docs: DOCS.get,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'admin', DOCS.get);
      const secret = repo.secrets.get(secretKey(p(params, 2)));
      if (!secret) throw notFound(DOCS.get);
      return { status: 200, json: meta(secret) };
    },
  },
  {
    method: 'PUT',
    pattern: new RegExp(`${REPO}/actions/secrets/${SEG}$`),
    operation: 'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}',
    scopes: 'repo',
    docs: DOCS.put,
    handle: putSecret,
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`${REPO}/actions/secrets/${SEG}$`),
    operation: 'DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}',
    scopes: 'repo',
    docs: DOCS.del,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'admin', DOCS.del);
      if (!repo.secrets.delete(secretKey(p(params, 2)))) throw notFound(DOCS.del);
      return { status: 204 };
    },
  },
];
