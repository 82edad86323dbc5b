/**
 * What the sandbox droplet is: a fresh Ubuntu 24.04 droplet with Docker, held as a JS
 * object of folders, files, users, containers and networks. Nothing here touches the real
 * file system.
 */
import type { VDatabase, VReplica } from './litestream.js';

export const DOCKER_VERSION = '27.3.1';
export const COMPOSE_VERSION = '2.29.7';
export const DOCKER_BUILD = 'ce12230';
export const DOCKER_API = '1.47';
/** The droplet's public address (a documentation range), where the demo's DNS points. */
export const DROPLET_IP = '203.0.113.7';
export const OS = { id: 'ubuntu', version: '24.04', pretty: 'Ubuntu 24.04.1 LTS', kernel: 'Linux', arch: 'x86_64' };
/** `df -Pk` "Available" of a 50 GB droplet with a fresh Docker install. */
export const DISK_FREE_KB = 41_020_312;

export interface VFile {
  content: string;
  mode: number;
  owner: string;
}

export interface VDir {
  mode: number;
  owner: string;
}

export interface VUser {
  name: string;
  uid: number;
  home: string;
  shell: string;
  /** Primary group first, as `id -nG` prints them. */
  groups: string[];
  /** What `sudo -n true` does for this user. */
  sudo: 'passwordless' | 'password';
}

export interface VContainer {
  name: string;
  image: string;
  service: string;
  project: string;
  running: boolean;
  /** When it last started (ms), for `docker inspect`'s StartedAt; undefined: when compose started it. */
  startedAt?: number;
  /** Its healthcheck: healthy from this time on (ms); undefined: no healthcheck. */
  healthyAt?: number;
  restarts?: number;
  /** The replica its Litestream writes (a key of storage), for a sidecar. */
  replica?: string;
}

export interface DropletState {
  files: Map<string, VFile>;
  dirs: Map<string, VDir>;
  users: Map<string, VUser>;
  /** Names of running containers. */
  containers: Set<string>;
  /** Every container, running or not, with its compose labels. */
  containerInfo: Map<string, VContainer>;
  networks: Set<string>;
  /** SQLite databases on the volumes, by their path on the host. */
  databases: Map<string, VDatabase>;
  /** The sandbox's storage (outside the droplet, reached from it): replicas by the URL the sidecar writes to. */
  storage: Map<string, VReplica>;
  docker: { version: string; compose: string };
}

export function freshState(): DropletState {
  const dirs = new Map<string, VDir>();
  for (const d of ['/', '/bin', '/etc', '/home', '/root', '/tmp', '/usr', '/usr/bin', '/usr/local', '/usr/local/bin', '/var', '/var/run'])
    dirs.set(d, { mode: d === '/root' ? 0o700 : d === '/tmp' ? 0o1777 : 0o755, owner: 'root' });
  return {
    files: new Map(),
    dirs,
    users: new Map([['root', { name: 'root', uid: 0, home: '/root', shell: '/bin/bash', groups: ['root'], sudo: 'passwordless' }]]),
    containers: new Set(),
    containerInfo: new Map(),
    networks: new Set(['bridge', 'host', 'none']),
    databases: new Map(),
    storage: new Map(),
    docker: { version: DOCKER_VERSION, compose: COMPOSE_VERSION },
  };
}
