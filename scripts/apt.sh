# Shared by the install scripts (sourced): apt_install PACKAGE... installs Debian packages with
# apt-get (as root, or through sudo -n), quietly, and calls the caller's `log` and `die`.
apt_install() {
  log "installing Debian packages: $*"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install: $*"
    sudo=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq </dev/null || die "apt-get update failed"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" </dev/null >/dev/null ||
    die "apt-get install $* failed"
}
