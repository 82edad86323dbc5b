import { readAsset } from '../assets.js';

/**
 * Where the program puts things on a host, and how it recognises its own: every path,
 * marker and file body in one place.
 */

/** The comment that marks the authorized_keys lines this program added (with the repository). */
export const KEY_MARKER = 'create-litestream-host';

/** The `docker-compose` the workflows call: Compose v2 behind the v1 name (assets/docker-compose-shim.sh). */
export const SHIM_PATH = '/usr/local/bin/docker-compose';
export const SHIM_TEXT = readAsset('docker-compose-shim.sh');
/** The shim's second line: how a host's docker-compose is recognised as ours. */
export const SHIM_MARKER = SHIM_TEXT.split('\n')[1]!;

/** nginx-proxy and its LetsEncrypt companion, as the templates name them. */
export const PROXY_CONTAINERS = ['nginx-proxy', 'nginx-proxy-le'];
/** Relative to the deploy user's home: its own folder, so compose's project name is "nginx-proxy". */
export const PROXY_DIR = '.deploy/nginx-proxy';
export const PROXY_FILE = `${PROXY_DIR}/nginx-proxy-compose.yml`;
