#!/bin/sh
# `docker run [OPTIONS] litestream/litestream[:TAG] [ARGS]` for the fake docker (fake-docker.sh):
# the container's entrypoint runs on the host with only the environment the container would
# have, and `litestream` on its PATH is the real v0.3.13 binary (whatever the tag).
#
# /run/fake-docker/litestream-bin   path of the real binary (test/harness/litestream.ts)
# /run/fake-docker/storage          lines `endpoint URL` / `region R`, added to the replica of
#                                   every -config file (s3rver and Azurite need an endpoint the
#                                   template's URL cannot carry); absent: nothing is added.
# Without litestream-bin, Litestream answers like an empty, reachable storage (the e2e worlds
# with made-up storage values): version v0.3.13, no generations, nothing to restore.
S=/run/fake-docker
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
tmp=$(mktemp -d /tmp/fake-ls.XXXXXX) || exit 125
trap 'rm -rf "$tmp"' EXIT
trap 'exit 143' TERM INT HUP
mkdir "$tmp/bin" "$tmp/home"
cat > "$tmp/bin/litestream" <<'WRAP'
#!/bin/sh
S=/run/fake-docker
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
chmod 755 "$tmp/bin/litestream"
[ -n "$ep" ] || { ep=litestream; }
env -i PATH="$tmp/bin:/usr/bin:/bin" HOME="$tmp/home" "$ep" "$@"
