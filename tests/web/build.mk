# tests/web: ctid's web pages in a real browser.
#   test_web.sh  the agent desktop and the wallboard (server/ctid/web) in headless Chromium
#                (Debian's chromium, driven by playwright-core from npm: `make deps` installs it
#                into tests/web/node_modules from package-lock.json) against ctid on the emulated
#                board in real time; screenshots in $(B)/artifacts/web/
SCRIPT_TESTS += tests/web/test_web.sh
SAN_SCRIPT_TESTS += tests/web/test_web.sh
