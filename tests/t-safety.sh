#!/bin/bash
# t-safety.sh - nothing harms the machine or the results (issue 9):
#   - real hotplug: no spelling of the sysfs backend (abbreviated, =,
#     tabs, double spaces, quotes in a profile) runs without the opt-in;
#     the binary refuses before any hotplug, run.sh skips the line from
#     the binary's own dry run. Never takes a host CPU offline: the real
#     invocations run as user nobody (no permission to offline anything)
#     and the online mask is compared before and after;
#   - -o: a device node, FIFO, directory is refused and left alone;
#     /dev/stdout is written in place; a full disk (a small tmpfs) is
#     exit 3 naming the file; list/--help to /dev/full is exit 3;
#   - run.sh: the state file on a full disk (stop, old state intact), a
#     lock per results directory (second resume refused with the PID, a
#     killed run's child still holds it, a stale lock is taken over), a
#     read-only results directory (one message), the binary recorded per
#     step and a resume with another binary said so, leftovers of a
#     killed step removed, profile words not glob-expanded, quotes
#     honoured, @timeout checked;
#   - numbers checked where parsed, clamps said, duplicates folded, tls
#     NA rows under a backing it cannot have, possible sets printed apart.
# Exit: 0 pass, 1 fail (4 skip when no binary).
. "$(dirname "$0")/lib.sh"
FAKE=$ROOT/tests/fake-pcpubench
need_bin
chmod 711 "$T"	# user nobody runs in $T/hp
MNT=
at_exit '[ -n "$MNT" ] && mountpoint -q "$MNT" && umount "$MNT"'

# children_of PID: the PIDs whose parent is PID (from /proc; no procps)
children_of() {
	local f st ppid
	for f in /proc/[0-9]*/stat; do
		st=$(cat "$f" 2>/dev/null) || continue
		ppid=$(echo "${st##*) }" | cut -d' ' -f2)
		[ "$ppid" = "$1" ] && echo "${st%% *}"
	done
	return 0
}

export PCPU_SKIP_DEPS=1 PCPU_NO_FIGURES=1
unset PCPU_ALLOW_HOTPLUG

# -------------------------------------------------------- hotplug guard
online_before=$(cat /sys/devices/system/cpu/online)
AS_NOBODY=()
if is_root && command -v setpriv >/dev/null; then
	AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
# User nobody cannot enter a 0700 directory (a clone in /root, under a
# mktemp -d): the cases run as nobody use a world-readable copy of what
# they need (run.sh, its scripts, plots and profiles, the binary) in $T,
# never the checkout itself, wherever it lives.
NB_ROOT=$ROOT NB_BIN=$BIN
if [ ${#AS_NOBODY[@]} -gt 0 ]; then
	NB_ROOT=$T/tree NB_BIN=$T/tree/build/pcpubench
	mkdir -p "$NB_ROOT/build" &&
		cp -R "$ROOT/run.sh" "$ROOT/scripts" "$ROOT/plots" "$ROOT/profiles" "$NB_ROOT/" &&
		cp "$BIN" "$NB_BIN" && chmod -R a+rX "$NB_ROOT" || NB_ROOT=
	if [ -z "$NB_ROOT" ] || ! "${AS_NOBODY[@]}" test -x "$NB_BIN" -a -r "$NB_ROOT/run.sh"; then
		skip "the cases run as user nobody: no copy of the tree that nobody can read in $T"
		AS_NOBODY=() NB_ROOT=$ROOT NB_BIN=$BIN
		NOBODY_SKIPPED=1
	fi
fi
# The dry run says what the parsed arguments mean, whatever the spelling.
for a in "--backend sysfs" "--backend=sysfs" "--backend sim --backend sysfs"; do
	# shellcheck disable=SC2086
	out=$("$BIN" --dry-run churn $a)
	if [ "$out" = "intent: churn hotplug=sysfs allowed=no" ]; then
		pass "dry run: churn $a -> $out"
	else
		fail "dry run: churn $a -> '$out'"
	fi
done
out=$(PCPU_ALLOW_HOTPLUG=1 "$BIN" --dry-run churn --backend sysfs)
[ "$out" = "intent: churn hotplug=sysfs allowed=yes" ] && pass "dry run: opt-in seen" ||
	fail "dry run with PCPU_ALLOW_HOTPLUG=1: '$out'"
out=$("$BIN" --dry-run churn --backend sim)
[ "$out" = "intent: churn hotplug=none" ] && pass "dry run: sim is no hotplug" ||
	fail "dry run sim: '$out'"
# The real binary: abbreviations are usage errors, the full spelling is
# refused without the opt-in, before anything (as nobody: even a broken
# gate could not take a CPU offline; it would say "needs root", exit 4).
for a in "--back sysfs" "--b sysfs" "--backe=sysfs"; do
	# shellcheck disable=SC2086
	expect 2 "must be spelled in full: --backend" "${AS_NOBODY[@]}" "$NB_BIN" churn $a
done
for a in "--backend sysfs" "--backend=sysfs"; do
	# shellcheck disable=SC2086
	expect 2 "runs only with --allow-hotplug" "${AS_NOBODY[@]}" "$NB_BIN" churn $a
done
expect 2 "must be spelled in full: --allow-hotplug" "${AS_NOBODY[@]}" \
	"$NB_BIN" churn --backend sysfs --allow
if [ ${#AS_NOBODY[@]} -gt 0 ]; then
	# with the opt-in the gate lets it pass; as nobody it stops at root
	expect 4 "needs root" "${AS_NOBODY[@]}" "$NB_BIN" churn --backend sysfs --allow-hotplug
	expect 4 "needs root" env PCPU_ALLOW_HOTPLUG=1 "${AS_NOBODY[@]}" "$NB_BIN" churn --backend sysfs
fi

# run.sh over a profile with every spelling, with the real binary (as
# nobody when root): no line runs, each is skipped or a usage error.
if [ ${#AS_NOBODY[@]} -gt 0 ] || ! is_root; then
	mkdir -p "$T/hp"
	chmod 777 "$T/hp"
	printf '%s\n' 'churn --strategy offset-array --back sysfs --duration 0.1' \
		'churn --strategy offset-array --backend=sysfs --duration 0.1' \
		$'churn\t--strategy offset-array\t--backend\tsysfs --duration 0.1' \
		'churn  --strategy offset-array  --backend   sysfs --duration 0.1' \
		"churn --strategy offset-array --backend 'sysfs' --duration 0.1" \
		'churn --strategy offset-array --backend "sys"fs --duration 0.1' \
		'churn --strategy offset-array --backend sim --backend sysfs --duration 0.1' \
		>"$T/hp/prof"
	chmod 644 "$T/hp/prof"
	PCPUBENCH=$NB_BIN PCPU_RESULTS=$T/hp/results "${AS_NOBODY[@]}" \
		"$NB_ROOT/run.sh" "$T/hp/prof" --label hp >"$T/hp/out" 2>&1
	D=$(ls -d "$T"/hp/results/*_hp 2>/dev/null | head -1)
	nskip=$(grep -c '^step [0-9]* skipped churn takes host CPUs offline.*needs --allow-hotplug' "$D/state" 2>/dev/null)
	nusage=$(grep -c '^step 1 failed churn usage error.*spelled in full' "$D/state" 2>/dev/null)
	ran=$(ls "$D"/logs/*-churn.stdout 2>/dev/null | wc -l)
	if [ "$nskip" = 6 ] && [ "$nusage" = 1 ] && [ "$ran" = 0 ]; then
		pass "run.sh: 7 spellings of sysfs: 6 skipped (needs --allow-hotplug), --back a usage error, none ran"
	else
		fail "run.sh spellings: skipped $nskip/6, usage $nusage/1, ran $ran/0: $(cat "$D/state" 2>/dev/null) $(tail -3 "$T/hp/out")"
	fi
elif [ -n "${NOBODY_SKIPPED:-}" ]; then
	skip "run.sh spellings as nobody (no readable copy)"
fi
[ "$(cat /sys/devices/system/cpu/online)" = "$online_before" ] &&
	pass "host online CPUs unchanged ($online_before)" ||
	fail "host online CPUs changed: $online_before -> $(cat /sys/devices/system/cpu/online)"

# ------------------------------------------------------------ -o paths
mkfifo "$T/fifo"
expect 2 "not a regular file" "$BIN" mem --strategy tls --possible 8 --online 2 -o "$T/fifo"
[ -p "$T/fifo" ] && pass "FIFO left alone" || fail "FIFO replaced"
if is_root; then
	mknod "$T/null" c 1 3
	expect 2 "not a regular file" "$BIN" mem --strategy tls --possible 8 --online 2 -o "$T/null"
	expect 2 "not a regular file" "$BIN" info -o "$T/null"
	[ -c "$T/null" ] && pass "device node left alone" || fail "device node replaced"
fi
expect 2 "not a regular file" "$BIN" mem --strategy tls --possible 8 --online 2 -o "$T"
expect 2 "no such directory" "$BIN" mem --strategy tls --possible 8 --online 2 -o "$T/no/x.csv"
n=$("$BIN" mem --strategy tls --possible 8 --online 2 --format csv -o /dev/stdout | grep -c '^mem,tls,')
[ "$n" -gt 0 ] && pass "-o /dev/stdout writes in place ($n rows)" || fail "-o /dev/stdout: no rows"
# interrupted: the temporary file goes with the program
mkdir "$T/int"
"$BIN" churn --strategy offset-array --rate 0 --duration 20 -q --possible 8 \
	--online 2 -o "$T/int/c.csv" 2>/dev/null &
p=$!
for _ in $(seq 50); do ls "$T"/int/c.csv.tmp.* >/dev/null 2>&1 && break; sleep 0.1; done
kill -TERM "$p"
wait "$p" 2>/dev/null
[ -z "$(ls -A "$T/int")" ] && pass "SIGTERM: no c.csv.tmp.* left, no c.csv" ||
	fail "SIGTERM left: $(ls -A "$T/int")"
expect 3 "No space left" sh -c "'$BIN' list >/dev/full"
expect 3 "No space left" sh -c "'$BIN' --help >/dev/full"
expect 3 "No space left" sh -c "'$BIN' mem --help >/dev/full"

# ----------------------------------------------------------- full disk
if is_root && MNT=$T/full && mkdir "$MNT" && mount -t tmpfs -o size=4m tmpfs "$MNT"; then
	# a run to resume, interrupted after 1 step
	PCPUBENCH=$FAKE PCPU_RESULTS=$MNT/results PCPU_STOP_AFTER=1 \
		"$ROOT/run.sh" "$ROOT/tests/fixtures/profile-small" --label full >/dev/null 2>&1
	D=$(ls -d "$MNT"/results/*_full | head -1)
	cp "$D/state" "$T/state.before"
	dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null
	expect 3 "$MNT/m.csv': No space left" "$BIN" mem --strategy tls --possible 8 --online 2 -o "$MNT/m.csv"
	expect 3 "$MNT/n.csv': No space left" "$BIN" numa --strategy tls --matrix off -o "$MNT/n.csv"
	expect 3 "No space left" "$BIN" churn --strategy tls --rate 0 --duration 0.05 -q -o "$MNT/c.csv"
	[ ! -e "$MNT/m.csv" ] && pass "no partial output on a full disk" || fail "partial output left"
	PCPUBENCH=$FAKE "$ROOT/run.sh" --resume "$D" >"$T/full.out" 2>&1
	rc=$?
	if [ "$rc" = 3 ] && grep -q "cannot write $D/state" "$T/full.out" &&
	   cmp -s "$D/state" "$T/state.before"; then
		pass "resume on a full disk: exit 3, 'cannot write .../state', state intact"
	else
		fail "resume on a full disk: exit $rc, state changed? $(diff "$T/state.before" "$D/state" | head -3): $(tail -3 "$T/full.out")"
	fi
	rm -f "$MNT/fill"
	# read-only results directory: one clear message
	mount -o remount,ro "$MNT"
	PCPUBENCH=$FAKE "$ROOT/run.sh" --resume "$D" >/dev/null 2>"$T/ro.err"
	rc=$?
	if [ "$rc" = 3 ] && [ "$(wc -l <"$T/ro.err")" = 1 ] && grep -q "read-only" "$T/ro.err"; then
		pass "resume of a read-only directory: exit 3, one line: $(cat "$T/ro.err")"
	else
		fail "resume read-only: exit $rc: $(cat "$T/ro.err")"
	fi
	umount "$MNT"
	MNT=
else
	skip "full-disk and read-only cases (not root or no tmpfs)"
fi

# ---------------------------------------------- lock, stale lock, resume
export PCPUBENCH=$FAKE PCPU_RESULTS=$T/results
PCPU_STOP_AFTER=1 "$ROOT/run.sh" "$ROOT/tests/fixtures/profile-small" --label lk >/dev/null 2>&1
D=$(ls -d "$T"/results/*_lk | head -1)
FAKE_SLEEP=churn:30,mem:30,numa:30,access:30,tlb:30 "$ROOT/run.sh" --resume "$D" >/dev/null 2>&1 &
first=$!
for _ in $(seq 100); do
	[ "$(cat "$D/.lock" 2>/dev/null)" = "$first" ] && ls "$D"/logs/0[2-9]-*.stdout >/dev/null 2>&1 && break
	sleep 0.1
done
expect 1 "in use by another run (PID $first)" "$ROOT/run.sh" --resume "$D"
# killed hard while its benchmark still runs: the benchmark holds the lock
kids=$(children_of "$first")
kill -KILL "$first"
wait "$first" 2>/dev/null
expect 1 "has ended but a process it started still holds the lock" "$ROOT/run.sh" --resume "$D"
for k in $kids; do kill -TERM "$k" 2>/dev/null; done
for _ in $(seq 100); do
	flock -n "$D/.lock" true && break
	sleep 0.1
done
# a copy of the fake binary that differs: the resume says so
cp "$FAKE" "$T/fake2"
echo "# another build" >>"$T/fake2"
touch "$D/raw/09-x.csv.tmp.tmp.AbC123"
PCPUBENCH=$T/fake2 "$ROOT/run.sh" --resume "$D" >/dev/null 2>"$T/resume.err"
rc=$?
grep -q "stale lock of PID $first" "$T/resume.err" && pass "stale lock detected and taken over" ||
	fail "stale lock: $(cat "$T/resume.err" | head -5)"
grep -q "binary changed since this run started" "$T/resume.err" &&
	pass "resume with another binary says so" || fail "resume with another binary: silent"
n=$(awk '$1 == "steprev" {print $4}' "$D/state" | sort -u | wc -l)
[ "$n" = 2 ] && pass "state: two binaries, one per step (steprev)" || fail "steprev: $n distinct binaries: $(grep steprev "$D/state")"
/usr/bin/python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/meta.json"))
assert all("binary_sha256" in s for s in m["steps"]), m["steps"]
assert m["binary_resumed"] and m["binary_started"] != m["binary_resumed"]
' "$D" && pass "meta.json: each step's binary, started and resumed" || fail "meta.json per-step binary"
[ -z "$(ls "$D"/raw/*.tmp* 2>/dev/null)" ] && pass "no raw/*.tmp* left" || fail "left: $(ls "$D"/raw/*.tmp*)"
[ "$rc" = 0 ] && pass "resume completed" || fail "resume exit $rc"

# ------------------------------------------------------------- profiles
mkdir -p "$T/cwd"
touch "$T/cwd/xyz"
printf '%s\n' "mem --strategy 'offset-array,segment' --possible \"16\" --online 2 x*" >"$T/prof-words"
(cd "$T/cwd" && FAKE_LOG=$T/words.log "$ROOT/run.sh" "$T/prof-words" --label w >/dev/null 2>&1)
if grep -q '^mem --strategy offset-array,segment --possible 16 --online 2 x\* --format csv' "$T/words.log"; then
	pass "profile words: quotes honoured, no glob expansion"
else
	fail "profile words: $(cat "$T/words.log")"
fi
printf '@timeout abc\nmem --strategy tls\n' >"$T/prof-to"
expect 2 "line 1: @timeout abc: want whole seconds" "$ROOT/run.sh" "$T/prof-to" --label to
printf 'mem --strategy "tls\n' >"$T/prof-q"
expect 2 "line 1: No closing quotation" "$ROOT/run.sh" "$T/prof-q" --label q
ls -d "$T"/results/*_to "$T"/results/*_q >/dev/null 2>&1 && fail "a results directory for a bad profile" ||
	pass "bad profile: no results directory"
unset PCPUBENCH PCPU_RESULTS

# ------------------------------------------------------ numbers, lists
expect 2 "--duration 'nan'" "$BIN" churn --duration nan
expect 2 "--duration 'inf'" "$BIN" churn --duration inf
expect 2 "--duration '1e-9'" "$BIN" churn --duration 1e-9
expect 2 "--rate: bad rate 'nan'" "$BIN" churn --rate nan
expect 2 "--rate 1e-9: less than one hotplug event" "$BIN" churn --rate 1e-9
expect 2 "--max-online 100 exceeds the 16 possible" "$BIN" churn --possible 16 --max-online 100
expect 2 "--matrix-bytes '0'" "$BIN" numa --strategy tls --matrix on --matrix-bytes 0
expect 2 "--matrix-bytes '4096'" "$BIN" numa --strategy tls --matrix on --matrix-bytes 4096
expect 2 "power of two" "$BIN" numa --strategy tls --matrix on --matrix-bytes 100000
expect 2 "--late '100000'" "$BIN" numa --late 100000
expect 0 "--late 1000: .*using" "$BIN" numa --strategy offset-array --late 1000 --matrix off --format csv
expect 2 "--cpu 99: not an online CPU" "$BIN" info --cpu 99
expect 2 "more PUs than" timeout 5 "$BIN" mem --strategy tls --topology 'synthetic:node:100 core:100 pu:10'
expect 2 "none is created" "$BIN" tlb --save-calibration "$T/nonexistent/dir/x"
[ ! -e "$T/nonexistent" ] && pass "tlb --save-calibration created no directory" || fail "directory created"
if ! grep -rq 'tlb --calibrate' "$ROOT/bench"; then pass "no message names 'tlb --calibrate'"; else fail "'tlb --calibrate' named"; fi
expect 2 "bad strategy list 'tls,,segment'" "$BIN" mem --strategy tls,,segment
expect 2 "empty or too long list 'read,,inc'" "$BIN" access --op read,,inc
expect 2 "unknown command" "$BIN" --dry-run frobnicate
n=$("$BIN" mem --strategy tls,tls --possible 8 --online 2 --format csv | grep -c ',unit_bytes,')
[ "$n" = 1 ] && pass "--strategy tls,tls: one tls" || fail "--strategy tls,tls: $n rows"
n=$("$BIN" churn --strategy offset-array --rate 0,0 --duration 0.05 -q --possible 8 --online 2 --format csv | grep -c ',ops_per_sec,')
[ "$n" = 1 ] && pass "--rate 0,0: one run" || fail "--rate 0,0: $n runs"
cmd=$("$BIN" access --strategy tls --op read,read --mode latency --repeat 1 --tries 1 \
	--min-time 0.001 --format json 2>/dev/null | /usr/bin/python3 -c '
import json, sys, collections
d = json.load(sys.stdin)
c = collections.Counter((r["strategy"], r["op"], r["metric"]) for r in d["rows"])
print(d["meta"]["command"].split()[:2], max(c.values()))')
[ "$cmd" = "['pcpubench', 'access'] 1" ] && pass "access: JSON command 'pcpubench access ...'; --op read,read once" ||
	fail "access JSON meta/op duplicates: $cmd"

# ------------------------------------- tls NA rows, possible sets apart
for c in "mem --possible 8 --online 2" "numa --matrix off" "churn --rate 0 --duration 0.05 -q --possible 8 --online 2"; do
	# shellcheck disable=SC2086
	n=$("$BIN" $c --strategy tls,offset-array --page thp --format csv 2>/dev/null |
		grep -c '^[a-z]*,tls,.*,NA,.*na:not-supported(')
	[ "$n" -gt 0 ] && pass "${c%% *} --page thp: tls has NA rows ($n)" || fail "${c%% *} --page thp: no tls NA rows"
done
a=$("$BIN" mem --strategy segment --possible 0-7,64-71 --online 2 --format csv | awk -F, 'NR == 2 {print $5 $6}')
b=$("$BIN" mem --strategy segment --possible 16 --online 2 --format csv | awk -F, 'NR == 2 {print $5}')
[ "$a" != "$b" ] && [ "$b" = 16 ] && pass "possible 0-7,64-71 ($a) and 16 ($b) print apart" ||
	fail "possible sets print alike: '$a' '$b'"

done_testing
