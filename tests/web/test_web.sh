#!/bin/bash
# test_web.sh BUILD_DIR - ctid's agent desktop and wallboard in headless Chromium (Debian's
# chromium driven by playwright-core from tests/web/node_modules, installed by `make deps`)
# against ctid on the emulated board in real time. Prints TAP; screenshots go to
# BUILD_DIR/artifacts/web/.
B=${1:-build/std}
D=$(dirname "$0")
if [[ ! -f $D/node_modules/playwright-core/package.json ]]; then
	echo "not ok 1 - playwright-core missing in $D/node_modules: run make deps"
	exit 1
fi
if [[ ! -x /usr/bin/chromium ]]; then
	echo "not ok 1 - /usr/bin/chromium missing: run make deps (Debian package chromium)"
	exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$B/artifacts/web"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec node "$D/test_web.js" "$PWD/$B/server/ctid/ctid" "$T" "$PWD/$B/artifacts/web" "$PWD/server/ctid/web"
