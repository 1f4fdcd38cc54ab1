#!/bin/bash
# install-test.sh BUILD_DIR - TAP test of `make install`.
# Installs into a temporary DESTDIR with PREFIX=/usr/local, then checks the
# files, pkg-config (--define-prefix, so the staged tree is used as is), and
# builds examples/simple_call.c against what was installed and runs it.
set -uo pipefail
B=${1:-build/std}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
[[ $B == build/asan* ]] && san=1 || san=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
prefix=/usr/local
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

# A recursive make of our own: do not inherit the jobserver of a calling make.
unset MAKEFLAGS MFLAGS MAKELEVEL
if make --no-print-directory SAN=$san install DESTDIR="$dest" PREFIX=$prefix >"$tmp/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=$prefix"
else
	fail "make install DESTDIR=... PREFIX=$prefix"; sed 's/^/# /' "$tmp/install.log" | tail -20
fi

root=$dest$prefix
check "libcti.a installed" test -f "$root/lib/libcti.a"
check "libcti.so.1 installed" test -f "$root/lib/libcti.so.1"
check "libcti.so -> libcti.so.1" test "$(readlink "$root/lib/libcti.so")" = libcti.so.1
check "soname libcti.so.1" bash -c "objdump -p '$root/lib/libcti.so.1' | grep -q 'SONAME *libcti.so.1'"
check "cti.h installed, identical" cmp -s include/cti.h "$root/include/cti.h"
check "libcti.pc installed" test -f "$root/lib/pkgconfig/libcti.pc"
check "docs installed" test -f "$root/share/doc/libcti/README.md"
check "example sources installed" test -f "$root/share/doc/libcti/examples/simple_call.c"

export PKG_CONFIG_PATH=$root/lib/pkgconfig
pc() { pkg-config --define-prefix "$@" libcti; }
want=$(sed -nE 's/^#define CTI_VERSION_MAJOR ([0-9]+).*/\1/p' include/cti.h).$(sed -nE \
	's/^#define CTI_VERSION_MINOR ([0-9]+).*/\1/p' include/cti.h)
check "pkg-config libcti version $want" test "$(pc --modversion)" = "$want"
check "pkg-config --cflags points into DESTDIR" test "$(echo $(pc --cflags))" = "-I$root/include"
check "pkg-config --libs points into DESTDIR" test "$(echo $(pc --libs))" = "-L$root/lib -lcti"
# libcti links what it uses: not speexdsp (unused) nor jansson (the cti tool's).
check "libcti.so.1 and Libs.private need neither speexdsp nor jansson" bash -c \
	"! { objdump -p '$root/lib/libcti.so.1' | grep NEEDED; pkg-config --define-prefix --static --libs libcti; } |
	grep -qE 'speex|jansson'"

# Exports: exactly the functions declared in cti.h, each versioned CTI_1.0. The
# header is parsed here on its own (not with scripts/cti-symbols.sh, which
# makes the version script) so a mistake there shows up as a difference.
so=$root/lib/libcti.so.1
decls=$(grep -E '^[A-Za-z_][A-Za-z0-9_ *]*[ *]cti_[a-z0-9_]+\(' include/cti.h | grep -vE '^(typedef|#)')
hdr_funcs=$(sed -nE 's/.*[ *](cti_[a-z0-9_]+)\(.*/\1/p' <<<"$decls" | sort -u)
unmarked=$(grep -v '^CTI_API ' <<<"$decls")
check "every function declared in cti.h is marked CTI_API" test -z "$unmarked"
[[ -z $unmarked ]] || sed 's/^/# not CTI_API: /' <<<"$unmarked"
check "cti.h declares functions ($(wc -l <<<"$hdr_funcs"))" test "$(wc -l <<<"$hdr_funcs")" -gt 50
exported=$(nm -D --defined-only --with-symbol-versions "$so" | awk '{print $3}' | sort)
want_exp=$( (sed 's/$/@@CTI_1.0/' <<<"$hdr_funcs"; echo CTI_1.0) | sort)
if [[ $exported == "$want_exp" ]]; then
	ok "libcti.so.1 exports exactly the $(wc -l <<<"$hdr_funcs") functions of cti.h as CTI_1.0 (nm -D)"
else
	fail "libcti.so.1 exports exactly the functions of cti.h as CTI_1.0 (nm -D)"
	diff <(echo "$want_exp") <(echo "$exported") | grep '^[<>]' | head -20 | sed 's/^</# missing:/; s/^>/# extra:/'
fi
check "no internal symbol exported (core_ cti__ media_ fw_ ctifw_ pri_ q931_)" bash -c \
	"! nm -D --defined-only '$so' | awk '{print \$3}' | grep -qE '^(core_|cti__|media_|fw_|ctifw_|maint_|fax_|pri_|q931_|q921_)'"

# cti_version() of the installed library matches the header it was built from.
hv=$(sed -nE 's/^#define CTI_VERSION_STRING "([^"]+)".*/\1/p' include/cti.h)
cat >"$tmp/ver.c" <<'EOC'
#include <stdio.h>
#include <cti.h>
int main(void)
{
	printf("%s %06x %06x\n", cti_version(), (unsigned)cti_version_number(), (unsigned)CTI_VERSION_NUMBER);
	return 0;
}
EOC
if gcc -std=c11 -Wall -Werror -o "$tmp/ver" "$tmp/ver.c" $(pc --cflags --libs) 2>"$tmp/cc.log" &&
	out=$(LD_LIBRARY_PATH=$root/lib "$tmp/ver") && read -r v num hnum <<<"$out" &&
	[[ $v == "$hv" && $num == "$hnum" && $v == "$want".* ]]; then
	ok "cti_version() of the installed libcti.so.1 is $hv, number $hnum as in cti.h"
else
	fail "cti_version() of the installed libcti.so.1 is $hv (got: ${out:-nothing})"; sed 's/^/# /' "$tmp/cc.log"
fi

# simple_call needs libcti's core; until it is in the library there is nothing to link.
if nm -D --defined-only "$root/lib/libcti.so.1" 2>/dev/null | grep -w cti_open >/dev/null; then
	if gcc -std=c11 -Wall -Wextra -Werror -o "$tmp/simple_call_so" examples/simple_call.c \
		$(pc --cflags --libs) 2>"$tmp/cc.log"; then
		ok "simple_call.c builds against the installed libcti.so (pkg-config)"
	else
		fail "simple_call.c builds against the installed libcti.so"; sed 's/^/# /' "$tmp/cc.log"
	fi
	check "simple_call uses the installed libcti.so.1" bash -c \
		"LD_LIBRARY_PATH='$root/lib' ldd '$tmp/simple_call_so' | grep -q '$root/lib/libcti.so.1'"
	if LD_LIBRARY_PATH=$root/lib "$tmp/simple_call_so" >"$tmp/run.log" 2>&1 && grep -q '^simple_call: OK' "$tmp/run.log"; then
		ok "simple_call (shared) places, answers and clears a call"
	else
		fail "simple_call (shared) places, answers and clears a call"; sed 's/^/# /' "$tmp/run.log" | tail -20
	fi
	# Static: libcti.a plus the private dependencies pkg-config --static lists.
	libs=$(pc --static --libs | sed -E 's/(^| )-lcti( |$)/ /')
	if gcc -std=c11 -Wall -Wextra -Werror -o "$tmp/simple_call_a" examples/simple_call.c $(pc --cflags) \
		"$root/lib/libcti.a" $libs 2>"$tmp/cc.log"; then
		ok "simple_call.c links the installed libcti.a (pkg-config --static)"
	else
		fail "simple_call.c links the installed libcti.a"; sed 's/^/# /' "$tmp/cc.log"
	fi
	if "$tmp/simple_call_a" >"$tmp/run.log" 2>&1 && grep -q '^simple_call: OK' "$tmp/run.log"; then
		ok "simple_call (static) places, answers and clears a call"
	else
		fail "simple_call (static) places, answers and clears a call"; sed 's/^/# /' "$tmp/run.log" | tail -20
	fi
else
	for t in "build against libcti.so" "uses installed libcti.so.1" "run (shared)" "link libcti.a" "run (static)"; do
		skip "simple_call: $t (libcti has no call core yet)"
	done
fi

for m in docs/man/*.1; do
	[[ -e $m ]] || continue
	check "man page $(basename "$m") installed" cmp -s "$m" "$root/share/man/man1/$(basename "$m")"
done
for d in docs/*.md; do
	check "$(basename "$d") installed in share/doc/libcti" cmp -s "$d" "$root/share/doc/libcti/$(basename "$d")"
	break	# one is enough to show the rule; the list changes as docs are written
done
for w in agent.html wallboard.html ctid.js; do
	check "web page $w installed in share/ctid/web" cmp -s "server/ctid/web/$w" "$root/share/ctid/web/$w"
done
if [[ -x $B/tools/cti ]]; then
	check "cti tool installed" test -x "$root/bin/cti"
	check "installed cti runs (--help)" bash -c "'$root/bin/cti' --help >/dev/null"
else
	skip "cti tool installed (not built)"
fi
ko=$(ls build/kernel/ctitdm/ctitdm.ko 2>/dev/null)
if [[ -n $ko ]]; then
	kver=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	check "ctitdm.ko installed in lib/modules/$kver/extra" cmp -s "$ko" "$dest/lib/modules/$kver/extra/ctitdm.ko"
else
	skip "ctitdm.ko installed (not built)"
fi
if make --no-print-directory SAN=$san uninstall DESTDIR="$dest" PREFIX=$prefix >"$tmp/uninstall.log" 2>&1 &&
	[[ -z $(find "$dest" -type f -o -type l) ]]; then
	ok "make uninstall removes every installed file"
else
	fail "make uninstall leaves: $(find "$dest" -type f -o -type l | head -5 | tr '\n' ' ')"
fi
echo "1..$n"
exit $failed
