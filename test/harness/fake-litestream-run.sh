#!/bin/sh
# Litestream containers for the fake docker (fake-docker.sh), run on the host with only the
# environment the container would have; `litestream` on their PATH is a wrapper around the
# real v0.3.13 binary (whatever the tag, except the fake versions of image-versions below).
#
#   litestream-run.sh [docker run OPTIONS] IMAGE [ARGS]   `docker run … litestream/litestream…`
#   litestream-run.sh --container DIR SCRIPT             a compose sidecar (fake-docker.sh's
#       ctr_*): runs the shell text in file SCRIPT (its healthcheck test or its command) with
#       DIR/env as the environment; container paths listed in DIR/mounts (`TARGET HOSTDIR`)
#       are mapped to the volume dirs in Litestream's arguments.
#
# /run/fake-docker/litestream-bin   path of the real binary (test/harness/litestream.ts)
# /run/fake-docker/storage          lines `endpoint URL` / `region R`, added to the replica of
#                                   every -config file (s3rver and Azurite need an endpoint the
#                                   template's URL cannot carry); absent: nothing is added. With
#                                   it, the URL forms `replicate DB URL` and `restore … URL` are
#                                   turned into the -config form so the endpoint can be added.
# /run/fake-docker/image-versions   lines `TAG VERSION` (`latest v0.5.2`): `docker run` of that
#                                   tag (untagged = latest) answers `version` with VERSION and,
#                                   when it is not 0.3, `ltx …` with nothing (a 0.5 image that
#                                   sees no LTX replica); everything else still runs 0.3.13.
# Without litestream-bin, Litestream answers like an empty, reachable storage (the e2e worlds
# with made-up storage values): version v0.3.13, no generations, nothing to restore.
S=/run/fake-docker

# make_wrapper BINDIR VERSION MOUNTS: BINDIR/litestream, the wrapper described above.
make_wrapper() {
  mkdir -p "$1"
  { printf '#!/bin/sh\nver=%s\nmounts=%s\n' "'$2'" "'$3'"; cat <<'WRAP'
S=/run/fake-docker
case "$ver" in
  ""|v0.3.*|0.3.*) ;;
  *) case "${1:-}" in version) echo "$ver"; exit 0 ;; ltx) exit 0 ;; esac ;;
esac
real=$(cat "$S/litestream-bin" 2>/dev/null)
if [ -z "$real" ]; then
  case "$1" in
    version) echo v0.3.13 ;;
    generations) echo 'name  generation  lag  start  end' ;;
    snapshots) echo 'replica  generation  index  size  created' ;;
    restore) case " $* " in *" -if-replica-exists "*) echo 'no matching backups found'; exit 0 ;; esac
             echo 'no matching backups found' >&2; exit 1 ;;
    replicate) while :; do sleep 1; done ;;
  esac
  exit 0
fi
# Container paths (/data/…) to the host dirs of the volumes.
if [ -n "$mounts" ] && [ -s "$mounts" ]; then
  count=$#
  for a in "$@"; do
    while read -r t h; do
      case "$a" in "$t"|"$t"/*) a="$h${a#"$t"}"; break ;; esac
    done < "$mounts"
    set -- "$@" "$a"
  done
  shift "$count"
fi
# The URL form has no place for an endpoint: same command, -config form (path + url).
if [ -f "$S/storage" ] && [ $# -ge 2 ]; then
  n=$#; eval "url=\${$n}"
  case "$1:$url" in
    replicate:*://*|restore:*://*|generations:*://*|snapshots:*://*|wal:*://*)
      eval "prev=\${$((n - 1))}"
      out=""; p=""
      for a in "$@"; do [ "$p" = -o ] && out=$a; p=$a; done
      if [ "$1" = replicate ]; then db=$prev; keep=$((n - 2)); else db=${out:-$HOME/db}; keep=$((n - 1)); fi
      cfg=$(mktemp "$HOME/url.XXXXXX") || exit 1
      printf 'dbs:\n  - path: %s\n    replicas:\n      - url: %s\n' "$db" "$url" > "$cfg"
      sub=$1; i=0
      for a in "$@"; do i=$((i + 1)); [ $i -le $keep ] && set -- "$@" "$a"; done
      shift "$n"
      set -- "$@" -config "$cfg"
      [ "$sub" = replicate ] || set -- "$@" "$db" ;;
  esac
fi
# -config FILE: a copy with the stand-in's endpoint under each replica's url.
if [ -f "$S/storage" ]; then
  count=$#; next=""
  for a in "$@"; do
    if [ "$next" = 1 ] && [ -f "$a" ]; then
      awk -v extra="$(cat "$S/storage")" '
        { print }
        /^ *- url:/ { match($0, /^ *- /); pad = sprintf("%" RLENGTH "s", "")
          k = split(extra, L, "\n"); for (j = 1; j <= k; j++) if (L[j] != "") { split(L[j], f, " "); print pad f[1] ": " f[2] } }
      ' "$a" > "$a.fake-endpoint"
      a="$a.fake-endpoint"
    fi
    next=""; [ "$a" = -config ] && next=1
    set -- "$@" "$a"
  done
  shift "$count"
fi
exec "$real" "$@"
WRAP
  } > "$1/litestream"
  chmod 755 "$1/litestream"
}

# A compose sidecar: DIR/env holds NAME=value lines (its `environment:`); the script is the
# entrypoint's `/bin/sh -c` argument.
if [ "${1:-}" = --container ]; then
  d=$2
  [ -x "$d/bin/litestream" ] || make_wrapper "$d/bin" "" "$d/mounts"
  mkdir -p "$d/home"
  exec env -i PATH="$d/bin:/usr/bin:/bin" HOME="$d/home" /bin/sh -c \
    'while IFS= read -r l; do [ -n "$l" ] && export "$l"; done < "$1"; exec /bin/sh "$2"' ctr "$d/env" "$3"
fi

ep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rm|-i|-t|-it|--init|--interactive|--tty) shift ;;
    --entrypoint) ep=$2; shift 2 ;;
    --entrypoint=*) ep=${1#*=}; shift ;;
    --network|--name|-v|--volume|-w|--workdir|-u|--user) shift 2 ;;
    --*=*) shift ;;
    -*) echo "docker: unknown flag: $1" >&2; echo "See 'docker run --help'." >&2; exit 125 ;;
    *) break ;;
  esac
done
img=$1; shift
# The tag after the last `/` (a registry port is not a tag); none = latest.
tag=latest
case "${img##*/}" in *:*) tag=${img##*:} ;; esac
ver=$(awk -v t="$tag" '$1 == t { print $2; exit }' "$S/image-versions" 2>/dev/null)
tmp=$(mktemp -d /tmp/fake-ls.XXXXXX) || exit 125
trap 'rm -rf "$tmp"' EXIT
trap 'exit 143' TERM INT HUP
mkdir "$tmp/home"
make_wrapper "$tmp/bin" "$ver" ""
[ -n "$ep" ] || { ep=litestream; }
env -i PATH="$tmp/bin:/usr/bin:/bin" HOME="$tmp/home" "$ep" "$@"
