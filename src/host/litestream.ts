import { quote, Script, shArgv } from './shell.js';

/**
 * Read-only Litestream runs on the host, with the image the compose file names.
 *
 * Secrets travel on standard input only: the host's shell keeps them in a variable and
 * hands them to each container on its standard input; inside, they become the environment of
 * Litestream, and the replica URL (which holds the SFTP password) reaches Litestream through
 * its config file's `${CLH_REPLICA_URL}` expansion, so no command line, `docker inspect` or
 * file on the host or in the container ever holds a value.
 */

/** Inside the container: stdin's NAME=value lines become the environment, then Litestream lists. */
export const LIST_INNER = `while IFS= read -r l; do [ -n "$l" ] && export "$l"; done
d=$(mktemp -d) || exit 1
printf 'dbs:\\n  - path: %s/check.db\\n    replicas:\\n      - url: \${CLH_REPLICA_URL}\\n' "$d" > "$d/c.yml"
: > "$d/check.db"
v=$(litestream version 2>&1)
echo "@@version $v"
case "$v" in *0.[0-3].*) c=generations ;; *) c=ltx ;; esac
echo "@@list $c"
timeout "$CLH_DEADLINE" litestream $c -config "$d/c.yml" "$d/check.db" 2>&1
echo "@@status $?"`;

/** `docker run` of a throwaway container's shell, on the host's network, reading stdin (where the values travel); the image and `-c SCRIPT` follow. */
export const runShell = (docker: readonly string[]): string => `${docker.map(quote).join(' ')} run --rm -i --network host --entrypoint /bin/sh`;

/** A 0.3 image, to find a replica written by 0.3 when the compose file's image is 0.5. */
export const V03_IMAGE = 'litestream/litestream:0.3.13';

/**
 * Lists the replica with `image`, and with 0.3.13 too when that image is not 0.3 (a 0.5
 * image cannot see a 0.3 replica). The docker prefix (sudo or not) comes from the caller.
 * Stdin: NAME=value lines (the sidecar's environment and CLH_REPLICA_URL), one per line.
 */
export function replicaListScript(image: string, docker: readonly string[], deadlineS: number, sidecarService?: string): Script {
  const d = docker.map(quote).join(' ');
  const run = runShell(docker);
  // Whether this host runs the app's sidecar already (a container of its compose service).
  const deployed = sidecarService ? `echo "@@deployed $(${d} ps -aq --filter label=com.docker.compose.service=${quote(sidecarService)} 2>/dev/null | head -n 1)"\n` : '';
  return new Script(`${deployed}v=$(cat)
v="$v
CLH_DEADLINE=${deadlineS}"
run() { printf '%s\\n' "$v" | ${run} "$1" -c ${quote(LIST_INNER)} 2>&1; echo "@@exit $?"; }
echo @@image ${quote(image)}
o=$(run ${quote(image)})
printf '%s\\n' "$o"
case "$o" in *"@@version v0.3."*|*"@@version 0.3."*) ;; *) echo @@image ${V03_IMAGE}; run ${quote(V03_IMAGE)} ;; esac`);
}

export const replicaListArgv = (image: string, docker: readonly string[], sidecarService?: string, deadlineS = 25): string[] => shArgv(replicaListScript(image, docker, deadlineS, sidecarService));

/**
 * The restore drill, inside a throwaway container of the sidecar's image: restore the
 * replica into a temporary file (never the live database), check it with sqlite3 (the
 * image's own, else Alpine's package, inside the container), print its figures, remove it.
 */
const DRILL_INNER = `while IFS= read -r l; do [ -n "$l" ] && export "$l"; done
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
printf 'dbs:\\n  - path: %s/live.db\\n    replicas:\\n      - url: \${CLH_REPLICA_URL}\\n' "$d" > "$d/c.yml"
echo "@@version $(litestream version 2>&1)"
timeout "$CLH_DEADLINE" litestream restore -config "$d/c.yml" -o "$d/restored.db" "$d/live.db" 2>&1
echo "@@restore $?"
[ -f "$d/restored.db" ] || exit 0
echo "@@size $(wc -c < "$d/restored.db")"
command -v sqlite3 >/dev/null 2>&1 || apk add --no-cache sqlite >/dev/null 2>&1
echo "@@integrity $(sqlite3 "$d/restored.db" 'PRAGMA integrity_check' 2>&1 | head -3 | tr '\\n' ' ')"
echo "@@tables $(sqlite3 "$d/restored.db" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' AND substr(name, 1, 12) <> '_litestream_'" 2>&1)"`;

/** Stdin: as for replicaListArgv. */
export function restoreDrillArgv(image: string, docker: readonly string[], deadlineS = 600): string[] {
  const run = runShell(docker);
  return shArgv(
    new Script(`v=$(cat)
printf '%s\\nCLH_DEADLINE=${deadlineS}\\n' "$v" | ${run} ${quote(image)} -c ${quote(DRILL_INNER)} 2>&1
echo "@@exit $?"`),
  );
}
