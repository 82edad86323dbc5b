import { LIST_INNER, runShell } from './litestream.js';
import { quote, Script, shArgv } from './shell.js';

/**
 * What the checks after a release read on the host, in one round trip: the app's and the
 * sidecar's containers (found by their compose service label, so the project's name does not
 * matter), the sidecar's log since it started (lines naming an error, not those Litestream
 * itself marks INFO or WARN, such as a generation cleared at start), the host's clock,
 * and a read-only listing of the replica with the sidecar's image.
 *
 * Stdin: the sidecar's NAME=value lines, as for replicaListArgv; they never reach a command line.
 */
const STATE_FORMAT = '{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}}|{{.State.StartedAt}}|{{.RestartCount}}|{{.Config.Image}}';

export function outcomeScript(docker: readonly string[], services: { app: string; sidecar: string }, image: string, deadlineS: number): Script {
  const d = docker.map(quote).join(' ');
  return new Script(`v=$(cat)
id_of() { ${d} ps -aq --filter "label=com.docker.compose.service=$1" 2>/dev/null | head -n 1; }
state() { ${d} inspect -f ${quote(STATE_FORMAT)} "$1" 2>&1 | head -n 1; }
a=$(id_of ${quote(services.app)})
s=$(id_of ${quote(services.sidecar)})
echo "@@app \${a:+$(state "$a")}"
echo "@@sidecar \${s:+$(state "$s")}"
if [ -n "$s" ]; then
  t=$(${d} inspect -f '{{.State.StartedAt}}' "$s" 2>/dev/null)
  ${d} logs --since "$t" "$s" 2>&1 | grep -v -E '(^|[[:space:]])(INFO|WARN|DEBUG)[[:space:]]|level=(INFO|WARN|DEBUG)' | grep -i -m 3 -E '(^|[^a-z])error' | cut -c1-400 | sed 's/^/@@log /'
fi
echo "@@now $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo @@image ${quote(image)}
printf '%s\\nCLH_DEADLINE=${deadlineS}\\n' "$v" | ${runShell(docker)} ${quote(image)} -c ${quote(LIST_INNER)} 2>&1
echo "@@exit $?"`);
}

export const outcomeArgv = (docker: readonly string[], services: { app: string; sidecar: string }, image: string, deadlineS = 25): string[] =>
  shArgv(outcomeScript(docker, services, image, deadlineS));
