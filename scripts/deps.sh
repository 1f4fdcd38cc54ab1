#!/bin/bash
# Install the Debian 12 packages the project needs. Idempotent: does nothing
# (and needs no network) when everything is already installed.
#
#   deps.sh           install what is missing (make deps, make check, make demo)
#   deps.sh --check   install nothing: exit 1 with one line naming what is
#                     missing (plain make / make all never run apt)
set -euo pipefail
check_only=0
[[ ${1:-} == --check ]] && check_only=1

PACKAGES=(
	build-essential pkg-config bzip2 cpio libtsan2
	libpri-dev libspandsp-dev libtiff-dev libtiff-tools libsndfile1-dev
	libpcap-dev libjansson-dev libcmocka-dev libspeexdsp-dev libtonezone-dev
	ghostscript sox multimon-ng tshark python3 python3-kconfiglib espeak-ng
	linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static
	dahdi-source dahdi dahdi-linux abigail-tools
	clang libclang-rt-14-dev
	libsqlite3-dev sqlite3 libwebsockets-dev python3-websockets libpq-dev postgresql
	libhiredis-dev redis-server xxd
	libcurl4-openssl-dev chromium nodejs
)

# The browser test's driver (tests/web): playwright-core from npm, exactly the
# version of the committed package-lock.json, into tests/web/node_modules. It
# drives Debian's chromium and never downloads a browser. Nothing to do (and
# no network) when that version is already there.
WEB_DIR=$(cd "$(dirname "$0")/../tests/web" && pwd)
npm_deps() {
	local want have
	want=$(sed -n '/"node_modules\/playwright-core"/,/version/s/.*"version": *"\([^"]*\)".*/\1/p' "$WEB_DIR/package-lock.json")
	have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$WEB_DIR/node_modules/playwright-core/package.json" 2>/dev/null | head -1 || true)
	[[ -n $want && $want == "$have" ]] && return 0
	echo "deps: npm ci in tests/web (playwright-core $want)"
	(cd "$WEB_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
}

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# npm for the browser test's driver (not needed to build): Debian's nodejs
# comes without it, NodeSource's nodejs includes it.
(( check_only )) || command -v npm >/dev/null || missing+=(npm)

if [[ ${#missing[@]} -eq 0 ]]; then
	(( check_only )) || npm_deps
	exit 0
fi
if (( check_only )); then
	echo "deps: missing Debian packages: ${missing[*]}: run make deps" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
SUDO=
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}"
npm_deps
