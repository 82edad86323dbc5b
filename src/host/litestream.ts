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
const LIST_INNER = `while IFS= read -r l; do [ -n "$l" ] && export "$l"; done
d=$(mktemp -d) || exit 1
printf 'dbs:\\n  - path: %s/check.db\\n    replicas:\\n      - url: \${CLH_REPLICA_URL}\\n' "$d" > "$d/c.yml"
: > "$d/check.db"
v=$(litestream version 2>&1)
echo "@@version $v"
case "$v" in *0.[0-3].*) c=generations ;; *) c=ltx ;; esac
echo "@@list $c"
timeout "$CLH_DEADLINE" litestream $c -config "$d/c.yml" "$d/check.db" 2>&1
echo "@@status $?"`;

/** A 0.3 image, to find a replica written by 0.3 when the compose file's image is 0.5. */
export const V03_IMAGE = 'litestream/litestream:0.3.13';

/**
 * Lists the replica with `image`, and with 0.3.13 too when that image is not 0.3 (a 0.5
 * image cannot see a 0.3 replica). The docker prefix (sudo or not) comes from the caller.
 * Stdin: NAME=value lines (the sidecar's environment and CLH_REPLICA_URL), one per line.
 */
export function replicaListScript(image: string, docker: readonly string[], deadlineS: number): Script {
  const run = `${docker.map(quote).join(' ')} run --rm -i --network host --entrypoint /bin/sh`;
  return new Script(`v=$(cat)
v="$v
CLH_DEADLINE=${deadlineS}"
run() { printf '%s\\n' "$v" | ${run} "$1" -c ${quote(LIST_INNER)} 2>&1; echo "@@exit $?"; }
echo @@image ${quote(image)}
o=$(run ${quote(image)})
printf '%s\\n' "$o"
case "$o" in *"@@version v0.3."*|*"@@version 0.3."*) ;; *) echo @@image ${V03_IMAGE}; run ${quote(V03_IMAGE)} ;; esac`);
}

export const replicaListArgv = (image: string, docker: readonly string[], deadlineS = 25): string[] => shArgv(replicaListScript(image, docker, deadlineS));
