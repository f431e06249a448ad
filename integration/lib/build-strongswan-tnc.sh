#!/usr/bin/env bash
# Builds strongSwan 5.9.8 WITH its PB-TNC pieces (tnccs-20/-11/-dynamic, tnc-imc, tnc-imv, tnc-pdp,
# the OS/Scanner/Test IMCs and IMVs, pt-tls-client), which Debian's packages lack
# (shared/docs/PEERS.md "What Debian's strongSwan has, and lacks"), from Debian's own source package.
#
#   integration/lib/build-strongswan-tnc.sh        # prints the prefix on stdout, progress on stderr
#
# Idempotent: once "$PREFIX/.tnc-build-complete" exists (written last, after every expected binary,
# plugin and IMC/IMV was found and resolved by ldd), it prints the prefix and exits 0 at once.
# Concurrency-safe: builds are serialised with flock on "$PREFIX.lock"; a waiter re-checks the stamp.
# The install is staged (make install DESTDIR=...) and renamed into place, so a killed build never
# leaves a half-installed prefix that looks complete.
#
# Files (all next to the prefix, outside the clone):
#   $PREFIX                  the install (bin/pt-tls-client, libexec/ipsec/charon, lib/ipsec/...)
#   $PREFIX.lock             flock file (holds the builder's pid)
#   $PREFIX.build.log        full output of the last build (apt, configure, make)
#   $PREFIX.build/           work tree; removed on success, kept after a failure for inspection
#   $(dirname $PREFIX)/sources/   the orig tarball (kept: a rebuild fetches only the source index)
#
# Environment:
#   STRONGSWAN_TNC_PREFIX            install prefix (default /var/cache/tnc-nea/strongswan-5.9.8-tnc)
#   STRONGSWAN_TNC_MIRROR            Debian mirror URI (default: the one /etc/apt/sources* uses for bookworm)
#   STRONGSWAN_TNC_SECURITY_MIRROR   Debian security mirror URI (default: the one used for bookworm-security)
#   STRONGSWAN_TNC_JOBS              make -j value (default 3)
#   STRONGSWAN_TNC_LOCK_TIMEOUT      seconds to wait for another build's lock (default 3600)
#   STRONGSWAN_TNC_FORCE=1           rebuild even if the stamp says complete
#
# Exit status: 0 and the prefix on stdout, or 1 with the failed phase, the log's tail and a hint.

set -euo pipefail
umask 022

readonly SS_VERSION=5.9.8
readonly SRC_PACKAGE=strongswan
PREFIX="${STRONGSWAN_TNC_PREFIX:-/var/cache/tnc-nea/strongswan-${SS_VERSION}-tnc}"
PREFIX="${PREFIX%/}"
case "$PREFIX" in
  /*) ;;
  *) echo "build-strongswan-tnc: STRONGSWAN_TNC_PREFIX must be an absolute path, got '$PREFIX'" >&2; exit 1 ;;
esac
readonly PREFIX
readonly CACHE_ROOT="$(dirname "$PREFIX")"
readonly LOCK="$PREFIX.lock"
readonly LOG="$PREFIX.build.log"
readonly WORK="$PREFIX.build"
readonly SOURCES="$CACHE_ROOT/sources"
readonly STAMP="$PREFIX/.tnc-build-complete"
readonly JOBS="${STRONGSWAN_TNC_JOBS:-3}"
readonly LOCK_TIMEOUT="${STRONGSWAN_TNC_LOCK_TIMEOUT:-3600}"
readonly BUILD_DEPS=(gcc make pkg-config libgmp-dev libssl-dev libsqlite3-dev libxml2-dev libc6-dev bzip2)

# Exactly the configure line of shared/docs/PEERS.md.
CONFIGURE_ARGS=(
  "--prefix=$PREFIX" "--sysconfdir=$PREFIX/etc"
  --disable-stroke --disable-scepclient --disable-starter
  --enable-openssl --enable-eap-identity --enable-eap-md5 --enable-eap-ttls --enable-eap-tnc
  --enable-eap-radius --enable-tnc-tnccs --enable-tnccs-20 --enable-tnccs-11 --enable-tnccs-dynamic
  --enable-tnc-imc --enable-tnc-imv --enable-tnc-pdp --enable-imc-test --enable-imv-test
  --enable-imc-os --enable-imv-os --enable-imc-scanner --enable-imv-scanner
  --enable-kernel-libipsec --enable-sqlite
)
readonly CONFIGURE_ARGS
readonly CONFIGURE_KEY="${CONFIGURE_ARGS[*]}"

# What a complete install must contain (relative to $PREFIX). charon: either location.
readonly CHARON_CANDIDATES=(libexec/ipsec/charon sbin/charon)
readonly REQUIRED_FILES=(
  bin/pt-tls-client
  sbin/swanctl
  lib/ipsec/libstrongswan.so.0
  lib/ipsec/libtnccs.so.0
  lib/ipsec/libimcv.so.0
  lib/ipsec/plugins/libstrongswan-tnccs-20.so
  lib/ipsec/plugins/libstrongswan-tnccs-11.so
  lib/ipsec/plugins/libstrongswan-tnccs-dynamic.so
  lib/ipsec/plugins/libstrongswan-tnc-tnccs.so
  lib/ipsec/plugins/libstrongswan-tnc-imc.so
  lib/ipsec/plugins/libstrongswan-tnc-imv.so
  lib/ipsec/plugins/libstrongswan-tnc-pdp.so
  lib/ipsec/plugins/libstrongswan-eap-tnc.so
  lib/ipsec/plugins/libstrongswan-eap-ttls.so
  lib/ipsec/plugins/libstrongswan-eap-md5.so
  lib/ipsec/plugins/libstrongswan-eap-identity.so
  lib/ipsec/plugins/libstrongswan-eap-radius.so
  lib/ipsec/plugins/libstrongswan-kernel-libipsec.so
  lib/ipsec/plugins/libstrongswan-openssl.so
  lib/ipsec/plugins/libstrongswan-sqlite.so
  lib/ipsec/plugins/libstrongswan-kdf.so
  lib/ipsec/plugins/libstrongswan-vici.so
  lib/ipsec/imcvs/imc-os.so
  lib/ipsec/imcvs/imc-scanner.so
  lib/ipsec/imcvs/imc-test.so
  lib/ipsec/imcvs/imv-os.so
  lib/ipsec/imcvs/imv-scanner.so
  lib/ipsec/imcvs/imv-test.so
)

T0=$SECONDS
PHASE=start
HINT=''
BG_PID=''
APT_TMP=''

say() { printf '[strongswan-tnc %4ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }
phase() {
  PHASE="$1"
  HINT="${2:-}"
  say "$PHASE"
  if [[ -w "$(dirname "$LOG")" ]]; then printf '\n==== %s: %s ====\n' "$(date -Is)" "$PHASE" >>"$LOG" || true; fi
}
die() {
  # die MESSAGE [HINT]: an error a person can act on, without a log tail.
  trap - ERR
  echo "build-strongswan-tnc: ERROR: $1" >&2
  [[ -n "${2:-}" ]] && echo "  what to do: $2" >&2
  exit 1
}
on_error() {
  local rc=$? line=$1
  trap - ERR
  {
    echo
    echo "build-strongswan-tnc: FAILED during phase '$PHASE' (exit $rc, script line $line)"
    if [[ -f "$LOG" ]]; then
      echo "---- last 40 lines of $LOG ----"
      tail -n 40 "$LOG" | sed 's/^/  | /'
      echo "---- full log: $LOG ----"
    fi
    [[ -n "$HINT" ]] && echo "  what to do: $HINT"
    [[ -d "$WORK" ]] && echo "  work tree kept for inspection: $WORK (deleted by the next build)"
  } >&2
  exit 1
}
cleanup() {
  if [[ -n "$BG_PID" ]] && kill -0 "$BG_PID" 2>/dev/null; then kill -TERM "$BG_PID" 2>/dev/null || true; fi
  if [[ -n "$APT_TMP" && -d "$APT_TMP" ]]; then rm -rf -- "$APT_TMP"; fi
}
trap 'on_error $LINENO' ERR
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

charon_path() {
  local c
  for c in "${CHARON_CANDIDATES[@]}"; do
    if [[ -x "$PREFIX/$c" ]]; then echo "$PREFIX/$c"; return 0; fi
  done
  return 1
}

# Files missing from the install, one per line (empty output: all there).
missing_files() {
  local f
  charon_path >/dev/null || echo "${CHARON_CANDIDATES[*]/#/$PREFIX/} (charon)"
  for f in "${REQUIRED_FILES[@]}"; do
    [[ -e "$PREFIX/$f" ]] || echo "$PREFIX/$f"
  done
}

stamp_valid() {
  [[ "${STRONGSWAN_TNC_FORCE:-0}" != 1 ]] || return 1
  [[ -f "$STAMP" ]] || return 1
  grep -qxF "configure: $CONFIGURE_KEY" "$STAMP" || return 1
  [[ -z "$(missing_files)" ]]
}

# in_src_heartbeat STATUS_FN CMD...: runs CMD in $SRC_DIR with its output in the log, and every
# 20 s prints the elapsed time and what STATUS_FN says (so a long phase visibly makes progress).
in_src_heartbeat() {
  local status_fn=$1 start=$SECONDS rc=0 _
  shift
  (cd "$SRC_DIR" && exec "$@") >>"$LOG" 2>&1 &
  BG_PID=$!
  while kill -0 "$BG_PID" 2>/dev/null; do
    for _ in {1..20}; do
      sleep 1
      kill -0 "$BG_PID" 2>/dev/null || break
    done
    if kill -0 "$BG_PID" 2>/dev/null; then say "  ... $((SECONDS - start))s$("$status_fn")"; fi
  done
  wait "$BG_PID" || rc=$?
  BG_PID=''
  say "  ${1##*/} finished in $((SECONDS - start))s (exit $rc)"
  return "$rc"
}
configure_status() {
  local last
  last="$(grep -E '^(checking |config\.status: )' "$LOG" | tail -n1 | cut -c1-70 || true)"
  echo "${last:+, $last}"
}
make_status() {
  local compiled where
  compiled="$(grep -cE '^  CC |^libtool: compile: ' "$LOG" || true)"
  where="$(grep -oE "Making [a-z]+ in [^ ]+|Entering directory '[^']+'" "$LOG" | tail -n1 |
    sed -e "s|.*Entering directory '${SRC_DIR:-}/||" -e "s|^Making [a-z]* in ||" -e "s|'||" || true)"
  echo ", $compiled files compiled${where:+, in ${where}}"
}

done_ok() {
  printf '%s\n' "$PREFIX"
  exit 0
}

# ---- fast path: complete install, no lock, no writes --------------------------------------------
if stamp_valid; then done_ok; fi

# ---- lock ---------------------------------------------------------------------------------------
if ! mkdir -p "$CACHE_ROOT" 2>/dev/null || [[ ! -w "$CACHE_ROOT" ]]; then
  die "cannot write to $CACHE_ROOT (needed for $PREFIX)" \
    "run as root (the default cache is under /var/cache), or set STRONGSWAN_TNC_PREFIX to a writable path"
fi
exec 9>>"$LOCK"
if ! flock -n 9; then
  say "another build holds $LOCK (pid $(head -c 20 "$LOCK" 2>/dev/null | tr -dc 0-9 || true)); waiting up to ${LOCK_TIMEOUT}s"
  flock -w "$LOCK_TIMEOUT" 9 ||
    die "timed out after ${LOCK_TIMEOUT}s waiting for $LOCK" \
      "check whether that build is still running (its progress is in $LOG); if it is stuck, stop that process and run again"
fi
echo "$$" >"$LOCK"
if stamp_valid; then
  say "another process finished the build meanwhile"
  done_ok
fi

if [[ -f "$STAMP" ]]; then
  if [[ "${STRONGSWAN_TNC_FORCE:-0}" == 1 ]]; then
    say "STRONGSWAN_TNC_FORCE=1: rebuilding $PREFIX"
  elif ! grep -qxF "configure: $CONFIGURE_KEY" "$STAMP"; then
    say "$PREFIX was built with other configure options: rebuilding"
  else
    say "$PREFIX is stamped but incomplete: rebuilding. Missing:"
    missing_files | sed 's/^/    /' >&2
  fi
elif [[ -d "$PREFIX" ]]; then
  say "$PREFIX exists without a completion stamp (an interrupted build?): rebuilding"
fi

: >"$LOG"
say "building strongSwan $SS_VERSION with PB-TNC into $PREFIX (log: $LOG)"

# ---- build dependencies -------------------------------------------------------------------------
phase "checking build dependencies" \
  "install them by hand: apt-get update && apt-get install -y --no-install-recommends ${BUILD_DEPS[*]}"
missing_pkgs=()
for p in "${BUILD_DEPS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing_pkgs+=("$p"); fi
done
for cmd in flock ldd sha256sum tar apt-get; do
  command -v "$cmd" >/dev/null || die "command '$cmd' not found" "install the Debian package that provides it (util-linux, libc-bin, coreutils, tar, apt)"
done
if ((${#missing_pkgs[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    die "build dependencies missing: ${missing_pkgs[*]}" \
      "as root: apt-get update && apt-get install -y --no-install-recommends ${missing_pkgs[*]}"
  fi
  phase "installing build dependencies: ${missing_pkgs[*]}" \
    "install them by hand: apt-get update && apt-get install -y --no-install-recommends ${missing_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_install=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing_pkgs[@]}")
  if ! "${apt_install[@]}" >>"$LOG" 2>&1; then
    say "apt-get install failed; refreshing the package lists and retrying"
    apt-get update -q -o DPkg::Lock::Timeout=300 >>"$LOG" 2>&1
    "${apt_install[@]}" >>"$LOG" 2>&1
  fi
fi

# ---- private apt setup and source download -------------------------------------------------------
phase "finding the Debian mirror this machine uses"
# Prints the first URI of an enabled deb/deb-src entry whose suites include $1 exactly, from the
# system's deb822 (.sources) and one-line (.list) files. Read-only: nothing of the system's is changed.
find_mirror() {
  local suite="$1" f
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    awk -v want="$suite" '
      function flush() {
        if (uris != "" && enabled != "no" && types ~ /(^|[ \t])deb(-src)?([ \t]|$)/) {
          n = split(suites, s, /[ \t]+/)
          for (i = 1; i <= n; i++) if (s[i] == want) { split(uris, u, /[ \t]+/); print u[1]; exit }
        }
        uris = ""; suites = ""; types = ""; enabled = ""
      }
      /^[ \t]*$/ { flush(); next }
      /^#/ { next }
      tolower($1) == "uris:"    { sub(/^[^:]*:[ \t]*/, ""); uris = $0 }
      tolower($1) == "suites:"  { sub(/^[^:]*:[ \t]*/, ""); suites = $0 }
      tolower($1) == "types:"   { sub(/^[^:]*:[ \t]*/, ""); types = $0 }
      tolower($1) == "enabled:" { sub(/^[^:]*:[ \t]*/, ""); enabled = tolower($0) }
      END { flush() }
    ' "$f" | head -n1
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
      awk -v want="$suite" '($1 == "deb" || $1 == "deb-src") && $3 == want { print $2; exit }'
  done
  shopt -u nullglob
}
MIRROR="${STRONGSWAN_TNC_MIRROR:-$(find_mirror bookworm | head -n1)}"
SEC_MIRROR="${STRONGSWAN_TNC_SECURITY_MIRROR:-$(find_mirror bookworm-security | head -n1)}"
if [[ -z "$MIRROR" ]]; then
  MIRROR=http://deb.debian.org/debian
  say "no bookworm entry in /etc/apt/sources*; using $MIRROR (set STRONGSWAN_TNC_MIRROR to change)"
fi
if [[ -z "$SEC_MIRROR" ]]; then
  SEC_MIRROR=http://deb.debian.org/debian-security
  say "no bookworm-security entry in /etc/apt/sources*; using $SEC_MIRROR (set STRONGSWAN_TNC_SECURITY_MIRROR to change)"
fi
say "deb-src $MIRROR bookworm main; deb-src $SEC_MIRROR bookworm-security main"

mkdir -p "$CACHE_ROOT" "$SOURCES"
APT_TMP="$(mktemp -d "$CACHE_ROOT/.apt-src.XXXXXX")"
mkdir -p "$APT_TMP/lists/partial" "$APT_TMP/cache/archives/partial" "$APT_TMP/dl"
cat >"$APT_TMP/sources.list" <<EOF
deb-src $MIRROR bookworm main
deb-src $SEC_MIRROR bookworm-security main
EOF
APT_OPTS=(
  -o "Dir::Etc::SourceList=$APT_TMP/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$APT_TMP/lists"
  -o "Dir::Cache=$APT_TMP/cache"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
)
[[ $(id -u) -eq 0 ]] && APT_OPTS+=(-o "APT::Sandbox::User=root")

MIRROR_HINT="check that $MIRROR and $SEC_MIRROR are reachable, or point STRONGSWAN_TNC_MIRROR / STRONGSWAN_TNC_SECURITY_MIRROR at a Debian mirror that carries bookworm source packages"
phase "downloading the source index (private sources list, the system's is untouched)" "$MIRROR_HINT"
# One unreachable suite is not fatal: both carry the same orig tarball. The next phase decides.
rc=0
apt-get "${APT_OPTS[@]}" update >>"$LOG" 2>&1 || rc=$?
[[ $rc -eq 0 ]] || say "apt-get update reported errors (exit $rc, details in $LOG); trying with the indexes that arrived"

phase "locating the orig tarball of Debian's $SRC_PACKAGE source package" \
  "no source index offered $SRC_PACKAGE; $MIRROR_HINT"
# --print-uris in an empty directory lists every file of the newest source version with its hash.
(cd "$APT_TMP/dl" && apt-get "${APT_OPTS[@]}" -qq source --print-uris "$SRC_PACKAGE") >"$APT_TMP/uris" 2>>"$LOG"
cat "$APT_TMP/uris" >>"$LOG"
ORIG_LINE="$(grep -E "^'[^']*' ${SRC_PACKAGE}_${SS_VERSION//./\\.}\.orig\.tar\.(gz|bz2|xz) " "$APT_TMP/uris" | head -n1 || true)"
if [[ -z "$ORIG_LINE" ]]; then
  say "source files offered by the mirror:"
  sed 's/^/    /' "$APT_TMP/uris" >&2
  die "no ${SRC_PACKAGE}_${SS_VERSION}.orig.tar.* in Debian's newest $SRC_PACKAGE source package" \
    "this script builds exactly strongSwan $SS_VERSION (bookworm); check the mirror's bookworm sources"
fi
read -r _uri ORIG_NAME _size ORIG_HASH <<<"$ORIG_LINE"
ORIG_SHA256="${ORIG_HASH#SHA256:}"
[[ "$ORIG_HASH" == SHA256:* ]] || die "apt reported no SHA256 for $ORIG_NAME ($ORIG_HASH)" "look at $LOG"
SRC_VERSION="$(sed -n "s/^'[^']*' ${SRC_PACKAGE}_\([^ ]*\)\.dsc .*/\1/p" "$APT_TMP/uris" | head -n1)"
say "Debian source $SRC_PACKAGE ${SRC_VERSION:-?}: using $ORIG_NAME (sha256 ${ORIG_SHA256:0:16}...)"

tarball_ok() { [[ -f "$SOURCES/$ORIG_NAME" ]] && echo "$ORIG_SHA256  $SOURCES/$ORIG_NAME" | sha256sum --quiet -c - >/dev/null 2>&1; }
if tarball_ok; then
  say "orig tarball already cached: $SOURCES/$ORIG_NAME"
else
  phase "apt-get source --download-only $SRC_PACKAGE" \
    "the mirror did not deliver $ORIG_NAME; check network access to $MIRROR and $SEC_MIRROR"
  # Only the orig tarball is needed; the .dsc / debian.tar.xz may be missing on a partial mirror
  # (apt then exits 100 although the tarball arrived), so judge by the tarball and its hash.
  rc=0
  (cd "$APT_TMP/dl" && apt-get "${APT_OPTS[@]}" source --download-only "$SRC_PACKAGE") >>"$LOG" 2>&1 || rc=$?
  if [[ -f "$APT_TMP/dl/$ORIG_NAME" ]]; then
    [[ $rc -eq 0 ]] || say "apt-get source exited $rc (other files of the source package unavailable); the orig tarball arrived, which is all the build needs"
    echo "$ORIG_SHA256  $APT_TMP/dl/$ORIG_NAME" | sha256sum --quiet -c - >>"$LOG" 2>&1 ||
      die "$ORIG_NAME does not match the SHA256 in the mirror's source index" "retry; if it persists, the mirror or a proxy is serving a corrupt file"
    mv -f "$APT_TMP/dl/$ORIG_NAME" "$SOURCES/$ORIG_NAME"
  else
    false # apt-get failed and delivered no tarball: on_error shows the log tail
  fi
fi
rm -rf -- "$APT_TMP"
APT_TMP=''

# ---- unpack, configure, build -------------------------------------------------------------------
phase "unpacking $ORIG_NAME" "check free space in $CACHE_ROOT (about 400 MB needed)"
avail_kb="$(df -Pk "$CACHE_ROOT" | awk 'NR == 2 { print $4 }')"
if [[ -n "$avail_kb" && "$avail_kb" -lt 409600 ]]; then
  die "only $((avail_kb / 1024)) MB free in $CACHE_ROOT; the build needs about 400 MB" "free some space or set STRONGSWAN_TNC_PREFIX elsewhere"
fi
rm -rf -- "$WORK"
mkdir -p "$WORK"
tar -xf "$SOURCES/$ORIG_NAME" -C "$WORK" >>"$LOG" 2>&1
SRC_DIR="$WORK/strongswan-$SS_VERSION"
[[ -x "$SRC_DIR/configure" ]] || die "$ORIG_NAME did not unpack to $SRC_DIR with a configure script" "look at $WORK"

phase "configure (the PEERS.md line; about 1.5 min)" \
  "configure rejected the options or a library is missing; the log tail above names it (headers come from: ${BUILD_DEPS[*]})"
printf 'configure %s\n' "$CONFIGURE_KEY" >>"$LOG"
in_src_heartbeat configure_status ./configure "${CONFIGURE_ARGS[@]}"

phase "make -j$JOBS (several minutes on 2 cores; progress every 20 s)" \
  "the compiler error is in the log tail above; a missing header means a missing -dev package"
in_src_heartbeat make_status make -j"$JOBS"

# ---- install (staged, then renamed into place) ---------------------------------------------------
phase "make install (staged in $WORK/stage)" "the install error is in the log tail above"
STAGE="$WORK/stage"
in_src_heartbeat make_status make install DESTDIR="$STAGE"
[[ -d "$STAGE$PREFIX" ]] || die "make install put nothing under $STAGE$PREFIX" "look at $LOG"

phase "moving the install into $PREFIX"
rm -rf -- "$PREFIX.old"
if [[ -e "$PREFIX" ]]; then mv -- "$PREFIX" "$PREFIX.old"; fi
mv -- "$STAGE$PREFIX" "$PREFIX"
rm -rf -- "$PREFIX.old"

# ---- verify, then stamp --------------------------------------------------------------------------
phase "verifying binaries, plugins, IMCs/IMVs and their shared libraries" \
  "the install is incomplete or a library does not resolve; the log tail above lists what"
missing="$(missing_files)"
if [[ -n "$missing" ]]; then
  printf 'missing after install:\n%s\n' "$missing" >>"$LOG"
  die "the install lacks expected files:
$(sed 's/^/    /' <<<"$missing")" "check that configure enabled them ('grep -i tnc $LOG'); the options are the PEERS.md line"
fi
CHARON="$(charon_path)"
unresolved=''
shopt -s nullglob
for f in "$CHARON" "$PREFIX/bin/pt-tls-client" "$PREFIX/sbin/swanctl" "$PREFIX"/lib/ipsec/plugins/*.so "$PREFIX"/lib/ipsec/imcvs/*.so; do
  out="$(ldd "$f" 2>&1 || true)"
  if grep -q 'not found' <<<"$out"; then unresolved+="$f: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"$'\n'; fi
done
shopt -u nullglob
if [[ -n "$unresolved" ]]; then
  printf 'unresolved libraries:\n%s' "$unresolved" >>"$LOG"
  die "shared libraries do not resolve:
$(sed 's/^/    /' <<<"${unresolved%$'\n'}")" "install the runtime packages of the build dependencies, then run again"
fi
version_out="$("$CHARON" --version 2>&1 || true)"
grep -qF "strongSwan $SS_VERSION" <<<"$version_out" ||
  die "$CHARON --version printed '$version_out', expected strongSwan $SS_VERSION" "look at $LOG"

stamp_tmp="$PREFIX/.tnc-build-complete.tmp"
{
  echo "strongswan: $SS_VERSION"
  echo "debian-source: $SRC_PACKAGE ${SRC_VERSION:-unknown} (orig tarball only, no Debian patches)"
  echo "tarball: $ORIG_NAME sha256:$ORIG_SHA256"
  echo "mirrors: $MIRROR $SEC_MIRROR"
  echo "built: $(date -Is) in $((SECONDS - T0))s, make -j$JOBS"
  echo "charon: $CHARON"
  echo "configure: $CONFIGURE_KEY"
} >"$stamp_tmp"
mv -f -- "$stamp_tmp" "$STAMP"
rm -rf -- "$WORK"
say "done in $((SECONDS - T0))s: $PREFIX"
done_ok
