#!/bin/sh
# FAKE-APT-MARKER
# Stand-ins for apt-get, curl and systemctl on the test host (installed in /usr/local/bin,
# before the real ones on PATH and on sudo's secure_path). They check that they are driven
# the way Docker's install guide drives them, then "install" the docker stand-in by
# switching its scenario. State: /run/fake-docker (the docker stand-in's), files:
#   apt.log          one line per call: UID PROGRAM ARGS...
#   apt-lock-for     seconds: from the next apt-get call on, dpkg's lock is held this long
#   apt-lock-until   epoch seconds: apt-get fails with dpkg's lock message until then
#   reserved-ip      what the droplet metadata service answers (else: unreachable)
#   docker.sh        the docker stand-in to install
S=/run/fake-docker
me=${0##*/}
printf '%s %s %s\n' "$(id -u)" "$me" "$*" >> "$S/apt.log" 2>/dev/null
KEYRING=/etc/apt/keyrings/docker.asc
LIST=/etc/apt/sources.list.d/docker.list
if [ -r /etc/os-release ]; then . /etc/os-release; fi
DISTRO=$ID
CODENAME=${UBUNTU_CODENAME:-${VERSION_CODENAME:-}}
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
REPO="https://download.docker.com/linux/$DISTRO"
err() { printf '%s\n' "$*" >&2; }
scenario() { cat "$S/scenario" 2>/dev/null; }

install_docker() {
  cp "$S/docker.sh" /usr/local/bin/docker.tmp && chmod 755 /usr/local/bin/docker.tmp && mv -f /usr/local/bin/docker.tmp /usr/local/bin/docker
  # Real binaries elsewhere on PATH were covered with /dev/null for "missing".
  while read -r p; do
    case "${p##*/}" in docker) while umount "$p" 2>/dev/null; do :; done; mount --bind "$S/docker.sh" "$p" ;; esac
  done < "$S/shadowed"
  getent group docker >/dev/null 2>&1 || groupadd docker
}

apt_get() {
  if [ "$(id -u)" != 0 ]; then
    err "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)"
    exit 100
  fi
  # The hold starts at the first apt-get call, however long the run took to get there.
  if [ -f "$S/apt-lock-for" ]; then echo $(( $(date +%s) + $(cat "$S/apt-lock-for") )) > "$S/apt-lock-until"; rm -f "$S/apt-lock-for"; fi
  until=$(cat "$S/apt-lock-until" 2>/dev/null || echo 0)
  if [ "$(date +%s)" -lt "${until:-0}" ]; then
    echo "locked" >> "$S/apt.log"
    err "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 812 (unattended-upgr)"
    err "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?"
    exit 100
  fi
  [ "${DEBIAN_FRONTEND:-}" = noninteractive ] || { err "debconf: DEBIAN_FRONTEND is not noninteractive: a prompt would hang"; exit 1; }
  cmd=; yes=; pkgs=
  for a in "$@"; do
    case "$a" in
      -y|--yes|--assume-yes) yes=1 ;;
      -*) ;;
      *) if [ -z "$cmd" ]; then cmd=$a; else pkgs="$pkgs $a"; fi ;;
    esac
  done
  case "$cmd" in
    update)
      echo "Hit:1 http://deb.debian.org/debian $CODENAME InRelease"
      rm -f "$S/apt-docker-known"
      if [ -e "$LIST" ]; then
        want="deb [arch=$ARCH signed-by=$KEYRING] $REPO $CODENAME stable"
        if [ "$(cat "$LIST")" != "$want" ]; then err "E: $LIST: not Docker's line for $CODENAME on $ARCH: $(cat "$LIST")"; exit 100; fi
        if [ ! -f "$KEYRING" ] || [ "$(stat -c %a "$KEYRING")" != 644 ]; then
          err "W: GPG error: $REPO $CODENAME InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 7EA0A9C3F273FCD8"
          err "E: The repository '$REPO $CODENAME InRelease' is not signed."
          exit 100
        fi
        echo "Get:2 $REPO $CODENAME InRelease [48.8 kB]"
        : > "$S/apt-docker-known"
      fi
      echo "Reading package lists..."
      ;;
    install)
      [ -n "$yes" ] || { echo "Do you want to continue? [Y/n] Abort."; exit 1; }
      list=$(printf '%s\n' $pkgs | sort | tr '\n' ' ')
      case "$list" in
        "ca-certificates curl ") echo "ca-certificates is already the newest version"; return 0 ;;
        "containerd.io docker-buildx-plugin docker-ce docker-ce-cli docker-compose-plugin "|"docker-compose-plugin ") ;;
        *) err "E: the docker stand-in installs only Docker's package set, not:$pkgs"; exit 100 ;;
      esac
      [ -e "$S/apt-docker-known" ] || { err "E: Unable to locate package ${list%% *}"; exit 100; }
      for p in $pkgs; do echo "Setting up $p ..."; done
      case " $pkgs " in *" docker-ce "*) install_docker ;; esac
      case "$(scenario)" in missing|compose-v1) echo ok > "$S/scenario" ;; esac
      ;;
    *) err "E: the apt-get stand-in knows update and install, not $cmd"; exit 100 ;;
  esac
}

curl_() {
  url=; out=
  while [ $# -gt 0 ]; do
    case "$1" in
      -o) out=$2; shift ;;
      -*) ;;
      *) url=$1 ;;
    esac
    shift
  done
  case "$url" in
    http://169.254.169.254/*)
      if [ -f "$S/reserved-ip" ]; then cat "$S/reserved-ip"; exit 0; fi
      err "curl: (7) Failed to connect to 169.254.169.254 port 80: Connection timed out"; exit 7 ;;
    "$REPO/gpg")
      [ -n "$out" ] || { err "curl: the key must go to a file (-o)"; exit 2; }
      [ "$out" = "$KEYRING" ] || { err "curl: the key goes to $KEYRING, not $out"; exit 2; }
      [ "$(stat -c %a /etc/apt/keyrings 2>/dev/null)" = 755 ] || { err "curl: (23) /etc/apt/keyrings is missing or not 0755"; exit 23; }
      # Written 0600, as a root umask of 077 would: apt reads it only after chmod a+r.
      (umask 077; printf '%s\n' '-----BEGIN PGP PUBLIC KEY BLOCK-----' 'harness' '-----END PGP PUBLIC KEY BLOCK-----' > "$out") ;;
    *) err "curl: (6) the test host reaches nothing: $url"; exit 6 ;;
  esac
}

systemctl_() {
  [ "$(id -u)" = 0 ] || { err "Failed to enable unit: Access denied"; exit 1; }
  case "$*" in
    "enable --now docker"|"enable --now docker.service")
      echo "Created symlink /etc/systemd/system/multi-user.target.wants/docker.service → /lib/systemd/system/docker.service."
      [ "$(scenario)" = daemon-down ] && echo ok > "$S/scenario"
      exit 0 ;;
    *) err "systemctl stand-in: $*: not emulated"; exit 1 ;;
  esac
}

case "$me" in
  apt-get) apt_get "$@" ;;
  curl) curl_ "$@" ;;
  systemctl) systemctl_ "$@" ;;
  *) err "fake-apt: unknown name $me"; exit 127 ;;
esac
