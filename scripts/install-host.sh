#!/usr/bin/env bash
# Installs the real VS Code host used by the integration and UI suites:
#   - Debian packages: chromium (headless browser), ripgrep, libkrb5-dev + pkg-config (native build
#     of code-server's `kerberos` module), and a C++ toolchain when missing;
#   - code-server (= VS Code server + web workbench with the normal Node extension host) from the npm
#     registry into .cache/vscode-host/, which is git-ignored and has its own package.json.
#
# Idempotent: a stamp file records the installed version; the second run only checks and exits.
# Fails loudly (non-zero exit, one clear message) when anything cannot be set up: it never skips.
#
# Environment:
#   CODE_SERVER_VERSION  code-server version to install (default below; = VS Code 1.100.3, Node 20)
#   VSCODE_HOST_DIR      install folder (default: <repo>/.cache/vscode-host)
#   VSCODE_HOST_FORCE=1  reinstall even when the stamp says it is there
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.100.3}
HOST_DIR=${VSCODE_HOST_DIR:-$REPO_ROOT/.cache/vscode-host}
STAMP="$HOST_DIR/.installed"
STAMP_CONTENT="code-server@$CODE_SERVER_VERSION node@$(node -p 'process.versions.modules')"
APT_PACKAGES=(chromium ripgrep libkrb5-dev pkg-config)

log() { printf '[install-host] %s\n' "$*"; }
die() {
  printf '\n[install-host] ERROR: %s\n' "$*" >&2
  printf '[install-host] The real VS Code host could not be set up; the integration and UI tests cannot run.\n' >&2
  exit 1
}
# shellcheck source=apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
trap 'rc=$?; [ $rc -eq 0 ] || printf "[install-host] FAILED (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

# --- Debian packages -------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after installing the 'chromium' package"
command -v rg >/dev/null 2>&1 || die "ripgrep (rg) is missing after installing the 'ripgrep' package"

# --- code-server -----------------------------------------------------------------------------
CS_PKG="$HOST_DIR/node_modules/code-server"
if [ "${VSCODE_HOST_FORCE:-}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_CONTENT" ] &&
  [ -x "$HOST_DIR/node_modules/.bin/code-server" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $HOST_DIR"
  exit 0
fi

mkdir -p "$HOST_DIR"
# Two installs at once (two terminals, an editor task) would corrupt node_modules: serialize them.
exec 9>"$HOST_DIR/.lock"
flock -w 900 9 || die "timed out waiting for another install-host run (lock $HOST_DIR/.lock)"

# Versions of @vscode/ripgrep and of the rg release it downloads, per code-server version. They come
# from code-server's lib/vscode/npm-shrinkwrap.json ("node_modules/@vscode/ripgrep".version) and
# from VERSION in that package's lib/postinstall.js. For an unknown version they are derived from
# the package tarball (npm pack, registry only).
case "$CODE_SERVER_VERSION" in
  4.100.3) RG_PKG_VERSION=1.15.11 RG_TAG=v13.0.0-10 ;;
  *)
    log "deriving @vscode/ripgrep versions for code-server $CODE_SERVER_VERSION from its tarball"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "code-server@$CODE_SERVER_VERSION" >/dev/null) || die "npm pack code-server@$CODE_SERVER_VERSION failed"
    RG_PKG_VERSION=$(tar xzOf "$tmp"/code-server-*.tgz package/lib/vscode/npm-shrinkwrap.json |
      node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8"));process.stdout.write(s.packages["node_modules/@vscode/ripgrep"].version)') ||
      die "cannot read @vscode/ripgrep's version from code-server's npm-shrinkwrap.json"
    (cd "$tmp" && npm pack --silent "@vscode/ripgrep@$RG_PKG_VERSION" >/dev/null) || die "npm pack @vscode/ripgrep@$RG_PKG_VERSION failed"
    RG_TAG=$(tar xzOf "$tmp"/vscode-ripgrep-*.tgz package/lib/postinstall.js | sed -n "s/^const VERSION = '\(.*\)';.*/\1/p")
    rm -rf "$tmp"
    [ -n "$RG_TAG" ] || die "cannot read the ripgrep release tag from @vscode/ripgrep@$RG_PKG_VERSION"
    ;;
esac
case "$(uname -m)" in
  x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here. It first looks
# for <tmpdir>/vscode-ripgrep-cache-<pkg version>/ripgrep-<tag>-<target>.tar.gz and unpacks that
# instead: seed it with Debian's rg (same major version 13).
RG_CACHE="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RG_PKG_VERSION"
RG_TARBALL="$RG_CACHE/ripgrep-$RG_TAG-$RG_TARGET.tar.gz"
mkdir -p "$RG_CACHE"
tmp=$(mktemp -d)
cp "$(command -v rg)" "$tmp/rg"
tar czf "$RG_TARBALL" -C "$tmp" rg
rm -rf "$tmp"
rg_version=$(rg --version)
log "seeded $RG_TARBALL with ${rg_version%%$'\n'*}"

cd "$HOST_DIR"
[ -f package.json ] || printf '{\n  "name": "mineru-vscode-host",\n  "private": true,\n  "description": "code-server for the MinerU extension tests (installed by scripts/install-host.sh)"\n}\n' >package.json
log "npm install code-server@$CODE_SERVER_VERSION into $HOST_DIR (takes 1-2 minutes the first time)"
# unsafe_perm: code-server's postinstall.sh refuses to run as root without it.
# yes: node-pty's postinstall runs `npx node-gyp`, and npx without a TTY needs consent to fetch it.
# nodedir: build the native modules against the installed Node headers instead of downloading them.
nodedir_env=()
[ -d /usr/include/node ] && [ -z "${npm_config_nodedir:-}" ] && nodedir_env=(npm_config_nodedir=/usr)
if ! env npm_config_unsafe_perm=true npm_config_yes=true "${nodedir_env[@]}" \
  npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION" </dev/null >"$HOST_DIR/npm-install.log" 2>&1; then
  tail -40 "$HOST_DIR/npm-install.log" >&2
  die "npm install code-server@$CODE_SERVER_VERSION failed (full log: $HOST_DIR/npm-install.log)"
fi

# Verify, rather than trust the exit code: code-server's postinstall can print an error and still exit 0.
[ -x node_modules/.bin/code-server ] || die "node_modules/.bin/code-server is missing after the install"
RG_BIN="$CS_PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
[ -x "$RG_BIN" ] || die "code-server's ripgrep ($RG_BIN) is missing: the download short-circuit did not work (see npm-install.log)"
[ -d "$CS_PKG/lib/vscode/node_modules/kerberos/build" ] || [ -e "$CS_PKG/lib/vscode/node_modules/kerberos" ] ||
  die "code-server's native modules were not built (see npm-install.log)"
# (XDG_*: even --version writes a config file and logs; keep them out of $HOME.)
version_out=$(XDG_CONFIG_HOME="$HOST_DIR/.xdg" XDG_DATA_HOME="$HOST_DIR/.xdg" XDG_CACHE_HOME="$HOST_DIR/.xdg" \
  node_modules/.bin/code-server --version 2>&1) || die "code-server --version failed: $version_out"
installed=$(printf '%s\n' "$version_out" | grep -E "^$CODE_SERVER_VERSION " || true)
[ -n "$installed" ] || die "code-server --version did not report $CODE_SERVER_VERSION: $version_out"
rm -rf "$HOST_DIR/.xdg"

printf '%s' "$STAMP_CONTENT" >"$STAMP"
log "installed code-server $installed"
