#!/bin/sh
# FAKE-DOCKER-MARKER
# A fake Docker CLI (and, when installed as `docker-compose`, a fake docker-compose v1)
# for the create-litestream-host sshd test harness (test/harness/sshd.ts).
#
# It only ever runs inside the harness's private mount namespace. Its state lives in
# /run/fake-docker (a bind mount of DIR/state):
#   scenario     ok | missing | compose-v1 | daemon-down | no-permission
#   calls.log    one line per invocation: "UID USER HEX", HEX = hex of argv (argv[0] is the
#                program's basename), each argument terminated by a NUL byte
#   containers   NAME<TAB>STATE<TAB>PROJECT<TAB>IMAGE<TAB>SERVICE   ("-" = empty field)
#   networks     NAME<TAB>PROJECT<TAB>DRIVER
# Answers mimic Docker 27.3.1 / Compose v2.29.7 / docker-compose 1.29.2 wording.

S=/run/fake-docker
prog=${0##*/}

hex=$(printf '%s\0' "$prog" "$@" | od -An -v -tx1 | tr -d ' \n')
printf '%s %s %s\n' "$(id -u)" "$(id -un 2>/dev/null || echo '?')" "$hex" >> "$S/calls.log" 2>/dev/null

# A litestream container runs for as long as Litestream does: outside the state lock.
if [ "$prog" = docker ] && [ "${1:-}" = run ]; then
  for a in "$@"; do case "$a" in litestream/litestream|litestream/litestream:*|docker.io/litestream/litestream*) ls_run=1 ;; esac; done
fi

if [ -z "${ls_run:-}" ] && [ -w "$S/lock" ] && command -v flock >/dev/null 2>&1; then
  exec 9>>"$S/lock"
  flock -w 20 9 || true
fi

scenario=$(cat "$S/scenario" 2>/dev/null) || scenario=ok
[ -n "$scenario" ] || scenario=ok
VERSION=27.3.1
BUILD=ce12230
API=1.47
COMPOSE_VERSION=2.29.7
V1_VERSION=1.29.2
V1_BUILD=5becea4c
C="$S/containers"
N="$S/networks"
TAB=$(printf '\t')
NL='
'

err() { printf '%s\n' "$*" >&2; }

# 0 = the daemon answers; 1 = daemon down; 2 = permission denied on the socket.
daemon_state() {
  [ "$scenario" = daemon-down ] && return 1
  [ "$(id -u)" = 0 ] && return 0
  case " $(id -nG 2>/dev/null) " in *" docker "*) return 0 ;; esac
  return 2
}

# need_daemon API_PATH [METHOD]: exit like the real CLI when the daemon cannot be used.
need_daemon() {
  daemon_state
  case $? in
    1) err "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"; exit 1 ;;
    2) err "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: ${2:-Get} \"http://%2Fvar%2Frun%2Fdocker.sock/v$API/$1\": dial unix /var/run/docker.sock: connect: permission denied"; exit 1 ;;
  esac
}

# docker-compose v1 (docker-py) has its own wording.
need_daemon_v1() {
  daemon_state
  case $? in
    1) err "Traceback (most recent call last):"
       err "  File \"docker/api/client.py\", line 214, in _retrieve_server_version"
       err "docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))"
       err "[$$] Failed to execute script docker-compose"
       exit 1 ;;
    2) err "Traceback (most recent call last):"
       err "  File \"docker/api/client.py\", line 214, in _retrieve_server_version"
       err "docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', PermissionError(13, 'Permission denied'))"
       err "[$$] Failed to execute script docker-compose"
       exit 1 ;;
  esac
}

touch "$C" "$N" 2>/dev/null

hash_of() { printf '%s' "$1" | sha256sum | cut -c1-64; }
short_id() { hash_of "$1" | cut -c1-12; }

rewrite() { # rewrite FILE AWK-PROGRAM NAME: keep the lines the program prints
  _t=$(mktemp "$S/.tmp.XXXXXX") || return 1
  awk -F'\t' -v n="$3" "$2" "$1" > "$_t"
  cat "$_t" > "$1"
  rm -f "$_t"
}

c_line() { awk -F'\t' -v n="$1" '$1 == n' "$C"; }
c_exists() { [ -n "$(c_line "$1")" ]; }
c_field() { c_line "$1" | cut -f"$2"; }
c_del() { rewrite "$C" '$1 != n' "$1"; }
c_put() { c_del "$1"; printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${3:--}" "${4:--}" "${5:--}" >> "$C"; }
# in place: the file lists containers oldest first, and `docker ps` shows the newest first
c_set_state() {
  c_exists "$1" || return 1
  _t=$(mktemp "$S/.tmp.XXXXXX") || return 1
  awk -F'\t' -v OFS='\t' -v n="$1" -v st="$2" '$1 == n { $2 = st } { print }' "$C" > "$_t"
  cat "$_t" > "$C"
  rm -f "$_t"
}
# resolve a name, /name or id prefix to a container name
c_resolve() {
  _n=${1#/}
  if c_exists "$_n"; then printf '%s\n' "$_n"; return 0; fi
  [ ${#_n} -ge 3 ] || return 1
  while IFS="$TAB" read -r _name _rest; do
    case "$(hash_of "container:$_name")" in "$_n"*) printf '%s\n' "$_name"; return 0 ;; esac
  done < "$C"
  return 1
}
c_id() { hash_of "container:$1"; }

# ---------------------------------------------------------------- running containers
# Compose services whose image the harness knows really run, as processes on the host, so
# that a deploy leaves a live app and sidecar for the program to inspect:
#   litestream/litestream[:tag]  its healthcheck test, then its command in the background,
#                                through litestream-run.sh --container (the real Litestream,
#                                container paths mapped to the volume dirs)
#   ghcr.io/…                    the app: sqlite3 writes a row a second into the db on its
#                                volume; with --AppTasks=migrate it creates the tables, exits
# Other images only change state, as before. Per container, $S/ctr/NAME holds:
#   pid       leader of the container's process group (stop kills the whole group)
#   started   .State.StartedAt, RFC3339Nano UTC; health: healthy|unhealthy (with a healthcheck)
#   log       "TIMESTAMP line" per line of output (stdout and stderr), for `docker logs`
#   run       the process, as a shell script; env, mounts, cmd, healthcheck: its inputs
# Named volumes are $S/volumes/PROJECT_VOLUME/_data (DIR/state/volumes/… from outside).
CT="$S/ctr"
stamp() { date -u +%Y-%m-%dT%H:%M:%S.%NZ; }
ctr_pid() { cat "$CT/$1/pid" 2>/dev/null; }
# The process may be another user's: look in /proc rather than kill -0.
ctr_alive() { _p=$(ctr_pid "$1") && [ -n "$_p" ] && [ -d "/proc/$_p" ]; }

# Prefixes each line read with the time it was read at.
stamp_lines() { while IFS= read -r _l; do printf '%s %s\n' "$(stamp)" "$_l"; done; }

# ctr_launch NAME: $CT/NAME/run in the background, in a session of its own (it outlives this
# call and the SSH session), holding none of our descriptors (fd 9 is the state lock; an open
# stdout would keep the ssh client waiting).
ctr_launch() {
  _d="$CT/$1"
  rm -f "$_d/pid"
  stamp > "$_d/started"
  setsid sh -c 'echo $$ > "$1/pid"; sh "$1/run" 2>&1 | '"$(stamp_fn)"' >> "$1/log"' ctr "$_d" \
    < /dev/null > /dev/null 2>&1 9>&- &
  _i=0
  while [ ! -s "$_d/pid" ] && [ $_i -lt 100 ]; do sleep 0.02; _i=$((_i + 1)); done
}
# stamp_lines as a one-liner for the launched sh (which has not got our functions).
stamp_fn() { printf '%s' 'while IFS= read -r l; do printf "%s %s\n" "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" "$l"; done'; }

# ctr_stop NAME: SIGTERM to the group (Litestream syncs once more on it), SIGKILL after 5 s.
ctr_stop() {
  _p=$(ctr_pid "$1") || return 0
  [ -n "$_p" ] || return 0
  rm -f "$CT/$1/pid"
  kill -s TERM -- "-$_p" 2>/dev/null || return 0
  _i=0
  while kill -s 0 -- "-$_p" 2>/dev/null && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
  kill -s KILL -- "-$_p" 2>/dev/null
  return 0
}

# A container whose process ended by itself is exited, as Docker reports it.
ctr_refresh() {
  [ -d "$CT" ] || return 0
  for _d in "$CT"/*; do
    [ -f "$_d/pid" ] || continue
    _n=${_d##*/}
    ctr_alive "$_n" && continue
    rm -f "$_d/pid"
    [ "$(c_field "$_n" 2)" = running ] && c_set_state "$_n" exited
  done
  return 0
}

# docker start/restart of a container that has a process: run it again.
ctr_relaunch() { [ -f "$CT/$1/run" ] || return 0; ctr_stop "$1"; ctr_launch "$1"; }

# --- compose side: these read $model, $project and $pdir of compose_main.
m_recs() { printf '%s\n' "$model" | awk -F'\t' -v t="$1" -v s="$2" '$1 == t && $2 == s'; }
m_text() { m_recs "$1" "$2" | cut -f3- | awk 'NR > 1 { printf " " } { printf "%s", $0 } END { if (NR) print "" }'; }
# the container name compose gives SERVICE
m_cname() {
  _c=$(m_recs S "$1" | cut -f3)
  if [ -n "$_c" ] && [ "$_c" != - ]; then printf '%s\n' "$_c"; else printf '%s\n' "${project}${sep}$1${sep}1"; fi
}
# host dir of a volume source (named volume, absolute or relative path)
vol_dir() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    .*) printf '%s\n' "$pdir/${1#./}" ;;
    *) printf '%s\n' "$S/volumes/${project}_$1/_data" ;;
  esac
}
# The file the app writes: the name its sidecar (a service mounting the same volume) uses
# after its mount point, e.g. /data/MyApp.sqlite (web) or /data/app.db (jamstack).
app_db_name() {
  _n=$(printf '%s\n' "$model" | awk -F'\t' -v s="$1" '
    $1 == "V" { n++; vs[n] = $2; vsrc[n] = $3; vt[n] = $4; if ($2 == s) mine[$3] = 1 }
    $1 == "C" || $1 == "H" { txt[$2] = txt[$2] " " $3 }
    END {
      for (i = 1; i <= n; i++) {
        if (vs[i] == s || !(vsrc[i] in mine)) continue
        x = txt[vs[i]]; j = index(x, vt[i] "/")
        if (j) { x = substr(x, j + length(vt[i]) + 1); sub(/[ \t].*/, "", x); print x; exit }
      }
    }')
  printf '%s\n' "${_n:-MyApp.sqlite}"
}

# What the app's tables are; the migration creates them, the app makes sure of them.
APP_SCHEMA="PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS Booking (Id INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT NOT NULL, Cost REAL NOT NULL, CreatedDate TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS Migration (Id INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT NOT NULL, CreatedDate TEXT NOT NULL);"

# ctr_prepare NAME SERVICE: the container dir, its mounts (creating the volume dirs) and env.
ctr_prepare() {
  _d="$CT/$1"
  rm -rf "$_d"
  mkdir -p "$CT" "$_d/home" && chmod 777 "$CT" 2>/dev/null
  m_recs V "$2" | while IFS="$TAB" read -r _t _s _src _tgt; do
    _h=$(vol_dir "$_src")
    mkdir -p "$_h"
    printf '%s %s\n' "$_tgt" "$_h"
  done > "$_d/mounts"
  # the environment holds the storage keys: for the caller only, as `docker inspect` would be
  ( umask 077; m_recs E "$2" | awk -F'\t' '{ print $3 "=" $4 }' > "$_d/env" )
}

# ctr_kind IMAGE SERVICE: litestream | migrate | app | none
ctr_kind() {
  case "$1" in
    litestream/litestream|litestream/litestream:*|docker.io/litestream/litestream*) echo litestream ;;
    ghcr.io/*) case " $(m_text C "$2") " in *" --AppTasks=migrate "*) echo migrate ;; *) echo app ;; esac ;;
    *) echo none ;;
  esac
}

# ctr_deps_ok SERVICE: every `condition: service_healthy` dependency is healthy; else says
# what Compose says and fails.
ctr_deps_ok() {
  for _dep in $(m_recs D "$1" | awk -F'\t' '{ c[$3] = $4 } END { for (d in c) if (c[d] == "service_healthy") print d }'); do
    _dc=$(m_cname "$_dep")
    [ "$mode" = v2 ] && err " Container $_dc  Waiting"
    if [ "$(cat "$CT/$_dc/health" 2>/dev/null)" = healthy ] && ctr_alive "$_dc"; then
      [ "$mode" = v2 ] && err " Container $_dc  Healthy"
    else
      [ "$mode" = v2 ] && err " Container $_dc  Error"
      if [ "$mode" = v2 ]; then err "dependency failed to start: container $_dc is unhealthy"
      else err "ERROR: for $1  Container \"$(c_id "$_dc" | cut -c1-12)\" is unhealthy."; fi
      return 1
    fi
  done
  return 0
}

# ctr_start NAME SERVICE IMAGE: runs the container's process, if it has one. The migration
# runs to its end here (as `up SERVICE` without -d waits for it) and leaves it exited.
ctr_start() {
  _k=$(ctr_kind "$3" "$2")
  [ "$_k" = none ] && { mkdir -p "$CT/$1" && stamp > "$CT/$1/started"; return 0; }
  ctr_prepare "$1" "$2"
  _d="$CT/$1"
  case "$_k" in
    litestream)
      # /usr/local/bin/litestream is where the image has it; here the wrapper is on PATH.
      m_text C "$2" | sed 's#/usr/local/bin/litestream#litestream#g' > "$_d/cmd"
      m_text H "$2" | sed 's#/usr/local/bin/litestream#litestream#g' > "$_d/healthcheck"
      printf 'exec sh %s --container %s %s\n' "$S/litestream-run.sh" "$_d" "$_d/cmd" > "$_d/run"
      # Docker probes while the command runs; here the probe (a restore) goes first, so that
      # Litestream has not created the database before the restore looks for it.
      if [ -s "$_d/healthcheck" ]; then
        if sh "$S/litestream-run.sh" --container "$_d" "$_d/healthcheck" > "$_d/health.log" 2>&1 9>&-
        then echo healthy > "$_d/health"; else echo unhealthy > "$_d/health"; fi
      fi
      ctr_launch "$1" ;;
    app|migrate)
      _db="$(awk '$1 == "/app/App_Data" { print $2; exit }' "$_d/mounts")"
      [ -n "$_db" ] || _db="$_d/App_Data"
      mkdir -p "$_db"
      _db="$_db/$(app_db_name "$2")"
      {
        printf 'db=%s\n' "'$_db'"
        printf 'schema=%s\n' "'$APP_SCHEMA'"
        if [ "$_k" = migrate ]; then
          cat <<'APP'
sqlite3 "$db" "$schema" > /dev/null || exit 1
sqlite3 "$db" "INSERT INTO Migration (Name, CreatedDate) VALUES ('Migration1000', datetime('now'))" || exit 1
echo "info: Migrations ran on ${db##*/}"
APP
        else
          cat <<'APP'
sqlite3 -cmd '.timeout 5000' "$db" "$schema" > /dev/null || exit 1
echo "info: Microsoft.Hosting.Lifetime[14] Now listening on: http://[::]:80"
i=0
while :; do
  i=$((i + 1))
  sqlite3 -cmd '.timeout 5000' "$db" "INSERT INTO Booking (Name, Cost, CreatedDate) VALUES ('Booking $i', $i.5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))" && echo "info: saved Booking $i"
  sleep 1
done
APP
        fi
      } > "$_d/run"
      if [ "$_k" = migrate ]; then
        stamp > "$_d/started"
        { sh "$_d/run" 2>&1; echo $? > "$_d/exit"; } 9>&- | stamp_lines >> "$_d/log"
        sed 's/^[^ ]* //' "$_d/log" | sed "s/^/$1  | /"
        [ "$mode" = v2 ] && echo "$1 exited with code $(cat "$_d/exit")"
        return "$(cat "$_d/exit")"
      fi
      ctr_launch "$1" ;;
  esac
  return 0
}


n_builtin() { case "$1" in bridge|host|none) return 0 ;; esac; return 1; }
n_exists() { n_builtin "$1" || [ -n "$(awk -F'\t' -v n="$1" '$1 == n' "$N")" ]; }
n_del() { rewrite "$N" '$1 != n' "$1"; }
n_put() { n_del "$1"; printf '%s\t%s\t%s\n' "$1" "${2:--}" "${3:-bridge}" >> "$N"; }
n_all() { printf 'bridge\t-\tbridge\nhost\t-\thost\nnone\t-\tnull\n'; cat "$N"; }
n_id() { hash_of "network:$1"; }

status_text() {
  case "$1" in
    running) echo "Up 2 minutes" ;;
    exited) echo "Exited (0) 2 minutes ago" ;;
    *) echo "Created" ;;
  esac
}

# render FORMAT TOKEN VALUE [TOKEN VALUE...]: a tiny subset of Go templates.
# TOKEN is the template's inside, e.g. ".Names" or 'index .Config.Labels "x"'.
render() {
  awk '
    function rep(s, a, b,   i, out) {
      out = ""
      while ((i = index(s, a)) > 0) { out = out substr(s, 1, i - 1) b; s = substr(s, i + length(a)) }
      return out s
    }
    BEGIN {
      f = ARGV[1]
      gsub(/\{\{-? +/, "{{", f); gsub(/ +-?\}\}/, "}}", f)
      if (substr(f, 1, 5) == "table") { f = substr(f, 6); sub(/^ +/, "", f) }
      for (i = 2; i + 1 < ARGC; i += 2) {
        f = rep(f, "{{json " ARGV[i] "}}", "\"" ARGV[i + 1] "\"")
        f = rep(f, "{{" ARGV[i] "}}", ARGV[i + 1])
      }
      f = rep(f, "\\t", "\t"); f = rep(f, "\\n", "\n")
      while (match(f, /\{\{[^}]*\}\}/)) f = substr(f, 1, RSTART - 1) "<no value>" substr(f, RSTART + RLENGTH)
      print f
      exit 0
    }' "$@"
}
is_table() { case "$1" in table*) return 0 ;; esac; return 1; }

usage() {
  cat <<'EOF'

Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers

Common Commands:
  run         Create and run a new container from an image
  exec        Execute a command in a running container
  ps          List containers
  build       Build an image from a Dockerfile
  pull        Download an image from a registry
  push        Upload an image to a registry
  images      List images
  login       Authenticate to a registry
  logout      Log out from a registry
  search      Search Docker Hub for images
  version     Show the Docker version information
  info        Display system-wide information

Management Commands:
  compose*    Docker Compose
  container   Manage containers
  image       Manage images
  network     Manage networks
  system      Manage Docker
  volume      Manage volumes

Run 'docker COMMAND --help' for more information on a command.
EOF
}

# ---------------------------------------------------------------- docker version / info
client_block() {
  cat <<EOF
Client: Docker Engine - Community
 Version:           $VERSION
 API version:       $API
 Go version:        go1.22.7
 Git commit:        $BUILD
 Built:             Fri Sep 20 11:41:00 2024
 OS/Arch:           linux/amd64
 Context:           default
EOF
}
server_block() {
  cat <<EOF

Server: Docker Engine - Community
 Engine:
  Version:          $VERSION
  API version:      $API (minimum version 1.24)
  Go version:       go1.22.7
  Git commit:       41ca978
  Built:            Fri Sep 20 11:41:00 2024
  OS/Arch:          linux/amd64
  Experimental:     false
 containerd:
  Version:          1.7.22
  GitCommit:        7f7fdf5fed64eb6a7caf99b3e12efcf9d60e311c
 runc:
  Version:          1.1.14
  GitCommit:        v1.1.14-0-g2c9f560
 docker-init:
  Version:          0.19.0
  GitCommit:        de40ad0
EOF
}
CLIENT_JSON="{\"Platform\":{\"Name\":\"Docker Engine - Community\"},\"Version\":\"$VERSION\",\"ApiVersion\":\"$API\",\"DefaultAPIVersion\":\"$API\",\"GitCommit\":\"$BUILD\",\"GoVersion\":\"go1.22.7\",\"Os\":\"linux\",\"Arch\":\"amd64\",\"BuildTime\":\"Fri Sep 20 11:41:00 2024\",\"Context\":\"default\"}"
SERVER_JSON="{\"Platform\":{\"Name\":\"Docker Engine - Community\"},\"Version\":\"$VERSION\",\"ApiVersion\":\"$API\",\"MinAPIVersion\":\"1.24\",\"GitCommit\":\"41ca978\",\"GoVersion\":\"go1.22.7\",\"Os\":\"linux\",\"Arch\":\"amd64\"}"

cmd_version() {
  fmt=""
  while [ $# -gt 0 ]; do
    case "$1" in
      -f|--format) fmt=$2; shift; [ $# -eq 0 ] || shift ;;
      --format=*) fmt=${1#--format=}; shift ;;
      -f*) fmt=${1#-f}; shift ;;
      *) shift ;;
    esac
  done
  daemon_state; ds=$?
  if [ -z "$fmt" ]; then
    client_block
    if [ $ds = 0 ]; then server_block; exit 0; fi
    need_daemon version
  fi
  case "$fmt" in
    *.Server*|*"json ."*) need_daemon version ;;
  esac
  render "$fmt" \
    "json ." "{\"Client\":$CLIENT_JSON,\"Server\":$SERVER_JSON}" \
    ".Client.Version" "$VERSION" ".Client.APIVersion" "$API" ".Client.ApiVersion" "$API" \
    ".Client.GitCommit" "$BUILD" ".Client.Os" linux ".Client.Arch" amd64 ".Client.GoVersion" go1.22.7 \
    ".Server.Version" "$VERSION" ".Server.APIVersion" "$API" ".Server.ApiVersion" "$API" \
    ".Server.MinAPIVersion" "1.24" ".Server.Os" linux ".Server.Arch" amd64 ".Server.GitCommit" 41ca978
  [ $ds = 0 ] || need_daemon version
  exit 0
}

cmd_info() {
  fmt=""
  while [ $# -gt 0 ]; do
    case "$1" in
      -f|--format) fmt=$2; shift; [ $# -eq 0 ] || shift ;;
      --format=*) fmt=${1#--format=}; shift ;;
      *) shift ;;
    esac
  done
  running=$(awk -F'\t' '$2 == "running"' "$C" | wc -l | tr -d ' ')
  total=$(wc -l < "$C" | tr -d ' ')
  stopped=$((total - running))
  if [ -n "$fmt" ]; then
    need_daemon info
    render "$fmt" \
      "json ." "{\"ServerVersion\":\"$VERSION\",\"Containers\":$total,\"ContainersRunning\":$running,\"ContainersStopped\":$stopped,\"Driver\":\"overlay2\",\"OperatingSystem\":\"Debian GNU/Linux 12 (bookworm)\",\"OSType\":\"linux\",\"Architecture\":\"x86_64\",\"Name\":\"$(hostname)\"}" \
      ".ServerVersion" "$VERSION" ".Containers" "$total" ".ContainersRunning" "$running" \
      ".ContainersStopped" "$stopped" ".Driver" overlay2 ".OperatingSystem" "Debian GNU/Linux 12 (bookworm)" \
      ".OSType" linux ".Architecture" x86_64 ".Name" "$(hostname)" ".DockerRootDir" /var/lib/docker
    exit 0
  fi
  cat <<EOF
Client: Docker Engine - Community
 Version:    $VERSION
 Context:    default
 Debug Mode: false
 Plugins:
  compose: Docker Compose (Docker Inc.)
    Version:  v$COMPOSE_VERSION
    Path:     /usr/libexec/docker/cli-plugins/docker-compose

EOF
  daemon_state; ds=$?
  if [ $ds != 0 ]; then
    echo "Server:"
    if [ $ds = 1 ]; then
      echo "ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
    else
      echo "ERROR: permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v$API/info\": dial unix /var/run/docker.sock: connect: permission denied"
    fi
    echo "errors pretty printing info" >&2
    exit 1
  fi
  cat <<EOF
Server:
 Containers: $total
  Running: $running
  Paused: 0
  Stopped: $stopped
 Images: $total
 Server Version: $VERSION
 Storage Driver: overlay2
 Logging Driver: json-file
 Cgroup Driver: systemd
 Kernel Version: $(uname -r)
 Operating System: Debian GNU/Linux 12 (bookworm)
 OSType: linux
 Architecture: x86_64
 Name: $(hostname)
 Docker Root Dir: /var/lib/docker
EOF
  exit 0
}

# ---------------------------------------------------------------- containers
# ps_filter ALL(0/1) FILTERS(newline-separated key=value) -> container lines
ps_select() {
  awk -F'\t' -v all="$1" -v filters="$2" '
    BEGIN { nf = split(filters, F, "\n") }
    {
      if (!all && $2 != "running") next
      okname = 1; hasname = 0; ok = 1
      for (i = 1; i <= nf; i++) {
        if (F[i] == "") continue
        k = F[i]; v = F[i]; sub(/=.*/, "", k); sub(/^[^=]*=/, "", v)
        if (k == "name") { hasname = 1; if ($1 ~ v) matched = 1 }
        else if (k == "status") { if ($2 != v) ok = 0 }
        else if (k == "label") {
          if (v ~ /^com\.docker\.compose\.project=/) { p = v; sub(/^[^=]*=/, "", p); if ($3 != p) ok = 0 }
          else if (v ~ /^com\.docker\.compose\.service=/) { p = v; sub(/^[^=]*=/, "", p); if ($5 != p) ok = 0 }
          else if (v == "com.docker.compose.project") { if ($3 == "-") ok = 0 }
        }
      }
      if (hasname && !matched) ok = 0
      matched = 0
      if (ok) out[++n] = $0
    }
    END { for (i = n; i >= 1; i--) print out[i] }' "$C"
}

cmd_ps() {
  all=0; fmt=""; quiet=0; filters=""
  while [ $# -gt 0 ]; do
    case "$1" in
      -a|--all) all=1; shift ;;
      -q|--quiet) quiet=1; shift ;;
      -aq|-qa) all=1; quiet=1; shift ;;
      --format) fmt=$2; shift; [ $# -eq 0 ] || shift ;;
      --format=*) fmt=${1#--format=}; shift ;;
      -f|--filter) filters="$filters$NL$2"; shift; [ $# -eq 0 ] || shift ;;
      --filter=*) filters="$filters$NL${1#--filter=}"; shift ;;
      -n|--last) shift; [ $# -eq 0 ] || shift ;;
      *) shift ;;
    esac
  done
  need_daemon "containers/json"
  rows=$(ps_select "$all" "$filters")
  if [ "$quiet" = 1 ]; then
    printf '%s\n' "$rows" | while IFS="$TAB" read -r name state project image service; do
      [ -n "$name" ] && short_id "container:$name"
    done
    exit 0
  fi
  if [ -z "$fmt" ]; then
    printf 'CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS         PORTS     NAMES\n'
    printf '%s\n' "$rows" | while IFS="$TAB" read -r name state project image service; do
      [ -n "$name" ] || continue
      printf '%s   %s   "/docker-entrypoint.…"   2 minutes ago   %s             %s\n' \
        "$(short_id "container:$name")" "$image" "$(status_text "$state")" "$name"
    done
    exit 0
  fi
  if is_table "$fmt"; then
    render "$fmt" .Names NAMES .Names NAMES .ID "CONTAINER ID" .Image IMAGE .Status STATUS .State STATE \
      .Command COMMAND .Ports PORTS .CreatedAt "CREATED AT" .RunningFor CREATED .Labels LABELS
  fi
  printf '%s\n' "$rows" | while IFS="$TAB" read -r name state project image service; do
    [ -n "$name" ] || continue
    render "$fmt" .Names "$name" .ID "$(short_id "container:$name")" .Image "$image" \
      .Status "$(status_text "$state")" .State "$state" .Command '"/docker-entrypoint.…"' .Ports "" \
      .RunningFor "2 minutes ago" .CreatedAt "2024-10-01 12:00:00 +0000 UTC" \
      'json .' "{\"Names\":\"$name\",\"ID\":\"$(short_id "container:$name")\",\"Image\":\"$image\",\"State\":\"$state\",\"Status\":\"$(status_text "$state")\"}" \
      'label "com.docker.compose.project"' "$project" 'label "com.docker.compose.service"' "$service" \
      .Labels "com.docker.compose.project=$project,com.docker.compose.service=$service"
  done
  exit 0
}

container_json() {
  _name=$1; _state=$(c_field "$_name" 2); _project=$(c_field "$_name" 3); _image=$(c_field "$_name" 4); _service=$(c_field "$_name" 5)
  _running=false; [ "$_state" = running ] && _running=true
  cat <<EOF
    {
        "Id": "$(c_id "$_name")",
        "Created": "2024-10-01T12:00:00.000000000Z",
        "Name": "/$_name",
        "State": {
            "Status": "$_state",
            "Running": $_running,
            "Paused": false,
            "Restarting": false,
            "ExitCode": 0,
            "StartedAt": "$(cat "$CT/$_name/started" 2>/dev/null || echo 0001-01-01T00:00:00Z)"$(
              [ -f "$CT/$_name/health" ] && printf ',\n            "Health": { "Status": "%s", "FailingStreak": 0, "Log": [] }' "$(cat "$CT/$_name/health")")
        },
        "Config": {
            "Image": "$_image",
            "Labels": {
                "com.docker.compose.project": "$_project",
                "com.docker.compose.service": "$_service"
            }
        }
    }
EOF
}
network_json() {
  cat <<EOF
    {
        "Name": "$1",
        "Id": "$(n_id "$1")",
        "Scope": "local",
        "Driver": "$2",
        "Labels": {}
    }
EOF
}

# if_health FORMAT HEALTH: resolves `{{if .State.Health}}A{{else}}B{{end}}` (render has no
# conditionals): A for a container with a healthcheck, B (or nothing) otherwise.
if_health() {
  printf '%s\n' "$1" | sed 's/{{-\{0,1\} */{{/g; s/ *-\{0,1\}}}/}}/g' | awk -v h="$2" '
    { while ((i = index($0, "{{if .State.Health}}")) > 0) {
        pre = substr($0, 1, i - 1); rest = substr($0, i + 20)
        e = index(rest, "{{end}}"); body = substr(rest, 1, e - 1); post = substr(rest, e + 7)
        el = index(body, "{{else}}")
        if (el) { a = substr(body, 1, el - 1); b = substr(body, el + 8) } else { a = body; b = "" }
        $0 = pre (h != "" ? a : b) post
      }
      print }'
}

# cmd_inspect KIND(any|container|network) ARGS...
cmd_inspect() {
  kind=$1; shift
  fmt=""; names=""
  while [ $# -gt 0 ]; do
    case "$1" in
      -f|--format) fmt=$2; shift; [ $# -eq 0 ] || shift ;;
      --format=*) fmt=${1#--format=}; shift ;;
      --type) [ "$2" = container ] && kind=container; [ "$2" = network ] && kind=network; shift; [ $# -eq 0 ] || shift ;;
      --type=*) kind=${1#--type=}; shift ;;
      -s|--size|-v|--verbose) shift ;;
      *) names="$names$NL$1"; shift ;;
    esac
  done
  case "$kind" in
    network) need_daemon "networks/${names##*$NL}" ;;
    *) need_daemon "containers/${names##*$NL}/json" ;;
  esac
  rc=0; first=1; out=""
  set -f; _ifs=$IFS; IFS=$NL
  for arg in $names; do
    IFS=$_ifs
    [ -n "$arg" ] || continue
    cname=""; nname=""
    if [ "$kind" != network ]; then cname=$(c_resolve "$arg") || cname=""; fi
    if [ -z "$cname" ] && [ "$kind" != container ] && n_exists "$arg"; then nname=$arg; fi
    if [ -n "$cname" ]; then
      st=$(c_field "$cname" 2); running=false; [ "$st" = running ] && running=true
      health=$(cat "$CT/$cname/health" 2>/dev/null)
      started=$(cat "$CT/$cname/started" 2>/dev/null) || started=0001-01-01T00:00:00Z
      if [ -n "$fmt" ]; then
        render "$(if_health "$fmt" "$health")" .State.Running "$running" .State.Status "$st" .Name "/$cname" .Id "$(c_id "$cname")" \
          .State.Health.Status "$health" .State.StartedAt "$started" \
          .ID "$(c_id "$cname")" .Config.Image "$(c_field "$cname" 4)" .Image "sha256:$(hash_of "image:$(c_field "$cname" 4)")" \
          'index .Config.Labels "com.docker.compose.project"' "$(c_field "$cname" 3)" \
          'index .Config.Labels "com.docker.compose.service"' "$(c_field "$cname" 5)" \
          .State.ExitCode 0 .RestartCount 0 .Created "2024-10-01T12:00:00.000000000Z"
      else
        [ $first = 1 ] && echo "[" || echo "    ,"
        first=0
        container_json "$cname"
      fi
    elif [ -n "$nname" ]; then
      drv=$(n_all | awk -F'\t' -v n="$nname" '$1 == n { print $3; exit }')
      if [ -n "$fmt" ]; then
        render "$fmt" .Name "$nname" .Id "$(n_id "$nname")" .ID "$(n_id "$nname")" .Driver "$drv" .Scope local
      else
        [ $first = 1 ] && echo "[" || echo "    ,"
        first=0
        network_json "$nname" "$drv"
      fi
    else
      rc=1
      case "$kind" in
        container) err "Error response from daemon: No such container: $arg" ;;
        network) err "Error response from daemon: network $arg not found" ;;
        *) err "Error: No such object: $arg" ;;
      esac
    fi
    IFS=$NL
  done
  IFS=$_ifs; set +f
  if [ -z "$fmt" ]; then
    if [ $first = 1 ]; then echo "[]"; else echo "]"; fi
  fi
  exit $rc
}

# cmd_lifecycle ACTION NAMES... (start stop restart kill rm)
cmd_lifecycle() {
  action=$1; shift
  force=0; names=""
  while [ $# -gt 0 ]; do
    case "$1" in
      -f|--force) force=1; shift ;;
      -t|--time|--timeout|-s|--signal) shift; [ $# -eq 0 ] || shift ;;
      -*) shift ;;
      *) names="$names $1"; shift ;;
    esac
  done
  set -- $names
  need_daemon "containers/$1/$action" Post
  rc=0
  for arg in "$@"; do
    cname=$(c_resolve "$arg") || { err "Error response from daemon: No such container: $arg"; rc=1; continue; }
    st=$(c_field "$cname" 2)
    case "$action" in
      start|restart) [ "$action" = start ] && [ "$st" = running ] || ctr_relaunch "$cname"; c_set_state "$cname" running ;;
      stop|kill) ctr_stop "$cname"; c_set_state "$cname" exited ;;
      rm)
        if [ "$st" = running ] && [ $force = 0 ]; then
          err "Error response from daemon: cannot remove container \"/$cname\": container is running: stop the container before removing or force remove"
          rc=1; continue
        fi
        ctr_stop "$cname"; rm -rf "${CT:?}/$cname"
        c_del "$cname" ;;
    esac
    printf '%s\n' "$arg"
  done
  exit $rc
}

# docker logs [--since T] [-t] [-n N] NAME: the container's output (stdout and stderr, on
# stdout here), lines stamped at or after T (RFC3339, Unix seconds, or 10s/5m/2h ago).
cmd_logs() {
  since=""; tsout=0; tail=""; name=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --since) since=${2:-}; shift; [ $# -eq 0 ] || shift ;;
      --since=*) since=${1#--since=}; shift ;;
      -n|--tail) tail=${2:-}; shift; [ $# -eq 0 ] || shift ;;
      --tail=*) tail=${1#--tail=}; shift ;;
      --until) shift; [ $# -eq 0 ] || shift ;;
      -t|--timestamps) tsout=1; shift ;;
      -*) shift ;;
      *) name=$1; shift ;;
    esac
  done
  need_daemon "containers/$name/logs"
  cname=$(c_resolve "$name") || { err "Error response from daemon: No such container: $name"; exit 1; }
  from=""
  if [ -n "$since" ]; then
    case "$since" in
      *[!0-9.]*) case "$since" in
          [0-9]*[smh]) _u=${since##*[0-9]}; _v=${since%?}
            case "$_u" in s) _u=seconds ;; m) _u=minutes ;; h) _u=hours ;; esac
            from=$(date -u -d "-$_v $_u" +%Y-%m-%dT%H:%M:%S.%NZ 2>/dev/null) ;;
          *) from=$(date -u -d "$since" +%Y-%m-%dT%H:%M:%S.%NZ 2>/dev/null) ;;
        esac ;;
      *) from=$(date -u -d "@$since" +%Y-%m-%dT%H:%M:%S.%NZ 2>/dev/null) ;;
    esac
    [ -n "$from" ] || { err "invalid value for \"since\": failed to parse value as time or duration: \"$since\""; exit 1; }
  fi
  [ -f "$CT/$cname/log" ] || exit 0
  awk -v from="$from" -v ts="$tsout" '
    from != "" && $1 < from { next }
    { if (!ts) sub(/^[^ ]* /, ""); print }' "$CT/$cname/log" |
    if [ -n "$tail" ] && [ "$tail" != all ]; then tail -n "$tail"; else cat; fi
  exit 0
}

# ---------------------------------------------------------------- networks
cmd_network() {
  sub=${1:-}; [ $# -gt 0 ] && shift
  case "$sub" in
    ls|list)
      fmt=""; quiet=0; filters=""
      while [ $# -gt 0 ]; do
        case "$1" in
          --format) fmt=$2; shift; [ $# -eq 0 ] || shift ;;
          --format=*) fmt=${1#--format=}; shift ;;
          -q|--quiet) quiet=1; shift ;;
          -f|--filter) filters="$filters$NL$2"; shift; [ $# -eq 0 ] || shift ;;
          --filter=*) filters="$filters$NL${1#--filter=}"; shift ;;
          *) shift ;;
        esac
      done
      need_daemon networks
      namere=$(printf '%s\n' "$filters" | sed -n 's/^name=//p' | head -n 1)
      [ -z "$fmt" ] && [ $quiet = 0 ] && printf 'NETWORK ID     NAME      DRIVER    SCOPE\n'
      is_table "$fmt" && render "$fmt" .Name NAME .ID "NETWORK ID" .Driver DRIVER .Scope SCOPE
      n_all | while IFS="$TAB" read -r name project driver; do
        [ -n "$name" ] || continue
        if [ -n "$namere" ]; then printf '%s\n' "$name" | grep -Eq -- "$namere" || continue; fi
        id=$(n_id "$name" | cut -c1-12)
        if [ $quiet = 1 ]; then echo "$id"
        elif [ -z "$fmt" ]; then printf '%s   %-9s %-9s local\n' "$id" "$name" "$driver"
        else render "$fmt" .Name "$name" .ID "$id" .Driver "$driver" .Scope local \
          'json .' "{\"Name\":\"$name\",\"ID\":\"$id\",\"Driver\":\"$driver\",\"Scope\":\"local\"}"
        fi
      done
      exit 0 ;;
    create)
      name=""; driver=bridge
      while [ $# -gt 0 ]; do
        case "$1" in
          -d|--driver) driver=$2; shift; [ $# -eq 0 ] || shift ;;
          --driver=*) driver=${1#--driver=}; shift ;;
          --subnet|--gateway|--ip-range|--label|-o|--opt|--scope|--ipam-driver|--aux-address) shift; [ $# -eq 0 ] || shift ;;
          -*) shift ;;
          *) name=$1; shift ;;
        esac
      done
      need_daemon networks/create Post
      if [ -z "$name" ]; then err "\"docker network create\" requires exactly 1 argument."; exit 1; fi
      if n_exists "$name"; then err "Error response from daemon: network with name $name already exists"; exit 1; fi
      n_put "$name" "" "$driver"
      n_id "$name"
      exit 0 ;;
    rm|remove)
      need_daemon "networks/$1" Delete
      rc=0
      for name in "$@"; do
        case "$name" in -*) continue ;; esac
        if n_builtin "$name"; then err "Error response from daemon: $name is a pre-defined network and cannot be removed"; rc=1
        elif n_exists "$name"; then n_del "$name"; echo "$name"
        else err "Error response from daemon: network $name not found"; rc=1; fi
      done
      exit $rc ;;
    inspect) cmd_inspect network "$@" ;;
    connect|disconnect|prune)
      need_daemon networks Post
      exit 0 ;;
    *)
      cat <<'EOF'

Usage:  docker network COMMAND

Manage networks

Commands:
  connect     Connect a container to a network
  create      Create a network
  disconnect  Disconnect a container from a network
  inspect     Display detailed information on one or more networks
  ls          List networks
  prune       Remove all unused networks
  rm          Remove one or more networks

Run 'docker network COMMAND --help' for more information on a command.
EOF
      exit 0 ;;
  esac
}

# ---------------------------------------------------------------- compose (v2 plugin and v1)
# parse_compose MODE ENVFILE FILE...: reads compose files (a YAML subset, with ${VAR}
# interpolation from the environment and ENVFILE) into records; "-" marks an empty field:
#   P<TAB>name                                           top-level name:
#   S<TAB>service<TAB>container_name<TAB>image<TAB>profiles(a,b)<TAB>network_mode
#   N<TAB>key<TAB>name<TAB>external(true|false)
# and, for running containers (ctr_* below), per service:
#   V<TAB>service<TAB>source<TAB>target                  volumes: (named volume or path)
#   E<TAB>service<TAB>NAME<TAB>value                     environment: (map or list form)
#   C<TAB>service<TAB>text                               command: (list items one per record)
#   H<TAB>service<TAB>text                               healthcheck: test: (shell form)
#   D<TAB>service<TAB>dependency<TAB>condition           depends_on: (the last one counts)
# Warnings (unset variables, obsolete `version`) go to stderr like the real tools print them.
parse_compose() {
  _mode=$1; _envfile=$2; shift 2
  _tty=0; [ -t 2 ] && _tty=1
  awk -v mode="$_mode" -v envfile="$_envfile" -v tty="$_tty" -v now="$(date -u +%Y-%m-%dT%H:%M:%SZ)" '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
    function unq(s) {
      s = trim(s)
      if (s ~ /^"/) { s = substr(s, 2); sub(/".*$/, "", s); return s }
      if (s ~ /^\047/) { s = substr(s, 2); sub(/\047.*$/, "", s); return s }
      sub(/[ \t]+#.*$/, "", s)
      return trim(s)
    }
    function warn(msg) { print msg > "/dev/stderr" }
    # compose v2 logs through logrus: "WARN[0000] msg" on a terminal, key=value otherwise
    function warn2(msg) {
      if (tty) { warn("WARN[0000] " msg); return }
      gsub(/"/, "\\\"", msg)
      warn("time=\"" now "\" level=warning msg=\"" msg "\"")
    }
    function interp(s,   out, m, body, name, rest, isset, v) {
      out = ""
      while (match(s, /\$(\{[A-Za-z_][A-Za-z0-9_]*(:?[-?+][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*|\$)/)) {
        out = out substr(s, 1, RSTART - 1); m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
        if (m == "$$") { out = out "$"; continue }
        if (substr(m, 2, 1) == "{") body = substr(m, 3, length(m) - 3); else body = substr(m, 2)
        name = body; sub(/[-:?+].*$/, "", name)
        rest = substr(body, length(name) + 1)
        isset = (name in VARS); v = isset ? VARS[name] : ""
        if (rest ~ /^:-/) { if (v == "") v = substr(rest, 3) }
        else if (rest ~ /^-/) { if (!isset) v = substr(rest, 2) }
        else if (rest ~ /^:\+/) { v = (v != "") ? substr(rest, 3) : "" }
        else if (rest ~ /^\+/) { v = isset ? substr(rest, 2) : "" }
        else if (rest ~ /^:?\?/) {
          if (!isset || (rest ~ /^:/ && v == "")) {
            msg = rest; sub(/^:?\?/, "", msg)
            if (mode == "v2") warn("error while interpolating services: required variable " name " is missing a value: " msg)
            else warn("ERROR: Missing mandatory value for \"" name "\": " msg)
            failed = 1; exit 1
          }
        }
        else if (!isset && !(name in WARNED)) {
          WARNED[name] = 1
          if (mode == "v2") warn2("The \"" name "\" variable is not set. Defaulting to a blank string.")
          else warn("WARNING: The " name " variable is not set. Defaulting to a blank string.")
        }
        out = out v
      }
      return out s
    }
    function emit() {
      if (cur == "") return
      if (top == "services") print "S\t" cur "\t" (cname == "" ? "-" : cname) "\t" (img == "" ? "-" : img) "\t" (prof == "" ? "-" : prof) "\t" (nmode == "" ? "-" : nmode)
      else if (top == "networks") print "N\t" cur "\t" (nname == "" ? "-" : nname) "\t" ext
      cur = ""
    }
    function addprof(p) { p = unq(p); if (p != "") prof = (prof == "" ? p : prof "," p) }
    # a list item under the service key `blk`
    function item(c,   k, v) {
      if (blk == "profiles") { addprof(c); return }
      c = unq(c)
      if (blk == "volumes") { k = c; sub(/:.*/, "", k); v = c; sub(/^[^:]*:/, "", v); sub(/:.*/, "", v); print "V\t" cur "\t" k "\t" v }
      else if (blk == "command") print "C\t" cur "\t" c
      else if (blk == "environment" && c ~ /=/) { k = c; sub(/=.*/, "", k); v = c; sub(/^[^=]*=/, "", v); print "E\t" cur "\t" k "\t" v }
      else if (blk == "depends_on") print "D\t" cur "\t" c "\tservice_started"
    }
    # a key below the service key `blk` (l3: its own keys, deeper: depends_on conditions)
    function deep(ind, key, val) {
      if (l3 < 0 || ind <= l3) { l3 = ind; k3 = key }
      if (blk == "environment" && ind == l3) print "E\t" cur "\t" key "\t" val
      else if (blk == "healthcheck" && ind == l3 && key == "test") {
        # ["CMD-SHELL", "text"] is the shell form too
        if (val ~ /^\[/) { gsub(/^\[[ \t]*"CMD(-SHELL)?"[ \t]*,[ \t]*/, "", val); sub(/\][ \t]*$/, "", val); gsub(/"[ \t]*,[ \t]*"/, " ", val); gsub(/"/, "", val) }
        print "H\t" cur "\t" val
      }
      else if (blk == "depends_on" && ind == l3) print "D\t" cur "\t" key "\tservice_started"
      else if (blk == "depends_on" && ind > l3 && key == "condition") print "D\t" cur "\t" k3 "\t" val
    }
    BEGIN {
      if (envfile != "") {
        while ((getline l < envfile) > 0) {
          sub(/\r$/, "", l)
          if (l ~ /^[ \t]*(#|$)/) continue
          sub(/^[ \t]*export[ \t]+/, "", l)
          if (l !~ /=/) continue
          k = l; sub(/=.*/, "", k); k = trim(k)
          val = l; sub(/^[^=]*=/, "", val); val = unq(val)
          VARS[k] = val
        }
      }
      for (k in ENVIRON) VARS[k] = ENVIRON[k]
    }
    FNR == 1 { emit(); top = ""; l1 = -1; l2 = -1; l3 = -1; blk = "" }
    {
      line = $0; sub(/\r$/, "", line)
      if (line ~ /^[ \t]*(#.*)?$/) next
      line = interp(line)
      match(line, /^ */); ind = RLENGTH
      content = substr(line, ind + 1)
      if (content ~ /^-/) {
        if (blk != "" && top == "services" && cur != "" && ind >= l2) { c = content; sub(/^-[ \t]*/, "", c); item(c) }
        next
      }
      if (content !~ /^[^:]+:([ \t]|$)/) next
      key = content; sub(/:([ \t].*)?$/, "", key); key = unq(key)
      val = content; sub(/^[^:]+:/, "", val); val = unq(val)
      if (ind == 0) {
        emit(); top = key; l1 = -1; l2 = -1; l3 = -1; blk = ""
        if (key == "name") print "P\t" val
        if (key == "version" && mode == "v2") warn2(FILENAME ": the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion")
        next
      }
      if (top != "services" && top != "networks") next
      if (l1 < 0) l1 = ind
      if (ind == l1) { emit(); cur = key; cname = ""; img = ""; nname = ""; ext = "false"; prof = ""; nmode = ""; l2 = -1; l3 = -1; blk = ""; next }
      if (ind < l1 || cur == "") next
      if (l2 < 0) l2 = ind
      if (top == "services" && ind > l2) { if (blk != "") deep(ind, key, val); next }
      if (ind != l2) next
      blk = (val == "") ? key : ""; l3 = -1
      if (top == "services") {
        if (key == "container_name") cname = val
        else if (key == "image") img = val
        else if (key == "network_mode") nmode = val
        else if (key == "command" && val != "") print "C\t" cur "\t" val
        else if (key == "profiles") {
          if (val ~ /^\[/) { gsub(/[][]/, "", val); n = split(val, A, ","); for (i = 1; i <= n; i++) addprof(A[i]) }
        }
      } else {
        if (key == "name") nname = val
        else if (key == "external" && (val == "true" || val == "True" || val == "yes")) ext = "true"
      }
    }
    END { if (!failed) emit(); exit failed }' "$@"
}

compose_usage_v2() {
  cat <<'USAGE'

Usage:  docker compose [OPTIONS] COMMAND

Define and run multi-container applications with Docker

Commands:
  config      Parse, resolve and render compose file in canonical format
  down        Stop and remove containers, networks
  ls          List running compose projects
  ps          List containers
  pull        Pull service images
  restart     Restart service containers
  start       Start services
  stop        Stop services
  up          Create and start containers
  version     Show the Docker Compose version information

Run 'docker compose COMMAND --help' for more information on a command.
USAGE
}

# compose_main MODE(v2|v1) ARGS...
compose_main() {
  mode=$1; shift
  files=""; project=""; projdir=""; envfile=""; profiles=${COMPOSE_PROFILES:-}
  while [ $# -gt 0 ]; do
    case "$1" in
      -f|--file) files="$files$NL${2:-}"; shift; [ $# -eq 0 ] || shift ;;
      --file=*) files="$files$NL${1#--file=}"; shift ;;
      -f*) files="$files$NL${1#-f}"; shift ;;
      -p|--project-name) project=${2:-}; shift; [ $# -eq 0 ] || shift ;;
      --project-name=*) project=${1#--project-name=}; shift ;;
      --project-directory) projdir=${2:-}; shift; [ $# -eq 0 ] || shift ;;
      --project-directory=*) projdir=${1#--project-directory=}; shift ;;
      --env-file) envfile=${2:-}; shift; [ $# -eq 0 ] || shift ;;
      --env-file=*) envfile=${1#--env-file=}; shift ;;
      --profile) profiles="$profiles,${2:-}"; shift; [ $# -eq 0 ] || shift ;;
      --profile=*) profiles="$profiles,${1#--profile=}"; shift ;;
      --ansi|--progress|--parallel|-H|--host|-c|--context) shift; [ $# -eq 0 ] || shift ;;
      --ansi=*|--progress=*|--parallel=*|--compatibility|--dry-run|--all-resources|--no-ansi|--verbose|--tls|--tlsverify|--skip-hostname-check) shift ;;
      -h|--help) [ "$mode" = v2 ] && compose_usage_v2; exit 0 ;;
      -v|--version) [ "$mode" = v1 ] && { echo "docker-compose version $V1_VERSION, build $V1_BUILD"; exit 0; }; shift ;;
      -*)
        if [ "$mode" = v2 ]; then err "unknown flag: $1"; else err "No such command: $1"; fi
        exit 1 ;;
      *) break ;;
    esac
  done
  sub=${1:-}; [ $# -gt 0 ] && shift

  if [ "$sub" = version ]; then
    short=0; fmt=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --short) short=1 ;;
        -f|--format) fmt=${2:-}; [ $# -lt 2 ] || shift ;;
        --format=*) fmt=${1#--format=} ;;
      esac
      shift
    done
    if [ "$mode" = v1 ]; then
      if [ $short = 1 ]; then echo "$V1_VERSION"; exit 0; fi
      echo "docker-compose version $V1_VERSION, build $V1_BUILD"
      echo "docker-py version: 5.0.0"
      echo "CPython version: 3.7.10"
      echo "OpenSSL version: OpenSSL 1.1.0l  10 Sep 2019"
      exit 0
    fi
    if [ $short = 1 ]; then echo "$COMPOSE_VERSION"
    elif [ "$fmt" = json ]; then echo "{\"version\":\"v$COMPOSE_VERSION\"}"
    else echo "Docker Compose version v$COMPOSE_VERSION"; fi
    exit 0
  fi
  if [ -z "$sub" ]; then
    [ "$mode" = v2 ] && compose_usage_v2
    exit 0
  fi
  case "$sub" in
    up|down|ps|pull|config|start|stop|restart|rm|logs|ls|create|kill|images|exec|run) ;;
    *) exit 0 ;;
  esac

  if [ "$mode" = v1 ]; then need=need_daemon_v1; sep=_; else need=need_daemon; sep=-; fi

  # ---- locate and read the compose files
  model=""
  if [ "$sub" != ls ]; then
    base=${projdir:-$PWD}
    if [ -z "$(printf '%s' "$files" | tr -d '\n')" ]; then
      for n in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
        if [ -f "$base/$n" ]; then files="$base/$n"; break; fi
      done
      if [ -z "$files" ]; then
        if [ "$mode" = v2 ]; then err "no configuration file provided: not found"
        else
          err "ERROR: "
          err "        Can't find a suitable configuration file in this directory or any"
          err "        parent. Are you in the right directory?"
          err ""
          err "        Supported filenames: docker-compose.yml, docker-compose.yaml, compose.yml, compose.yaml"
        fi
        exit 1
      fi
    fi
    abs=""
    set -f; _ifs=$IFS; IFS=$NL
    for f in $files; do
      [ -n "$f" ] || continue
      case "$f" in /*) a=$f ;; *) a="$PWD/${f#./}" ;; esac
      if [ ! -e "$a" ]; then
        if [ "$mode" = v2 ]; then err "open $a: no such file or directory"
        else err "ERROR: .FileNotFoundError: [Errno 2] No such file or directory: '$f'"; fi
        exit 1
      fi
      if [ ! -r "$a" ]; then
        if [ "$mode" = v2 ]; then err "open $a: permission denied"
        else err "ERROR: .PermissionError: [Errno 13] Permission denied: '$f'"; fi
        exit 1
      fi
      abs="$abs$NL$a"
    done
    IFS=$_ifs; set +f
    first=$(printf '%s\n' "$abs" | sed -n '/./{p;q;}')
    pdir=${projdir:-$(dirname "$first")}
    if [ -z "$envfile" ] && [ -f "$pdir/.env" ]; then envfile="$pdir/.env"; fi
    if [ -n "$envfile" ] && [ ! -r "$envfile" ]; then
      err "Couldn't find env file: $envfile"; exit 1
    fi
    set -f; IFS=$NL
    # shellcheck disable=SC2086
    model=$(parse_compose "$mode" "$envfile" $abs) || exit 1
    IFS=$_ifs; set +f
    if [ -z "$project" ]; then
      if [ -n "${COMPOSE_PROJECT_NAME:-}" ]; then project=$COMPOSE_PROJECT_NAME
      else
        project=$(printf '%s\n' "$model" | awk -F'\t' '$1 == "P" { print $2; exit }')
        [ -n "$project" ] || project=$(basename "$pdir")
      fi
    fi
    if [ "$mode" = v2 ]; then project=$(printf '%s' "$project" | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9_-')
    else project=$(printf '%s' "$project" | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9'); fi
  fi

  if [ "$sub" = config ]; then
    case " $* " in
      *" --services "*) printf '%s\n' "$model" | awk -F'\t' '$1 == "S" { print $2 }'; exit 0 ;;
      *" -q "*|*" --quiet "*) exit 0 ;;
    esac
    set -f; IFS=$NL
    # shellcheck disable=SC2086
    cat $abs
    exit 0
  fi

  $need "containers/json?all=1&filters=%7B%22label%22%3A%7B%22com.docker.compose.project%3D$project%22%3Atrue%7D%7D"

  # services named on the command line
  selected=""
  skipnext=0
  for a in "$@"; do
    if [ $skipnext = 1 ]; then skipnext=0; continue; fi
    case "$a" in
      --pull|--scale|-t|--timeout|--wait-timeout|--exit-code-from|--attach|--no-attach|--format|-n|--tail|--since|--until|--filter|--status) skipnext=1 ;;
      -*) ;;
      *) selected="$selected $a" ;;
    esac
  done
  # wanted SERVICE PROFILES: is the service part of this run?
  wanted() {
    if [ -n "$selected" ]; then
      case " $selected " in *" $1 "*) return 0 ;; esac
      return 1
    fi
    [ "$2" = - ] && return 0
    _old=$IFS; IFS=,
    for _p in $2; do
      case ",$profiles," in *",$_p,"*|*",*,"*) IFS=$_old; return 0 ;; esac
    done
    IFS=$_old
    return 1
  }

  services=$(printf '%s\n' "$model" | awk -F'\t' '$1 == "S"')
  # svc_config SERVICE IMAGE: what compose compares to decide on recreating (a digest of the
  # service's definition as read from the files, secrets included, so never printed).
  svc_config() { { printf '%s\n' "$2"; printf '%s\n' "$model" | awk -F'\t' -v s="$1" '$2 == s'; } | sha256sum | cut -c1-64; }
  # svc_start NAME SERVICE IMAGE: a created or exited container starts, once its
  # dependencies are healthy; a one-shot one (the migration) ends exited.
  svc_start() {
    ctr_deps_ok "$2" || return 1
    c_set_state "$1" running
    if [ "$mode" = v2 ]; then err " Container $1  Starting"; fi
    _rc=0; ctr_start "$1" "$2" "$3" || _rc=$?
    svc_config "$2" "$3" > "$CT/$1/config"
    [ "$(ctr_kind "$3" "$2")" = migrate ] && c_set_state "$1" exited
    if [ "$mode" = v2 ]; then err " Container $1  Started"; else err "Starting $1 ... done"; fi
    return $_rc
  }
  networks=$(printf '%s\n' "$model" | awk -F'\t' '$1 == "N"')

  case "$sub" in
    up|create)
      # Compose starts what the named services depend on, and dependencies first.
      if [ -n "$selected" ]; then
        for _s in $selected; do selected="$selected $(m_recs D "$_s" | cut -f3 | tr '\n' ' ')"; done
      fi
      services=$(printf '%s\n' "$model" | awk -F'\t' '$1 == "D" { dep[$2] = 1 } $1 == "S" { s[++n] = $0; name[n] = $2 }
        END { for (i = 1; i <= n; i++) if (!(name[i] in dep)) print s[i]; for (i = 1; i <= n; i++) if (name[i] in dep) print s[i] }')
      # The default network is needed unless every service in this run sets network_mode.
      needdefault=$(printf '%s\n' "$services" | while IFS="$TAB" read -r tag svc cname img prof nmode; do
        [ "$tag" = S ] || continue
        wanted "$svc" "$prof" || continue
        [ "$nmode" = - ] && { echo yes; break; }
      done)
      hasdefault=$(printf '%s\n' "$networks" | awk -F'\t' '$2 == "default"' | head -n 1)
      if [ -z "$hasdefault" ] && [ -n "$needdefault" ]; then networks="N${TAB}default${TAB}-${TAB}false$NL$networks"; fi
      if [ -n "$hasdefault" ] && [ -z "$needdefault" ]; then networks=$(printf '%s\n' "$networks" | awk -F'\t' '$2 != "default"'); fi
      nets=$(printf '%s\n' "$networks" | while IFS="$TAB" read -r tag key nname ext; do
        [ "$tag" = N ] || continue
        [ "$nname" != - ] || nname="${project}_$key"
        printf '%s:%s\n' "$nname" "$ext"
      done)
      for nl in $nets; do
        nname=${nl%:*}; ext=${nl##*:}
        if n_exists "$nname"; then continue; fi
        if [ "$ext" = true ]; then
          if [ "$mode" = v2 ]; then err "network $nname declared as external, but could not be found"
          else err "ERROR: Network $nname declared as external, but could not be found. Please create the network manually using \`docker network create $nname\` and try again."; fi
          exit 1
        fi
        if [ "$mode" = v2 ]; then err " Network $nname  Creating"; n_put "$nname" "$project" bridge; err " Network $nname  Created"
        else err "Creating network \"$nname\" with the default driver"; n_put "$nname" "$project" bridge; fi
      done
      target=running; [ "$sub" = create ] && target=created
      printf '%s\n' "$services" | { rc=0; while IFS="$TAB" read -r tag svc cname img prof nmode; do
        [ "$tag" = S ] || continue
        wanted "$svc" "$prof" || continue
        [ "$cname" != - ] || cname="${project}${sep}${svc}${sep}1"
        [ "$img" != - ] || img="${project}${sep}${svc}"
        if c_exists "$cname"; then
          owner=$(c_field "$cname" 3); st=$(c_field "$cname" 2)
          if [ "$owner" != "$project" ]; then
            if [ "$mode" = v2 ]; then
              err " Container $cname  Creating"
              err "Error response from daemon: Conflict. The container name \"/$cname\" is already in use by container \"$(c_id "$cname")\". You have to remove (or rename) that container to be able to reuse that name."
            else
              err "Creating $cname ... error"
              err "ERROR: for $cname  Cannot create container for service $svc: Conflict. The container name \"/$cname\" is already in use by container \"$(c_id "$cname")\". You have to remove (or rename) that container to be able to reuse that name."
            fi
            rc=1; continue
          fi
          if [ "$(cat "$CT/$cname/config" 2>/dev/null)" != "$(svc_config "$svc" "$img")" ] && [ "$target" = running ]; then
            # Compose recreates a container whose configuration changed (image, environment, …).
            if [ "$mode" = v2 ]; then err " Container $cname  Recreate"; else err "Recreating $cname ... "; fi
            [ "$st" = running ] && ctr_stop "$cname"
            c_del "$cname"; rm -rf "${CT:?}/$cname"
            c_put "$cname" created "$project" "$img" "$svc"
            if [ "$mode" = v2 ]; then err " Container $cname  Recreated"; fi
            svc_start "$cname" "$svc" "$img" || rc=1
          elif [ "$st" = running ]; then
            if [ "$mode" = v2 ]; then err " Container $cname  Running"; else err "$cname is up-to-date"; fi
          elif [ "$target" = running ]; then
            svc_start "$cname" "$svc" "$img" || rc=1
          fi
        else
          c_put "$cname" created "$project" "$img" "$svc"
          if [ "$mode" = v2 ]; then err " Container $cname  Creating"; err " Container $cname  Created"
          else err "Creating $cname ... "; err "Creating $cname ... done"; fi
          if [ "$target" = running ]; then svc_start "$cname" "$svc" "$img" || rc=1; fi
        fi
      done; exit $rc; }
      exit $? ;;
    down)
      awk -F'\t' -v p="$project" '$3 == p { print $1 "\t" $2 }' "$C" | while IFS="$TAB" read -r cname st; do
        if [ "$mode" = v2 ]; then
          [ "$st" = running ] && { err " Container $cname  Stopping"; ctr_stop "$cname"; err " Container $cname  Stopped"; }
          err " Container $cname  Removing"; c_del "$cname"; rm -rf "${CT:?}/$cname"; err " Container $cname  Removed"
        else
          [ "$st" = running ] && { ctr_stop "$cname"; err "Stopping $cname ... done"; }
          c_del "$cname"; rm -rf "${CT:?}/$cname"; err "Removing $cname ... done"
        fi
      done
      awk -F'\t' -v p="$project" '$2 == p { print $1 }' "$N" | while read -r nname; do
        if [ "$mode" = v2 ]; then err " Network $nname  Removing"; n_del "$nname"; err " Network $nname  Removed"
        else err "Removing network $nname"; n_del "$nname"; fi
      done
      exit 0 ;;
    start|stop|restart|kill|rm)
      awk -F'\t' -v p="$project" '$3 == p { print $1 "\t" $5 }' "$C" | while IFS="$TAB" read -r cname svc; do
        if [ -n "$selected" ]; then case " $selected " in *" $svc "*) ;; *) continue ;; esac; fi
        case "$sub" in
          start|restart) { [ "$sub" = start ] && [ "$(c_field "$cname" 2)" = running ]; } || ctr_relaunch "$cname"
                         c_set_state "$cname" running; w1=Starting; w2=Started ;;
          stop|kill) ctr_stop "$cname"; c_set_state "$cname" exited; w1=Stopping; w2=Stopped ;;
          rm) [ "$(c_field "$cname" 2)" = running ] && continue; c_del "$cname"; rm -rf "${CT:?}/$cname"; w1=Removing; w2=Removed ;;
        esac
        if [ "$mode" = v2 ]; then err " Container $cname  $w1"; err " Container $cname  $w2"
        else err "$w1 $cname ... done"; fi
      done
      exit 0 ;;
    pull)
      printf '%s\n' "$services" | while IFS="$TAB" read -r tag svc cname img prof nmode; do
        [ "$tag" = S ] || continue
        wanted "$svc" "$prof" || continue
        if [ "$mode" = v2 ]; then err " $svc Pulling"; err " $svc Pulled"
        else err "Pulling $svc ... "; err "Pulling $svc ... done"; fi
      done
      exit 0 ;;
    ps)
      fmt=""; quiet=0; svcs=0; all=0
      while [ $# -gt 0 ]; do
        case "$1" in
          --format) fmt=${2:-}; shift; [ $# -eq 0 ] || shift ;;
          --format=*) fmt=${1#--format=}; shift ;;
          -q|--quiet) quiet=1; shift ;;
          --services) svcs=1; shift ;;
          -a|--all) all=1; shift ;;
          *) shift ;;
        esac
      done
      rows=$(awk -F'\t' -v p="$project" -v all="$all" '$3 == p && (all || $2 == "running")' "$C")
      if [ -z "$fmt" ] && [ $quiet = 0 ] && [ $svcs = 0 ]; then
        if [ "$mode" = v2 ]; then echo "NAME      IMAGE     COMMAND   SERVICE   CREATED   STATUS    PORTS"
        else echo "   Name              Command          State    Ports"; echo "-------------------------------------------------"; fi
      fi
      printf '%s\n' "$rows" | while IFS="$TAB" read -r cname st proj img svc; do
        [ -n "$cname" ] || continue
        if [ $quiet = 1 ]; then c_id "$cname"
        elif [ $svcs = 1 ]; then echo "$svc"
        elif [ "$fmt" = json ]; then
          echo "{\"Command\":\"\\\"/docker-entrypoint.…\\\"\",\"ID\":\"$(c_id "$cname")\",\"Image\":\"$img\",\"Name\":\"$cname\",\"Names\":\"$cname\",\"Project\":\"$proj\",\"Service\":\"$svc\",\"State\":\"$st\",\"Status\":\"$(status_text "$st")\"}"
        elif [ -n "$fmt" ]; then
          render "$fmt" .Name "$cname" .Names "$cname" .Service "$svc" .State "$st" .Status "$(status_text "$st")" \
            .Image "$img" .ID "$(c_id "$cname")" .Project "$proj"
        elif [ "$mode" = v2 ]; then
          echo "$cname   $img   \"/docker-entrypoint.…\"   $svc   2 minutes ago   $(status_text "$st")"
        else
          if [ "$st" = running ]; then s=Up; else s="Exit 0"; fi
          echo "$cname   /docker-entrypoint.sh   $s"
        fi
      done
      exit 0 ;;
    ls)
      fmt=""; all=0
      while [ $# -gt 0 ]; do
        case "$1" in
          --format) fmt=${2:-}; shift; [ $# -eq 0 ] || shift ;;
          --format=*) fmt=${1#--format=}; shift ;;
          -a|--all) all=1; shift ;;
          *) shift ;;
        esac
      done
      summary=$(awk -F'\t' -v all="$all" '$3 != "-" && $3 != "" { t[$3]++; if ($2 == "running") r[$3]++ }
        END { for (p in t) if (all || r[p] > 0) printf "%s\t%s(%d)\n", p, (r[p] > 0 ? "running" : "exited"), (r[p] > 0 ? r[p] : t[p]) }' "$C" | sort)
      if [ "$fmt" = json ]; then
        printf '%s\n' "$summary" | awk -F'\t' 'BEGIN { printf "[" } NF { printf "%s{\"Name\":\"%s\",\"Status\":\"%s\",\"ConfigFiles\":\"\"}", (n++ ? "," : ""), $1, $2 } END { print "]" }'
      else
        echo "NAME                STATUS              CONFIG FILES"
        printf '%s\n' "$summary" | awk -F'\t' 'NF { printf "%-19s %-19s \n", $1, $2 }'
      fi
      exit 0 ;;
    *) exit 0 ;;
  esac
}

# ---------------------------------------------------------------- entry points
if [ "$prog" = docker-compose ]; then
  case "${1:-}" in
    --version|-v) echo "docker-compose version $V1_VERSION, build $V1_BUILD"; exit 0 ;;
    "") cat <<'EOF'
Define and run multi-container applications with Docker.

Usage:
  docker-compose [-f <arg>...] [--profile <name>...] [options] [--] [COMMAND] [ARGS...]
  docker-compose -h|--help
EOF
      exit 1 ;;
  esac
  compose_main v1 "$@"
  exit $?
fi

# docker [OPTIONS] COMMAND
while [ $# -gt 0 ]; do
  case "$1" in
    --version|-v) echo "Docker version $VERSION, build $BUILD"; exit 0 ;;
    -H|--host|-c|--context|--config|-l|--log-level|--tlscacert|--tlscert|--tlskey) shift; [ $# -eq 0 ] || shift ;;
    --host=*|--context=*|--config=*|--log-level=*|-D|--debug|--tls|--tlsverify|--tlscacert=*|--tlscert=*|--tlskey=*) shift ;;
    -h|--help) usage; exit 0 ;;
    -*) err "unknown flag: $1"; err "See 'docker --help'."; exit 125 ;;
    *) break ;;
  esac
done
if [ $# -eq 0 ]; then usage; exit 0; fi
cmd=$1; shift
# a container whose process died is exited before anything reports on it
[ "$cmd" = run ] || ctr_refresh
case "$cmd" in
  version) cmd_version "$@" ;;
  info) cmd_info "$@" ;;
  compose)
    if [ "$scenario" = compose-v1 ]; then
      printf "docker: 'compose' is not a docker command.\nSee 'docker --help'\n" >&2
      exit 1
    fi
    compose_main v2 "$@"
    exit $? ;;
  ps) cmd_ps "$@" ;;
  inspect) cmd_inspect any "$@" ;;
  container)
    sub=${1:-}; [ $# -gt 0 ] && shift
    case "$sub" in
      ls|list|ps) cmd_ps "$@" ;;
      inspect) cmd_inspect container "$@" ;;
      start|stop|restart|kill|rm) cmd_lifecycle "$sub" "$@" ;;
      *) need_daemon containers/json; exit 0 ;;
    esac ;;
  start|stop|restart|kill|rm) cmd_lifecycle "$cmd" "$@" ;;
  network) cmd_network "$@" ;;
  pull)
    img=""
    for a in "$@"; do case "$a" in -*) ;; *) img=$a ;; esac; done
    need_daemon "images/create?fromImage=$img" Post
    case "$img" in *:*) tag=${img##*:}; repo=${img%:*} ;; *) echo "Using default tag: latest"; tag=latest; repo=$img ;; esac
    case "$repo" in */*) full="docker.io/$repo" ;; *) full="docker.io/library/$repo" ;; esac
    echo "$tag: Pulling from ${full#docker.io/}"
    echo "Digest: sha256:$(hash_of "image:$img")"
    echo "Status: Image is up to date for $repo:$tag"
    echo "$full:$tag"
    exit 0 ;;
  images|image)
    need_daemon images/json
    echo "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE"
    exit 0 ;;
  run)
    need_daemon containers/create Post
    [ -n "${ls_run:-}" ] && exec sh "$S/litestream-run.sh" "$@"
    exit 0 ;;
  logs) cmd_logs "$@" ;;
  exec|volume|system|build|events|top|stats|push|tag|cp|port|save|load|wait|attach|rename|update|pause|unpause|create|diff|commit|export|import|history|rmi|builder|buildx)
    need_daemon "$cmd"
    exit 0 ;;
  login) echo "Login Succeeded"; exit 0 ;;
  logout) echo "Removing login credentials for https://index.docker.io/v1/"; exit 0 ;;
  help) usage; exit 0 ;;
  *) exit 0 ;;
esac
