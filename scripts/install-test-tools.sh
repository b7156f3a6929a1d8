#!/usr/bin/env bash
# Installs the system tools the unit tests use, so that those tests run instead of skipping:
#   - openssl (Debian package openssl): self-signed certificates for the TLS part of the
#     connection check (test/unit/connectionCheck.test.ts) and for the TLS proxy that lets the
#     official CLI's flash-extract reach the fake (test/unit/officialCli.test.ts);
#   - /usr/share/doc/libtasn1-doc/libtasn1.pdf (Debian package libtasn1-doc): a real PDF 1.5 for the
#     page counter (test/unit/files.preflight.test.ts).
# The official CLI itself is the npm optional dependency mineru-open-api-linux-x64 (`npm ci`).
#
# Idempotent: when everything is there it only checks. Fails loudly (non-zero exit, one clear
# message) when something is missing and cannot be installed. On a machine without apt-get that is
# not linux-x64 (macOS, Windows, arm64) it says what is missing and exits 0: the tests that need it
# record a platform skip there (test/unit/helpers/skip.ts). On linux-x64 everything must run.
set -euo pipefail

log() { printf '[install-test-tools] %s\n' "$*"; }
die() {
  printf '\n[install-test-tools] ERROR: %s\n' "$*" >&2
  printf '[install-test-tools] The tests that need it would fail; install it and run again.\n' >&2
  exit 1
}
# shellcheck source=apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

LIBTASN1_PDF=/usr/share/doc/libtasn1-doc/libtasn1.pdf

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -f "$LIBTASN1_PDF" ] || missing+=(libtasn1-doc)

if [ ${#missing[@]} -eq 0 ]; then
  log "openssl and $LIBTASN1_PDF are present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  platform="$(uname -s)-$(uname -m)"
  if [ "$platform" = Linux-x86_64 ]; then
    die "missing ${missing[*]} and no apt-get: install the equivalent packages by hand (linux-x64 must run every test)"
  fi
  log "missing ${missing[*]} on $platform without apt-get: the tests that need them will skip for the platform"
  exit 0
fi

apt_install "${missing[@]}"

# Verify, rather than trust the exit code.
command -v openssl >/dev/null 2>&1 || die "openssl is missing after installing the 'openssl' package"
[ -f "$LIBTASN1_PDF" ] || die "$LIBTASN1_PDF is missing after installing libtasn1-doc (does a dpkg path-exclude drop /usr/share/doc? see /etc/dpkg/dpkg.cfg.d/)"
log "installed ${missing[*]}"
