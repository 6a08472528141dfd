#!/bin/bash
# t-hostile.sh - pcpubench as a hostile user would use it (issue 22):
# every output path kind (device node, FIFO, symlink, procfs, the
# program itself, a full disk), every input path kind (FIFO, device,
# huge file), numbers (0, -1, 2^32+1, 2^64, octal, space, empty),
# profiles that try to opt themselves in, the report over tampered
# results. Device nodes are only ever made inside a private mount
# namespace (unshare -m, a tmpfs): the host's /dev is never touched.
# Prints one line per check. Exit: 0 pass, 1 fail, 4 skip (no binary).
. "$(dirname "$0")/lib.sh"
FIX=$ROOT/tests/fixtures
need_bin
# bounded CMD...: under an address-space limit (4 GB), so a reader
# without a bound fails here instead of eating the machine (not for the
# ASan binary, whose shadow memory needs more)
bounded() { (ulimit -v 4000000 2>/dev/null; exec "$@"); }
# every expect here: bounded, and within 60 s
EXPECT_WRAP="bounded timeout 60"
export PCPU_SKIP_DEPS=1 PCPU_NO_FIGURES=1
unset PCPU_ALLOW_HOTPLUG PCPU_CALIBRATION

# ------------------------------------------- item 9: calibration is not data
if [ -x "$PY" ]; then
	cp -r "$FIX/real-vm" "$T/cal"
	printf '%s\n' 'host,date,backing,figure,value,unit,status,method' \
		'vm,2026-01-01,4k,walk_cycles,30.000,cycles,found,chase' >"$T/cal/tlb-calibration.csv"
	"$PY" "$ROOT/plots/report.py" "$T/cal" >/dev/null 2>&1
	if grep -q '^run: complete' "$T/cal/report.txt" && ! grep -q INCOMPLETE "$T/cal/report.txt"; then
		pass "item 9: a run's tlb-calibration.csv is not read as benchmark data (run: complete)"
	else
		fail "item 9: $(grep -m2 -i 'incomplete\|^run:' "$T/cal/report.txt")"
	fi
fi

# ------------------------------------------------- items 1, 5-8: writing
TLB=(tlb --page 4k --pages 8,16 --repeat 1)
MEM=(mem --strategy tls --possible 8 --online 2)
W=$T/w
mkdir -p "$W"
# device nodes only inside a private mount namespace, on a private /dev
if is_root && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	cat >"$T/ns.sh" <<'NS'
set -u
BIN=$1 W=$2
mount --make-rprivate / 2>/dev/null
mount -t tmpfs t /dev || exit 9
mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 || exit 9
r1=$("$BIN" tlb --page 4k --pages 8,16 --repeat 1 --format csv --save-calibration /dev/null -o "$W/t1.csv" 2>&1; echo "rc=$?")
r2=$(PCPU_CALIBRATION=/dev/zero "$BIN" tlb --page 4k --pages 8,16 --repeat 1 --format csv -o "$W/t2.csv" 2>&1; echo "rc=$?")
r3=$("$BIN" mem --strategy tls --possible 8 --online 2 -o /dev/zero 2>&1; echo "rc=$?")
r4=$("$BIN" info -o /dev/zero 2>&1; echo "rc=$?")
echo "$r1" | tail -2 | tr '\n' ' '; echo
echo "$r2" | tail -2 | tr '\n' ' '; echo
echo "$r3" | tail -2 | tr '\n' ' '; echo
echo "$r4" | tail -2 | tr '\n' ' '; echo
[ -c /dev/null ] && [ -c /dev/zero ] && echo "devices intact"
NS
	out=$(timeout 120 unshare -m sh "$T/ns.sh" "$BIN" "$W")
	if grep -q "^pcpubench tlb: --save-calibration '/dev/null': exists and is not a regular file.*rc=2" <<<"$out" &&
	   grep -q "^pcpubench tlb: PCPU_CALIBRATION '/dev/zero': exists and is not a regular file.*rc=2" <<<"$out" &&
	   grep -q "^pcpubench mem: -o '/dev/zero': exists and is not.*rc=2" <<<"$out" &&
	   grep -q "^pcpubench info: -o '/dev/zero': exists and is not.*rc=2" <<<"$out" &&
	   grep -q "devices intact" <<<"$out" && [ ! -e "$W/t1.csv" ]; then
		pass "items 1: --save-calibration /dev/null, PCPU_CALIBRATION=/dev/zero, -o /dev/zero refused (exit 2, before the run), devices intact (private /dev)"
	else
		fail "item 1 (private /dev): $out"
	fi
else
	skip "device-node cases: needs root and unshare -m"
fi
expect 2 "PCPU_CALIBRATION '$W/nodir/c.csv': no such directory" env PCPU_CALIBRATION="$W/nodir/c.csv" "$BIN" "${TLB[@]}" --format csv -o "$W/t3.csv"
[ ! -e "$W/nodir" ] && pass "item 1: PCPU_CALIBRATION creates no directory" || fail "item 1: PCPU_CALIBRATION made $W/nodir"
# FIFOs: refused unread, nothing blocks (item 18)
mkfifo "$W/fifo"
expect 2 "--save-calibration '$W/fifo': exists and is not" "$BIN" "${TLB[@]}" --save-calibration "$W/fifo"
out=$(PCPU_CALIBRATION=$W/fifo bounded timeout 20 "$BIN" info --format json 2>&1)
rc=$?
[ "$rc" = 0 ] && grep -q '"unreadable calibration file"' <<<"$out" && pass "item 18: info with PCPU_CALIBRATION a FIFO: not blocked, 'unreadable calibration file'" ||
	fail "item 18: info with a FIFO calibration: exit $rc $(tail -2 <<<"$out")"
out=$(PCPU_CALIBRATION=$W/fifo bounded timeout 20 "$BIN" access --strategy tls --op read --mode latency --repeat 1 --tries 1 --min-time 0.0001 --format csv 2>&1)
rc=$?
[ "$rc" = 0 ] && pass "item 18: access with PCPU_CALIBRATION a FIFO: not blocked (exit 0)" || fail "item 18: access, FIFO calibration: exit $rc"
expect 2 "a FIFO, not a regular file; refused unread" "$BIN" --dry-run churn --topology "xml:$W/fifo"
# the inputs of modules and kfacts go through the same reader
out=$(bounded timeout 20 "$BIN" modules --sizes "@$W/fifo" --format csv -o "$W/m.csv" 2>&1)
rc=$?
[ "$rc" = 2 ] && grep -q 'a FIFO, not a regular file; refused unread' <<<"$out" && pass "modules --sizes @FIFO: refused unread (exit 2)" ||
	fail "modules --sizes @FIFO: exit $rc $(tail -1 <<<"$out")"
out=$(bounded timeout 20 "$BIN" kfacts --log "$W/fifo" --format csv -o "$W/k.csv" 2>&1)
rc=$?
[ "$rc" = 0 ] && grep -q 'log-unreadable' "$W/k.csv" && pass "kfacts --log FIFO: not blocked, NA rows log-unreadable" ||
	fail "kfacts --log FIFO: exit $rc $(tail -1 <<<"$out")"
expect 2 "a character device, not a regular file" "$BIN" --dry-run churn --topology xml:/dev/zero
expect 2 "a character device, not a regular file" "$BIN" --dry-run numa --topology xml:/dev/zero
head -c 20000000 /dev/zero | tr '\0' ' ' >"$W/big.xml"
expect 2 "larger than 16777216 bytes" "$BIN" --dry-run churn --topology "xml:$W/big.xml"
rm -f "$W/big.xml"
# item 7: never the program itself, never procfs
cp "$BIN" "$W/copy"
chmod 644 "$W/copy"
expect 2 "is the running program or an executable" "$BIN" "${MEM[@]}" -o /proc/self/exe
expect 2 "is the running program or an executable" "$BIN" "${MEM[@]}" -o "$W/copy"
expect 2 "is the running program or an executable" "$BIN" info -o "$W/copy"
expect 2 "is the running program or an executable" "$BIN" "${TLB[@]}" --format text -o "$W/copy"
cmp -s "$BIN" "$W/copy" && pass "item 7: the copy of the binary is untouched" || fail "item 7: the copy changed"
expect 2 "kernel file system" "$BIN" "${TLB[@]}" --format text -o /proc/self/comm
expect 2 "kernel file system" "$BIN" "${MEM[@]}" -o /proc/self/comm
expect 2 "an empty file name" "$BIN" "${MEM[@]}" -o ''
expect 2 "an empty file name" "$BIN" access --strategy tls -o ''
# item 8: through a symlink the target is written, owner and mode kept
echo old >"$W/target.csv"
chmod 600 "$W/target.csv"
is_root && chown 65534:65534 "$W/target.csv"
ln -s target.csv "$W/link.csv"
"$BIN" "${MEM[@]}" --format csv -o "$W/link.csv" 2>/dev/null
if [ -L "$W/link.csv" ] && grep -q '^mem,tls' "$W/target.csv" &&
   [ "$(stat -c %a "$W/target.csv")" = 600 ] &&
   { ! is_root || [ "$(stat -c %u:%g "$W/target.csv")" = 65534:65534 ]; }; then
	pass "item 8: -o a symlink: its target written, link kept, mode 600 and owner kept ($(stat -c '%a %U' "$W/target.csv"))"
else
	fail "item 8: symlink: $(ls -l "$W/link.csv" "$W/target.csv")"
fi
echo old >"$W/h1.csv"
ln "$W/h1.csv" "$W/h2.csv"
expect 2 "has other hard links" "$BIN" "${MEM[@]}" -o "$W/h1.csv"
# item 8: sidecar and data together or neither
mkdir -p "$W/side.csv.meta.json"
expect 3 "side.csv.meta.json" "$BIN" "${MEM[@]}" --format csv -o "$W/side.csv"
[ ! -e "$W/side.csv" ] && [ -z "$(ls "$W"/side.csv.* 2>/dev/null | grep -v meta.json)" ] &&
	pass "item 8: sidecar refused: no CSV written either, no temporary file left" ||
	fail "item 8: sidecar refused but: $(ls "$W"/side.csv*)"
# item 5: info -o uses an O_EXCL temporary name (a symlink planted at
# the old predictable name FILE.tmp.PID is never followed)
echo keep >"$W/victim"
for i in $(seq $(( $$ + 1 )) $(( $$ + 40 ))); do ln -sf "$W/victim" "$W/info.json.tmp.$i"; done
for i in 1 2 3; do "$BIN" info --format json -o "$W/info.json" 2>/dev/null; done
[ "$(cat "$W/victim")" = keep ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$W/info.json" &&
	pass "item 5: info -o: planted symlinks at FILE.tmp.PID not followed, info.json whole" ||
	fail "item 5: victim: $(head -c 100 "$W/victim")"
ln -sf info-target.json "$W/info-link.json"
echo '{}' >"$W/info-target.json"
"$BIN" info --format json -o "$W/info-link.json" 2>/dev/null
[ -L "$W/info-link.json" ] && grep -q tool_version "$W/info-target.json" &&
	pass "item 5: info -o a symlink: the target is written (as documented), the link kept" ||
	fail "item 5: info -o symlink: $(ls -l "$W"/info-*)"
# item 6: a full disk keeps the old file whole (text output of tlb)
if is_root && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	cat >"$T/full.sh" <<'NS'
BIN=$1 M=$2
mount --make-rprivate / 2>/dev/null
mount -t tmpfs -o size=64k t "$M" || exit 9
echo "old report" >"$M/r.txt"
dd if=/dev/zero of="$M/fill" bs=4k 2>/dev/null
"$BIN" tlb --page 4k --pages 8,16 --repeat 1 --no-save --format text -o "$M/r.txt" 2>&1; echo "rc=$?"
"$BIN" tlb --page 4k --pages 8,16 --repeat 1 --no-save --format text -o "$M/new.txt" 2>&1; echo "rc=$?"
"$BIN" access --strategy tls --op read --mode latency --repeat 1 --tries 1 --min-time 0.0001 --format csv -o "$M/a.csv" 2>&1 >/dev/null; echo "arc=$?"
cat "$M/r.txt"; ls "$M" | sed 's/^/ls: /'
NS
	mkdir -p "$T/full"
	out=$(timeout 60 unshare -m sh "$T/full.sh" "$BIN" "$T/full")
	if grep -q "writing '$T/full/r.txt': No space left.*not written" <<<"$out" &&
	   grep -q "access: .*'$T/full/a.csv'.*No space left" <<<"$out" && grep -q '^arc=3' <<<"$out" &&
	   [ "$(grep -c '^rc=3' <<<"$out")" = 2 ] && grep -q '^old report$' <<<"$out" &&
	   [ "$(grep '^ls: ' <<<"$out" | tr '\n' ' ')" = "ls: fill ls: r.txt " ]; then
		pass "item 6: tlb --format text on a full disk: exit 3 naming the file, old file whole, no new or temporary file; access names the file too"
	else
		fail "item 6: full disk: $out"
	fi
fi

# --------------------------------- items 3, 4: a profile never opts itself in
export PCPUBENCH=$BIN PCPU_RESULTS=$T/results
unset PCPU_RUN_SH
printf '%s\n' 'churn --strategy offset-array --backend sysfs --allow-hotplug --duration 0.1' \
	'tlb --page 4k --pages 8,16 --repeat 1 --no-save --hugetlb-reserve 1' \
	'kernel access' >"$T/prof-optin"
nr_before=$(cat /proc/sys/vm/nr_hugepages)
online_before=$(cat /sys/devices/system/cpu/online)
PCPU_ALLOW_HOTPLUG=1 PCPU_ALLOW_HUGETLB=1 "$ROOT/run.sh" "$T/prof-optin" --label optin >"$T/optin.out" 2>&1
D=$(ls -d "$T"/results/*_optin 2>/dev/null | head -1)
if grep -q '^step 1 skipped churn takes host CPUs offline.*needs --allow-hotplug' "$D/state" &&
   grep -q '^step 2 skipped tlb changes vm.nr_hugepages; needs --allow-hugetlb' "$D/state" &&
   grep -q '^step 3 skipped kernel loads a kernel module; needs --kernel' "$D/state" &&
   [ -z "$(ls "$D"/logs/0[1-3]-*.stdout 2>/dev/null)" ]; then
	pass "item 3: profile lines with --allow-hotplug, --hugetlb-reserve, kernel: all skipped (the environment's opt-ins dropped too), none ran"
else
	fail "item 3: $(grep '^step' "$D/state" 2>/dev/null) $(tail -3 "$T/optin.out")"
fi
[ "$(cat /proc/sys/vm/nr_hugepages)" = "$nr_before" ] && [ "$(cat /sys/devices/system/cpu/online)" = "$online_before" ] &&
	pass "item 3: vm.nr_hugepages ($nr_before) and online CPUs ($online_before) unchanged" ||
	fail "item 3: machine changed: nr_hugepages $nr_before -> $(cat /proc/sys/vm/nr_hugepages)"
out=$(PCPU_RUN_SH=1 "$BIN" --dry-run churn --backend sysfs --allow-hotplug)
[ "$out" = "intent: churn hotplug=sysfs allowed=no" ] && pass "item 3: under run.sh the line's --allow-hotplug does not count ($out)" ||
	fail "item 3: dry run under run.sh: $out"
out=$(PCPU_RUN_SH=1 "$BIN" --dry-run tlb --hugetlb-reserve 4)
[ "$out" = "intent: tlb hugetlb=reserve allowed=no" ] && pass "item 4: tlb --hugetlb-reserve is an intent that needs run.sh's opt-in ($out)" ||
	fail "item 4: dry run: $out"

# ---------------------------------------------- item 16, run.sh messages
expect 2 "at least one CPU must be online" "$BIN" mem --online 0
expect 2 "at least one CPU must be online" "$BIN" numa --online 0
expect 2 "at least one CPU must be online" "$BIN" --dry-run mem --online 0
expect 2 "--resume needs a directory" "$ROOT/run.sh" --resume ''
expect 2 "PCPU_STOP_AFTER='abc'" env PCPU_STOP_AFTER=abc "$ROOT/run.sh" "$T/prof-optin" --label stop
: >"$T/prof-empty"
expect 2 "has no benchmark line" "$ROOT/run.sh" "$T/prof-empty" --label empty
printf 'mem --strategy tls\0\n' >"$T/prof-nul"
expect 2 "a NUL byte at offset" "$ROOT/run.sh" "$T/prof-nul" --label nul
mkfifo "$T/prof-fifo"
expect 2 "no profile" "$ROOT/run.sh" "$T/prof-fifo" --label fifo
printf '\xef\xbb\xbfmem --strategy tls --possible 8 --online 2\n' >"$T/prof-bom"
"$ROOT/run.sh" --dry-run "$T/prof-bom" >"$T/bom.out" 2>&1 && grep -q '^build/pcpubench mem --strategy tls' "$T/bom.out" &&
	pass "profile with a BOM: read (the BOM dropped)" || fail "profile with a BOM: $(cat "$T/bom.out")"
unset PCPUBENCH PCPU_RESULTS

# ------------------------------------------------- item 13: numbers, one way
for a in "access --repeat 4294967297" "access --tries 4294967297" "access --cpu 4294967297" \
	"info --cpu 4294967296" "churn --yield 4294967296" "access --repeat 010" \
	"access --repeat ' 5'" "access --repeat +5" "access --repeat -0" "access --seed ''" \
	"access --seed -1" "access --seed 18446744073709551616" "churn --duration ' 1'" \
	"churn --duration 0x10" "churn --duration +1" "tlb --repeat 010" "churn --repeat 010"; do
	eval "set -- $a"
	cmd=$1
	shift
	out=$("$BIN" --dry-run "$cmd" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$a" = "access --repeat 010" ] || [ "$a" = "tlb --repeat 010" ] || [ "$a" = "churn --repeat 010" ]; then
		# decimal: 010 is ten, accepted as ten (never octal eight)
		[ "$rc" = 0 ] && pass "item 13: $a: decimal ten, accepted" || fail "item 13: $a: exit $rc $out"
		continue
	fi
	if [ "$rc" = 2 ] && grep -q -- "--${1#--}" <<<"$out"; then
		pass "item 13: $a -> 2: $(head -1 <<<"$out" | cut -c1-90)"
	else
		fail "item 13: $a: exit $rc: $out"
	fi
done
long=$(head -c 100000 /dev/zero | tr '\0' 7)
out=$("$BIN" access --repeat "$long" 2>&1)
[ ${#out} -lt 300 ] && grep -q '(100000 bytes)' <<<"$out" && pass "a 100 KB argument is shortened in the message (${#out} bytes)" ||
	fail "long argument echoed: ${#out} bytes"
cmd=$("$BIN" access --strategy tls --op read --mode latency --repeat 010 --tries 1 --min-time 0.0001 --format csv 2>/dev/null |
	awk -F, 'NR > 1 && $0 ~ /,cycles_per_op,/ {print $(NF-4)}' | sort -u | tail -1)
[ "$cmd" = 9 ] && pass "item 13: --repeat 010 runs ten repetitions (last rep 9)" || fail "item 13: --repeat 010: last rep '$cmd'"

# ------------------------------ items 10-12, 18, 19: the report checks what it reads
if [ -x "$PY" ]; then
	rep() { "$PY" "$ROOT/plots/report.py" "$1" --no-plots >/dev/null 2>"$T/rep.err"; }
	flat() { tr '\n' ' ' <"$1" | tr -s ' '; }
	# 10: duplicated rows are one sample
	cp -r "$FIX/real-vm" "$T/dup"
	grep ',lost_updates,' "$T/dup/churn.csv" >"$T/dup.1"
	grep '^mem,' "$T/dup/mem.csv" >"$T/dup.2"
	cat "$T/dup.1" >>"$T/dup/churn.csv"
	cat "$T/dup.2" >>"$T/dup/mem.csv"
	rep "$T/dup"
	if grep -q 'row(s) repeat another exactly' "$T/dup/report.txt" &&
	   diff <(sed -n '/^== mem ==/,/^== /p' "$FIX/golden/real-vm.report.txt" | grep -v 'rows,') \
		<(sed -n '/^== mem ==/,/^== /p' "$T/dup/report.txt" | grep -v 'rows,') >/dev/null; then
		pass "item 10: duplicated CSV rows counted once (mem tables unchanged), said in a warning"
	else
		fail "item 10: duplicates: $(grep -m2 'repeat\|warning' "$T/dup/report.txt")"
	fi
	# 11: an invariant whose values are all NA is NOT MEASURED
	cp -r "$FIX/real-vm" "$T/na"
	sed -i 's/^\(churn,.*,lost_updates,\)0,ops,ok$/\1NA,ops,na:tampered/' "$T/na/churn.csv"
	rep "$T/na"
	grep -q 'lost_updates: NOT MEASURED' "$T/na/report.txt" && ! grep -Eq 'lost_updates [0-9]' "$T/na/report.txt" &&
		pass "item 11: lost_updates all NA: 'NOT MEASURED', never held" ||
		fail "item 11: $(grep -m3 'lost_updates' "$T/na/report.txt")"
	# 12: insane values refused: negative bytes, 1e308, a unit that differs, a garbage rep
	cp -r "$FIX/real-vm" "$T/ins"
	sed -i '4s/,committed_bytes,33554432,/,committed_bytes,-262144,/; 13s/,committed_bytes,33554432,/,committed_bytes,1e308,/' "$T/ins/mem.csv"
	echo 'mem,tls,tls,embed,256,2,4k,zz,unit_bytes,4096,bytes,ok' >>"$T/ins/mem.csv"
	rep "$T/ins"
	if grep -q 'committed_bytes: 2 value(s) refused' "$T/ins/report.txt" &&
	   ! grep -q -- '-262144\|e+29' "$T/ins/report.txt" && grep -q '1 malformed line' "$T/ins/report.txt"; then
		pass "item 12: negative bytes and 1e308 refused and left out, a garbage rep not a sample"
	else
		fail "item 12: $(grep -m3 'refused\|malformed\|e+2' "$T/ins/report.txt")"
	fi
	cp -r "$FIX/real-vm" "$T/unit"
	sed -i 's/,committed_bytes,\([0-9]*\),bytes,/,committed_bytes,\1,pages,/' "$T/unit/mem.csv"
	rep "$T/unit"
	flat "$T/unit/report.txt" | grep -q "metric committed_bytes: unit 'pages', metrics.json declares 'bytes'" &&
		pass "item 12: a unit that differs from metrics.json is named (INCOMPLETE (data))" ||
		fail "item 12: unit: $(grep -m2 INCOMPLETE "$T/unit/report.txt")"
	# 18, 19: FIFO, /dev/zero, deep JSON; closed and full standard output
	cp -r "$FIX/real-vm" "$T/fifo"
	rm "$T/fifo/mem.csv" "$T/fifo/numa.csv"
	mkfifo "$T/fifo/mem.csv"
	ln -s /dev/zero "$T/fifo/numa.csv"
	"$PY" -c 'print("[" * 100000 + "]" * 100000)' >"$T/fifo/meta.json"
	bounded timeout 60 "$PY" "$ROOT/plots/report.py" "$T/fifo" --no-plots >/dev/null 2>"$T/rep.err"
	rc=$?
	if [ "$rc" = 0 ] && flat "$T/fifo/report.txt" | grep -q 'mem.csv: unreadable: not a regular file (a FIFO)' &&
	   flat "$T/fifo/report.txt" | grep -q 'numa.csv: unreadable: not a regular file (a device)' &&
	   grep -q 'meta.json unreadable: nested too deeply' "$T/fifo/report.txt" &&
	   ! grep -q Traceback "$T/rep.err"; then
		pass "items 18, 19: mem.csv a FIFO, numa.csv -> /dev/zero, meta.json nested 100000 deep: refused unread, no hang, no traceback"
	else
		fail "items 18, 19: exit $rc $(head -3 "$T/rep.err") $(grep -m3 'unreadable' "$T/fifo/report.txt")"
	fi
	cp -r "$FIX/real-vm" "$T/out19"	# never write into the fixture itself
	for how in '>&-' '>/dev/full'; do
		out=$(eval "'$ROOT/run.sh' report '$T/out19' $how" 2>&1)
		rc=$?
		[ "$rc" = 3 ] && [ "$(wc -l <<<"$out")" = 1 ] && ! grep -q Traceback <<<"$out" &&
			pass "item 19: run.sh report DIR $how: exit 3, one line: $out" ||
			fail "item 19: report $how: exit $rc: $(head -3 <<<"$out")"
		out=$(eval "'$ROOT/run.sh' compare '$FIX/na-vm' '$FIX/two-node' --no-plots --out '$T/cmp' $how" 2>&1)
		rc=$?
		[ "$rc" = 3 ] && ! grep -q Traceback <<<"$out" &&
			pass "item 19: run.sh compare $how: exit 3, no traceback" ||
			fail "item 19: compare $how: exit $rc: $(head -3 <<<"$out")"
	done
	expect 2 "--out needs a directory" "$ROOT/run.sh" compare "$FIX/na-vm" "$FIX/two-node" --out ''
	# report.txt through the checked writer: a planted report.txt.tmp
	# symlink is not followed, a FIFO report.txt is refused, not replaced
	cp -r "$FIX/real-vm" "$T/rw"
	echo keep >"$T/rw-victim"
	ln -s "$T/rw-victim" "$T/rw/report.txt.tmp"
	rep "$T/rw"
	[ "$(cat "$T/rw-victim")" = keep ] && grep -q '^run: complete' "$T/rw/report.txt" &&
		pass "report.txt: a symlink planted at report.txt.tmp not followed" || fail "report.txt.tmp symlink followed"
	rm -f "$T/rw/report.txt"
	mkfifo "$T/rw/report.txt"
	out=$(timeout 30 "$PY" "$ROOT/plots/report.py" "$T/rw" --no-plots 2>&1)
	[ -p "$T/rw/report.txt" ] && grep -q 'not a regular file; refusing' <<<"$out" &&
		pass "report.txt a FIFO: refused, left alone" || fail "report.txt FIFO: $out"
fi

# ------------------------------------- messages: lists, events, signals
for a in "--possible 1,,2" "--possible 0-1," "--possible ,1"; do
	# shellcheck disable=SC2086
	expect 2 "not a count or a cpulist" "$BIN" --dry-run mem $a --online 1
done
for e in ',' ' ' 'NaN' 'cycles,,instructions'; do
	expect 2 "--events: bad event list" "$BIN" --dry-run access --events "$e"
done
mkdir -p "$T/sig"
# (not QUIT: bash starts background jobs with SIGQUIT ignored)
for sig in USR1 PIPE ALRM TERM; do
	"$BIN" churn --strategy offset-array --rate 0 --duration 20 -q --possible 8 \
		--online 2 -o "$T/sig/c.csv" 2>/dev/null &
	p=$!
	for _ in $(seq 100); do ls "$T"/sig/c.csv.tmp.* >/dev/null 2>&1 && break; sleep 0.1; done
	kill -"$sig" "$p"
	wait "$p" 2>/dev/null
	[ -z "$(ls -A "$T/sig")" ] && pass "SIG$sig: no c.csv.tmp.* left" || fail "SIG$sig left: $(ls -A "$T/sig")"
	rm -f "$T"/sig/*
done
if [ -x "$PY" ]; then
	mkdir -p "$T/cres"
	PCPU_RESULTS=$T/cres "$ROOT/run.sh" compare "$FIX/na-vm" "$FIX/two-node" >/dev/null 2>&1
	[ -n "$(ls -d "$T"/cres/compare_* 2>/dev/null)" ] && pass "compare without --out writes under PCPU_RESULTS" ||
		fail "compare ignored PCPU_RESULTS"
	rm -rf "$T/cres"
fi

# ------------------------------------------------- item 14: --hotadd said
out=$("$BIN" numa --strategy tls --matrix off --format csv --possible 8 --present 4 --hotadd 99999 2>&1 >/dev/null)
grep -q -- "--hotadd 99999: 4 CPU(s) hot-added of 99999 asked" <<<"$out" &&
	pass "item 14: numa --hotadd 99999 over 4 absent CPUs: '4 of 99999 asked' said" || fail "item 14: $out"

# ---------------------------------------- item 15: calibration range-checked
printf '%s\n' 'host,date,backing,figure,value,unit,status,method' \
	'otherbox,2026-01-01T00:00:00Z,4k,l1_dtlb_entries,-1.000,pages,found,m' \
	'otherbox,2026-01-01T00:00:00Z,4k,walk_cycles,1e-300,cycles,found,m' \
	'otherbox,2026-01-01T00:00:00Z,4k,l2_tlb_entries,nan,pages,found,m' >"$T/cal15.csv"
out=$(PCPU_CALIBRATION=$T/cal15.csv "$BIN" info --format json 2>/dev/null)
if grep -q '"l1_dtlb_entries": "not found (implausible(-1 pages' <<<"$out" &&
   grep -q '"walk_cycles": "not found (implausible(1e-300 cycles' <<<"$out" &&
   grep -q '"l2_tlb_entries": "not found (implausible(nan' <<<"$out" &&
   grep -q '"warning": "taken on another host"' <<<"$out"; then
	pass "item 15: calibration figures out of range (-1 entries, 1e-300 cycles, nan) not used; another host's calibration named (info)"
else
	fail "item 15: $(grep -A8 tlb_calibration <<<"$out" | head -12)"
fi
err=$(PCPU_CALIBRATION=$T/cal15.csv "$BIN" access --strategy tls --op read --mode latency --repeat 1 --tries 1 --min-time 0.0001 --format csv 2>&1 >/dev/null)
grep -q "was taken on host 'otherbox', not this one" <<<"$err" && pass "item 15: access names a calibration from another host" ||
	fail "item 15: access silent about another host's calibration: $err"

# ------------------------------------------- item 17: all,tls overflowed
ABIN=${PCPUBENCH_ASAN:-$ROOT/build/asan/pcpubench}
[ -x "$ABIN" ] || ABIN=$BIN
out=$(ASAN_OPTIONS=detect_leaks=0 timeout 120 "$ABIN" access --strategy all,tls,tls --op read --mode latency \
	--repeat 1 --tries 1 --min-time 0.0001 --format csv 2>"$T/a17.err")
rc=$?
n=$(grep -c '^access,tls,' <<<"$out")
m=$(grep -c '^access,segment,' <<<"$out")
if [ "$rc" = 0 ] && [ "$n" -gt 0 ] && [ "$n" = "$m" ]; then
	pass "item 17: access --strategy all,tls,tls: exit 0, tls once ($n rows, as segment) [$(basename "$(dirname "$ABIN")")]"
else
	fail "item 17: access --strategy all,tls: exit $rc, tls $n rows, segment $m: $(head -3 "$T/a17.err")"
fi

done_testing
