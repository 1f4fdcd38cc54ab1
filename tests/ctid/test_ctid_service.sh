#!/bin/bash
# test_ctid_service.sh BUILD_DIR - ctid as the systemd service it is installed as (TAP).
#
# `make install-ctid` into a DESTDIR; the unit's fields and paths; `systemd-analyze verify` (ExecStart
# pointed into the DESTDIR) and `systemd-analyze security` (exposure at most 3.0); sysusers.d and
# tmpfiles.d applied to the DESTDIR (user ctid, /var/spool/ctid). Then ctid is started the way the
# unit says, emulated without a running systemd: ExecStartPre's check, then ExecStart's command as
# the unit's user (the uid sysusers gave ctid), with no capabilities and no_new_privs, UMask, a
# private /tmp, and everything read-only but StateDirectory and ReadWritePaths (ProtectSystem=strict,
# with a mount namespace); the sample configuration with its paths moved into the DESTDIR and the
# emulated board's traffic added. Checked: every log line is a "ctid: " line on stderr (the
# journal's), ExecReload (SIGHUP) reloads (a token added to the file works afterwards, the calls stay
# up), SIGTERM stops it within TimeoutStopSec with the calls cleared with cause 16, their CDR rows
# written and the recording closed, owned by the service user, not world-readable.
# Without root (setpriv, unshare) the run goes on as the calling user, and says so (# SKIP).
set -uo pipefail
B=${1:-build/std}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
[[ $B == build/asan* ]] && san=1 || san=0
mkdir -p "$B/tests/ctid"
# Not below /tmp: the service gets a private /tmp (PrivateTmp=yes) and must not see this tree there.
T=$(mktemp -d "$top/$B/tests/ctid/service.XXXXXX")
trap 'kill -9 "${pid:-}" 2>/dev/null; rm -rf "$T"' EXIT
root=$T/root
prefix=/usr/local
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
unit=$root$prefix/lib/systemd/system/ctid.service
# field KEY: the value of KEY= in [Service] (several lines: joined with spaces).
field() { awk -F= -v k="$1" '/^\[/ { s = $0 } s == "[Service]" && $1 == k { sub(/^[^=]*=/, ""); v = v (v ? " " : "") $0 }
	END { print v }' "$unit"; }
waitlog() {	# waitlog REGEX SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -qE "$1" "$T/ctid.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ---- install ----
unset MAKEFLAGS MFLAGS MAKELEVEL
if make --no-print-directory SAN=$san install-ctid DESTDIR="$root" PREFIX=$prefix >"$T/install.log" 2>&1; then
	ok "make install-ctid DESTDIR=... PREFIX=$prefix"
else
	fail "make install-ctid"; sed 's/^/# /' "$T/install.log" | tail -20
fi
for f in $prefix/bin/ctid $prefix/bin/ctictl $prefix/lib/systemd/system/ctid.service /usr/lib/sysusers.d/ctid.conf \
	/usr/lib/tmpfiles.d/ctid.conf $prefix/share/doc/libcti/ctid.conf.sample; do
	check "installed: $f" test -s "$root$f"
done

# ---- the unit's fields ----
check "no @PLACEHOLDER@ left in the unit" bash -c "! grep -qE '@[A-Z]+@' '$unit'"
check "ExecStart runs the installed ctid on /etc/ctid/ctid.conf" test "$(field ExecStart)" = "$prefix/bin/ctid /etc/ctid/ctid.conf"
check "ExecStartPre checks the same file" test "$(field ExecStartPre)" = "$prefix/bin/ctid --check /etc/ctid/ctid.conf"
check "ExecReload sends SIGHUP to the main process" test "$(field ExecReload)" = '/bin/kill -HUP $MAINPID'
check "Restart=on-failure" test "$(field Restart)" = on-failure
stop_s=$(field TimeoutStopSec)
check "TimeoutStopSec is a number of seconds ($stop_s)" bash -c "[[ '$stop_s' =~ ^[0-9]+$ ]]"
for kv in ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes ProtectHome=yes StateDirectory=ctid; do
	check "$kv" test "$(field "${kv%%=*}")" = "${kv#*=}"
done
user=$(field User)
check "User= is the user sysusers.d creates ($user)" \
	bash -c "awk '\$1 == \"u\" { print \$2 }' '$root/usr/lib/sysusers.d/ctid.conf' | grep -qx '$user'"
# The places ctid writes with the sample configuration lie in StateDirectory or ReadWritePaths.
writable="/var/lib/$(field StateDirectory) $(field ReadWritePaths)"
inside() { local p=$1 w; for w in $writable; do [[ $p == "$w"/* || $p == "$w" ]] && return 0; done; return 1; }
sample=$root$prefix/share/doc/libcti/ctid.conf.sample
cdr=$(sed -nE 's/^cdr *= *sqlite:([^ #]*).*/\1/p' "$sample")
recdir=$(awk '/^\[recording\]/ { r = 1; next } /^\[/ { r = 0 } r && $1 == "dir" { print $3 }' "$sample")
check "the sample's CDR database ($cdr) is writable under the unit" inside "$cdr"
check "the sample's recording dir ($recdir) is writable under the unit" inside "$recdir"
while read -r path; do
	check "the sample's IVR record step ($path) is writable under the unit" inside "$path"
done < <(sed -nE 's/^[a-z]+ *= *record +([^ ]+).*/\1/p' "$sample")
check "tmpfiles.d creates the ReadWritePaths" bash -c "for p in $(field ReadWritePaths); do
	grep -qE \"^d +\$p \" '$root/usr/lib/tmpfiles.d/ctid.conf' || exit 1; done"

# ---- systemd-analyze ----
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/verify"
	sed "s|$prefix/bin/|$root$prefix/bin/|g" "$unit" >"$T/verify/ctid.service"
	systemd-analyze verify --man=no "$T/verify/ctid.service" >"$T/verify.out" 2>&1
	check "systemd-analyze verify: no complaint" test $? -eq 0 -a ! -s "$T/verify.out"
	sed 's/^/# /' "$T/verify.out"
	systemd-analyze security --offline=yes --threshold=30 "$T/verify/ctid.service" >"$T/security.out" 2>&1
	r=$?
	echo "# $(grep 'Overall exposure' "$T/security.out")"
	check "systemd-analyze security: exposure at most 3.0" test $r -eq 0
else
	skip "systemd-analyze verify (not installed)"
	skip "systemd-analyze security (not installed)"
fi

# ---- sysusers.d, tmpfiles.d in the DESTDIR ----
mkdir -p "$root/etc"
touch "$root/etc/passwd" "$root/etc/group" "$root/etc/shadow" "$root/etc/gshadow"
uid=; gid=
if [[ $(id -u) == 0 ]] && systemd-sysusers --root="$root" >"$T/sysusers.out" 2>&1; then
	uid=$(awk -F: -v u="$user" '$1 == u { print $3 }' "$root/etc/passwd")
	gid=$(awk -F: -v u="$user" '$1 == u { print $4 }' "$root/etc/passwd")
	check "systemd-sysusers creates user $user (uid $uid)" test -n "$uid"
	systemd-tmpfiles --root="$root" --create "$root/usr/lib/tmpfiles.d/ctid.conf" >"$T/tmpfiles.out" 2>&1
	check "systemd-tmpfiles creates $recdir owned by $user, mode 750" \
		test "$(stat -c '%u %a' "$root$recdir" 2>/dev/null)" = "$uid 750"
else
	skip "systemd-sysusers (needs root): ctid runs as $(id -un)"
	skip "systemd-tmpfiles (needs root)"
	mkdir -p "$root$recdir/voicemail"
fi
# What systemd does at start for StateDirectory= (owner, StateDirectoryMode=).
state=/var/lib/$(field StateDirectory)
mkdir -p "$root$state"
chmod "$(field StateDirectoryMode)" "$root$state"
[[ -n $uid ]] && chown "$uid:$gid" "$root$state"

# ---- the configuration: the sample, its paths moved into the DESTDIR ----
etc=$root/etc/ctid
mkdir -p "$etc/prompts"
sed -e "s|$state|$root$state|g" -e "s|$recdir|$root$recdir|g" -e 's|^listen *=.*|listen = 127.0.0.1:0|' \
	"$sample" >"$etc/ctid.conf"
for w in welcome leave-message billing-welcome music; do
	sox -n -r 8000 -c 1 -b 16 "$etc/prompts/$w.wav" synth 0.5 sine 440 2>/dev/null
done
cp tests/ctid/test_ctid_service.sh "$etc/prompts/tariffs.tif"	# read by --check only; no fax is sent here
chmod -R a+rX "$T"

# ---- start it the way the unit says ----
run_as=()
if [[ -n $uid ]] && command -v setpriv >/dev/null; then
	run_as=(setpriv --reuid="$uid" --regid="$gid" --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all --)
fi
pre=$(field ExecStartPre); start=$(field ExecStart)
map() { sed -e "s|$prefix/bin/|$root$prefix/bin/|g" -e "s|/etc/ctid/|$etc/|g" <<<"$1"; }
read -ra pre_cmd <<<"$(map "$pre")"
"${run_as[@]}" "${pre_cmd[@]}" >"$T/check.out" 2>&1
check "ExecStartPre ($pre) passes on the installed sample" test $? -eq 0
sed 's/^/# /' "$T/check.out"
# The emulated board's traffic: 3 callers choose billing (recorded, one skilled agent: 1 talking, 2 waiting).
read -ra start_cmd <<<"$(map "$start") --login-all --sim-calls 3 --sim-digits 1 --sim-interval 300 --sim-talk 600000"
ns=()
if [[ ${#run_as[@]} -gt 0 ]] && unshare -m true 2>/dev/null; then
	# ProtectSystem=strict + ReadWritePaths + StateDirectory, PrivateTmp: in a mount namespace.
	binds=""
	for w in $writable; do binds+="mount --bind '$root$w' '$root$w' && "; done
	ns=(unshare -m -- bash -c "$binds mount --rbind '$root' '$root' && mount -o remount,bind,ro '$root' &&
		mount -t tmpfs tmpfs /tmp && mount -t tmpfs tmpfs /var/tmp && umask $(field UMask) && exec \"\$@\"" ctid)
	ok "started as uid $uid, no capabilities, read-only but $writable, private /tmp"
else
	skip "user, read-only file system and private /tmp emulation (needs root, setpriv, unshare)"
	ns=(bash -c "umask $(field UMask) && exec \"\$@\"" ctid)
fi
"${ns[@]}" "${run_as[@]}" "${start_cmd[@]}" >"$T/ctid.out" 2>"$T/ctid.log" &
pid=$!
check "the 1st caller talks to agent 1001, the others wait in billing" \
	bash -c "$(declare -f waitlog); T='$T'; waitlog 'call 1: agent 1001 talking' 20 && waitlog 'call 3: queued in billing' 20"
port=$(sed -n 's/.*WebSocket interface on port \([0-9]*\).*/\1/p' "$T/ctid.log")
ctictl=$root$prefix/bin/ctictl
check "running as the unit's user" test "$(stat -c %u /proc/$pid)" = "${uid:-$(id -u)}"

# ---- ExecReload ----
"$ctictl" --url "ws://127.0.0.1:$port" --token carol-secret-token --count 0 --timeout 5 >"$T/carol1" 2>&1
check "before the reload, a token not in the file is refused" grep -q authenticationFailed "$T/carol1"
printf '\n[agent 1003]\nname = Carol\nposition = 3003\nskills = billing:4\ntoken = carol-secret-token\n' >>"$etc/ctid.conf"
reload=$(field ExecReload)
bash -c "${reload//\$MAINPID/$pid}"
check "ExecReload: ctid reloads its file" waitlog "reloaded $etc/ctid.conf" 10
"$ctictl" --url "ws://127.0.0.1:$port" --token carol-secret-token --count 0 --timeout 5 >"$T/carol2" 2>&1
check "after the reload the new agent logs in" grep -q '"agent": "1003"' "$T/carol2"
check "the reload kept the calls (no CDR row yet, call 1 still talking)" \
	test "$(sqlite3 "$root$state/cdr.db" 'SELECT count(*) FROM cdr' 2>&1)" = 0

# ---- stop ----
t0=$(date +%s.%N)
kill -"$(field KillSignal | sed 's/^SIG//')" "$pid"
wait "$pid"
rc=$?
secs=$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
pid=
check "SIGTERM: exit 0 (got $rc)" test "$rc" -eq 0
check "stopped in ${secs} s, within TimeoutStopSec=$stop_s" awk -v s="$secs" -v m="$stop_s" 'BEGIN { exit !(s < m) }'
check "logged: calls cleared with cause 16" grep -q "shutting down: clearing calls with cause 16" "$T/ctid.log"
rows=$(sqlite3 "$root$state/cdr.db" "SELECT group_concat(leg || ':' || ifnull(agent, '') || ':' || cause, ' ')
	FROM (SELECT * FROM cdr ORDER BY call_id, leg)")
check "CDR rows flushed: 3 caller legs and agent 1001's, all cause 16 ($rows)" \
	test "$rows" = "1:1001:16 2:1001:16 1::16 1::16"
rec=$(sqlite3 "$root$state/cdr.db" "SELECT recording FROM cdr WHERE leg = 1 AND agent = '1001'")
check "the recording ($rec) lies in the recording dir" test "${rec%/*}" = "$root$recdir"
check "the recording was closed as a WAV with audio" \
	bash -c "[[ \$(soxi -s '$rec' 2>/dev/null) -gt 8000 ]]"
check "the recording and the CDR database belong to the service user, not world-readable" \
	bash -c "for f in '$rec' '$root$state/cdr.db'; do [[ \$(stat -c %u \"\$f\") == ${uid:-$(id -u)} &&
		\$(( 0\$(stat -c %a \"\$f\") & 7 )) == 0 ]] || exit 1; done"
check "no failure logged" bash -c "! grep -Ei 'fail|cannot|error' '$T/ctid.log'"
check "every log line is one 'ctid: ' line on stderr (the journal's format)" \
	bash -c "[[ -s '$T/ctid.log' ]] && ! grep -v '^ctid: ' '$T/ctid.log'"
check "nothing on stdout" test ! -s "$T/ctid.out"
echo "1..$n"
