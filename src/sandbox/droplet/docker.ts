/**
 * The docker CLI, as the droplet's Docker 27 answers it: versions, `ps`, `network ls`,
 * `inspect`, and `compose up -d` reading the compose file from the virtual file system.
 */
import { parse as parseYaml } from 'yaml';
import { ExecError, sha256, type Host, type Io } from './host.js';
import { COMPOSE_VERSION, DOCKER_API, DOCKER_BUILD, DOCKER_VERSION, type DropletState, type VUser } from './state.js';

/** Throws what docker prints when `u` may not use the daemon's socket. */
export function dockerAccess(u: VUser, what: string): void {
  if (u.uid === 0 || u.groups.includes('docker')) return;
  throw new ExecError(
    `permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v${DOCKER_API}/${what}": dial unix /var/run/docker.sock: connect: permission denied`,
    1,
  );
}

/** A container's id as docker prints it: the full one, or `short` (ps, ps -q). */
export const containerId = (name: string, short = false): string => sha256(`container:${name}`).slice(0, short ? 12 : 64);

/** `docker ps` order: newest first. */
export function runningNames(state: DropletState): string[] {
  return [...state.containers].reverse();
}

/** One `docker ...` command run as `u`. */
export async function docker(host: Host, u: VUser, args: string[], io: Io): Promise<number> {
  const a = args.join(' ');
  if (a === '--version') {
    io.out(`Docker version ${DOCKER_VERSION}, build ${DOCKER_BUILD}\n`);
    return 0;
  }
  if (a === 'compose version --short') {
    io.out(`${COMPOSE_VERSION}\n`);
    return 0;
  }
  if (a === 'compose version') {
    io.out(`Docker Compose version v${COMPOSE_VERSION}\n`);
    return 0;
  }
  if (a === 'version --format {{.Server.Version}}') {
    dockerAccess(u, 'version');
    io.out(`${DOCKER_VERSION}\n`);
    return 0;
  }
  if (a === 'version') {
    io.out(
      `Client: Docker Engine - Community\n Version:           ${DOCKER_VERSION}\n API version:       ${DOCKER_API}\n Go version:        go1.22.7\n Git commit:        ${DOCKER_BUILD}\n Built:             Fri Sep 20 11:41:00 2024\n OS/Arch:           linux/amd64\n Context:           default\n`,
    );
    dockerAccess(u, 'version');
    io.out(
      `\nServer: Docker Engine - Community\n Engine:\n  Version:          ${DOCKER_VERSION}\n  API version:      ${DOCKER_API} (minimum version 1.24)\n  Go version:       go1.22.7\n  Git commit:       41ca978\n  Built:            Fri Sep 20 11:41:00 2024\n  OS/Arch:          linux/amd64\n  Experimental:     false\n containerd:\n  Version:          1.7.22\n runc:\n  Version:          1.1.14\n docker-init:\n  Version:          0.19.0\n`,
    );
    return 0;
  }
  if (a === 'ps' || a === 'ps --format {{.Names}}') {
    dockerAccess(u, 'containers/json');
    const names = runningNames(host.state);
    if (a === 'ps') {
      io.out('CONTAINER ID   IMAGE                       COMMAND                  CREATED         STATUS         PORTS     NAMES\n');
      for (const n of names) {
        const c = host.state.containerInfo.get(n)!;
        io.out(`${containerId(n, true)}   ${c.image.padEnd(25)}   "/app/docker-entrypoint…"   2 minutes ago   Up 2 minutes             ${n}\n`);
      }
    } else for (const n of names) io.out(`${n}\n`);
    return 0;
  }
  if (a === 'network ls --format {{.Name}}') {
    dockerAccess(u, 'networks');
    for (const n of [...host.state.networks].sort()) io.out(`${n}\n`);
    return 0;
  }
  if (args.length === 4 && args[0] === 'inspect' && args[1] === '-f' && args[2] === '{{.State.Running}}') {
    dockerAccess(u, `containers/${args[3]}/json`);
    const c = host.state.containerInfo.get(args[3]!);
    if (!c) throw new ExecError(`Error: No such object: ${args[3]}`, 1);
    io.out(`${c.running}\n`);
    return 0;
  }
  if (args.length === 7 && args[0] === 'compose' && args[1] === '-p' && args[3] === '-f' && args[5] === 'up' && args[6] === '-d')
    return composeUp(host, u, args[2]!, args[4]!, io);
  throw new ExecError(`docker: '${args[0] ?? ''}' is not a docker command the sandbox droplet emulates.\nSee 'docker --help'`, 127);
}

async function composeUp(host: Host, u: VUser, project: string, file: string, io: Io): Promise<number> {
  dockerAccess(u, `containers/json?all=1&filters=%7B%22label%22%3A%7B%22com.docker.compose.project%3D${project}%22%3Atrue%7D%7D`);
  const f = host.state.files.get(file);
  if (!f) throw new ExecError(`open ${file}: no such file or directory`, 1);
  if (!host.canRead(u, f)) throw new ExecError(`open ${file}: permission denied`, 1);
  let doc: { services?: Record<string, { image?: string; container_name?: string; network_mode?: string } | null>; networks?: Record<string, { name?: string; external?: boolean } | null>; volumes?: Record<string, unknown> };
  try {
    doc = (parseYaml(f.content) ?? {}) as typeof doc;
  } catch (e) {
    throw new ExecError(`yaml: ${(e as Error).message.split('\n')[0]}`, 15);
  }
  const services = Object.entries(doc.services ?? {});
  if (!services.length) throw new ExecError('no service selected', 1);
  const line = async (text: string) => {
    io.err(`${text}\n`);
    await io.sleep(host.composeDelayMs);
  };
  // Images: pulled once, like a fresh host.
  const toCreate = services.filter(([svc, s]) => !host.state.containerInfo.has(s?.container_name ?? `${project}-${svc}-1`));
  for (const [svc] of toCreate) await line(` ${svc} Pulling `);
  for (const [svc] of toCreate) await line(` ${svc} Pulled `);
  const defaultNet = doc.networks?.default?.name ?? `${project}_default`;
  const needsDefault = services.some(([, s]) => !s?.network_mode);
  if (needsDefault && !host.state.networks.has(defaultNet)) {
    await line(` Network ${defaultNet}  Creating`);
    host.state.networks.add(defaultNet);
    await line(` Network ${defaultNet}  Created`);
  }
  for (const v of Object.keys(doc.volumes ?? {})) {
    const name = `${project}_${v}`;
    if (host.state.dirs.has(`/var/lib/docker/volumes/${name}`)) continue;
    host.state.dirs.set(`/var/lib/docker/volumes/${name}`, { mode: 0o755, owner: 'root' });
    await line(` Volume "${name}"  Creating`);
    await line(` Volume "${name}"  Created`);
  }
  const names = services.map(([svc, s]) => ({ svc, name: s?.container_name ?? `${project}-${svc}-1`, image: s?.image ?? `${project}-${svc}` }));
  for (const c of names) {
    const had = host.state.containerInfo.get(c.name);
    if (had && had.project !== project)
      throw new ExecError(
        `Error response from daemon: Conflict. The container name "/${c.name}" is already in use by container "${containerId(c.name)}". You have to remove (or rename) that container to be able to reuse that name.`,
        1,
      );
    if (!had) {
      await line(` Container ${c.name}  Creating`);
      host.state.containerInfo.set(c.name, { name: c.name, image: c.image, service: c.svc, project, running: false });
      await line(` Container ${c.name}  Created`);
    }
  }
  for (const c of names) {
    const info = host.state.containerInfo.get(c.name)!;
    if (info.running) {
      await line(` Container ${c.name}  Running`);
      continue;
    }
    await line(` Container ${c.name}  Starting`);
    info.running = true;
    host.state.containers.add(c.name);
    await line(` Container ${c.name}  Started`);
  }
  return 0;
}
