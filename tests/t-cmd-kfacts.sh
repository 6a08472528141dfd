#!/bin/bash
# t-cmd-kfacts.sh - `pcpubench kfacts` and info's kernel per-CPU section:
# rows from real boot logs (tests/fixtures/kfacts/), NA with the reason
# when the log is unreadable, rotated out or holds no per-CPU line, no
# NUMA sysfs, the running kernel (whatever it says, every fact is a
# number or NA with a reason), info's section, and the guest step's
# usage and skip paths (it never boots a guest here: PCPU_SKIP_GUEST=1).
# Exit 0 pass, 1 fail.
. "$(dirname "$0")/lib.sh"
fx=tests/fixtures/kfacts

# value CSV METRIC CPU: the value column of the row
value() {
	awk -F, -v m="$2" -v c="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["metric"] == m && $col["cpu"] == c { print $col["value"]; exit }' "$1"
}
status() {
	awk -F, -v m="$2" -v c="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["metric"] == m && $col["cpu"] == c { print $col["status"]; exit }' "$1"
}
want() {
	# want CSV METRIC CPU VALUE
	is "$(basename "$1") $2 cpu=$3" "$(value "$1" "$2" "$3")" "$4"
}

# 1. the guest's real boot lines, default allocator and percpu_alloc=page
"$BIN" kfacts --log $fx/guest61-embed.log --topology guest --boot default \
	--format csv -o "$T/e.csv" || fail "kfacts --log guest61-embed.log: exit $?"
want "$T/e.csv" unit_size - 1048576
want "$T/e.csv" static_size - 217088
want "$T/e.csv" reserved_size - 8192
want "$T/e.csv" nr_groups - 2
want "$T/e.csv" nr_cpu_ids - 10
want "$T/e.csv" unit_group 4 0
want "$T/e.csv" unit_group 9 1
grep -q '^kfacts,guest,default,embed,-,' "$T/e.csv" ||
	fail "rows lack topology guest, boot default, allocator embed"
"$BIN" kfacts --log $fx/guest61-page.log --boot page --format csv \
	-o "$T/p.csv" || fail "kfacts --log guest61-page.log: exit $?"
want "$T/p.csv" pages_per_cpu - 58
want "$T/p.csv" page_size - 4096
want "$T/p.csv" unit_size - 237568
want "$T/p.csv" nr_groups - 1
grep -q '^kfacts,host,page,page,' "$T/p.csv" || fail "page rows lack allocator page"

# 2. a 4-node machine's lines: 160 units, 16 empty
"$BIN" kfacts --log $fx/skx144.log --format csv -o "$T/s.csv" || fail "skx144: exit $?"
want "$T/s.csv" nr_units - 160
want "$T/s.csv" nr_empty_units - 16
want "$T/s.csv" unit_group 143 3

# 3. unreadable, rotated out, empty: NA with the reason, exit 0
"$BIN" kfacts --log "$T/none.log" --format csv -o "$T/n.csv" ||
	fail "missing log: exit $? (want 0 with NA rows)"
st=$(status "$T/n.csv" static_size -)
case $st in na:log-unreadable*"No such file"*) pass "missing log: $st" ;;
*) fail "missing log: static_size status '$st'" ;; esac
[ "$(value "$T/n.csv" static_size -)" = NA ] || fail "missing log: value is not NA"
"$BIN" kfacts --log $fx/rotated.kmsg --format csv -o "$T/r.csv" || fail "rotated: exit $?"
st=$(status "$T/r.csv" unit_size -)
case $st in na:rotated-out*"record 94211"*) pass "rotated: $st" ;;
*) fail "rotated: unit_size status '$st'" ;; esac
# every NA of a rotated log carries its reason, the per-CPU rows too
# (group_node said a bare "na:not-listed" once the boot lines were gone)
bad=$(awk -F, 'NR > 1 && $8 == "NA" && $10 !~ /^na:[a-zA-Z-]+\(.+\)$/' "$T/r.csv" | head -3)
[ -z "$bad" ] && pass "rotated: every NA has a reason" || fail "rotated: $bad"
: >"$T/empty.log"
"$BIN" kfacts --log "$T/empty.log" --format csv -o "$T/z.csv" || fail "empty: exit $?"
st=$(status "$T/z.csv" unit_size -)
case $st in na:not-in-log*"cannot be told"*) pass "empty log: $st" ;;
*) fail "empty log: unit_size status '$st' (must not claim rotation)" ;; esac

# 4. no NUMA sysfs, no CPU sets (a container's /sys)
mkdir -p "$T/sys/cpu"
"$BIN" kfacts --log $fx/guest61-embed.log --sysfs "$T/sys" --format csv \
	-o "$T/c.csv" || fail "no sysfs: exit $?"
case $(status "$T/c.csv" cpus_off_group_node -) in
na:no-numa-sysfs*) pass "no NUMA sysfs: NA" ;; *) fail "no NUMA sysfs: not NA" ;; esac
case $(status "$T/c.csv" possible_cpus -) in
na:no-sysfs*) pass "no CPU sets: NA" ;; *) fail "no CPU sets: not NA" ;; esac

# 4b. the guest's sysfs after a vCPU was hot-added on node 1 (CPU 4):
#     its unit sits in node 0's group (embed); one group spans both nodes
#     under percpu_alloc=page: no group node, nothing "off node"
mkdir -p "$T/gs/cpu" "$T/gs/node/node0" "$T/gs/node/node1"
echo 0-9 >"$T/gs/cpu/possible"; echo 0-4 >"$T/gs/cpu/present"
echo 0-4 >"$T/gs/cpu/online"
echo 0-1 >"$T/gs/node/node0/cpulist"; echo 2-4 >"$T/gs/node/node1/cpulist"
"$BIN" kfacts --log $fx/guest61-embed.log --sysfs "$T/gs" --format csv \
	-o "$T/ge.csv" || fail "guest sysfs embed: exit $?"
want "$T/ge.csv" cpus_off_group_node - 1
want "$T/ge.csv" group_node 4 0
want "$T/ge.csv" cpu_node 4 1
want "$T/ge.csv" first_chunk_possible_bytes - 10485760
want "$T/ge.csv" first_chunk_online_bytes - 5242880
case $(status "$T/ge.csv" cpu_node 6) in
na:no-node*) pass "absent CPU 6: no node in sysfs: NA" ;; *) fail "absent CPU 6 node not NA" ;; esac
"$BIN" kfacts --log $fx/guest61-page.log --sysfs "$T/gs" --format csv \
	-o "$T/gp.csv" || fail "guest sysfs page: exit $?"
want "$T/gp.csv" cpus_off_group_node - 0
case $(status "$T/gp.csv" group_node 0) in
na:no-group-node*) pass "page: one group over two nodes has no node" ;;
*) fail "page: group_node of CPU 0 is not NA" ;; esac

# 5. the running kernel: every fact is a number with status ok/derived
#    or NA with a reason; never an empty value
"$BIN" kfacts --format csv -o "$T/h.csv" || fail "kfacts on this host: exit $?"
bad=$(awk -F, 'NR > 1 && !(($10 == "ok" || $10 == "derived") && $8 ~ /^[0-9.]+$/) &&
	!($10 ~ /^na:[a-zA-Z-]+\(.+\)$/ && $8 == "NA")' "$T/h.csv" | head -3)
[ -z "$bad" ] && pass "host rows: values or NA(reason)" || fail "host rows: $bad"
n=$(grep -c . "$T/h.csv")
[ "$n" -gt 20 ] || fail "host: only $n lines"

# 6. info's section
"$BIN" info >"$T/info.txt" 2>&1 || fail "info: exit $?"
grep -q '^kernel_percpu' "$T/info.txt" && grep -q 'first_chunk' "$T/info.txt" &&
	pass "info has the kernel_percpu section" || fail "info lacks kernel_percpu"
"$BIN" info --format json | /usr/bin/python3 -c '
import json, sys
k = json.load(sys.stdin)["kernel_percpu"]
assert "allocator" in k and "reserved_size" in k and "groups" in k, k
' && pass "info json kernel_percpu" || fail "info json kernel_percpu"

# 7. usage errors; the dry run
"$BIN" kfacts --bogus >/dev/null 2>&1; [ $? = 2 ] || fail "--bogus: want exit 2"
"$BIN" kfacts --boot 'a,b' >/dev/null 2>&1; [ $? = 2 ] || fail "--boot a,b: want exit 2"
out=$("$BIN" --dry-run kfacts --format csv -o "$T/d.csv")
[ "$out" = "intent: kfacts hotplug=none" ] && [ ! -e "$T/d.csv" ] &&
	pass "dry run: $out" || fail "dry run: '$out'"

# 7b. the report's kernel section and findings lines, from the rows of a
#     real run (tests/fixtures/guest-kfacts: this VM's kfacts and the
#     guest step's two boots; its kernel-modules.csv, the default boot's
#     test modules loaded until the kernel refused one, is from a later
#     real run of the guest step, kernel-int branch)
cp -r tests/fixtures/guest-kfacts "$T/gk"
if PCPU_NO_FIGURES=1 /usr/bin/python3 plots/report.py "$T/gk" --stdout \
	>"$T/gk.txt" 2>"$T/gk.err"; then
	for pat in '^== kernel: ' '^placement, Linux 6.1, 2-node guest, default boot (embed)' \
		'^placement, Linux 6.1, 2-node guest, page boot (page)' \
		'^  4 hotadded     1 0\* 4K l' '^  4 hotadded     1 0\* 4K v' \
		'^  this kernel (embed): unit 1M x 2 possible = 2M' \
		'guest (embed, page): hot-added CPU 4 on node 1:' \
		'static, alloc_percpu on node 0; vm_area, hybrid on node 1' \
		'in another node.s group: CPU 4 (node 1, group node 0)' \
		'^module reserve (test modules loaded until the kernel refuses one):' \
		'^  Linux 6.1 guest, default boot: kernel refused test module 5 (40 B)' \
		'with 8144 B of r 8K used; model reserve:r loads 4, refuses the same'; do
		grep -q -- "$pat" "$T/gk.txt" && pass "report: /$pat/" ||
			fail "report lacks /$pat/"
	done
	# the findings block of a real run with the guest's claims 3, 4, 7
	# (cid and modules rows of a later quick run, kernel-int branch) and
	# of real-vm (claims 1-6): within findings.MAX_LINES lines of 72 columns, never
	# cut: every figure line of every claim whole in the block, every
	# context line whole after it
	cp -r tests/fixtures/real-vm "$T/rv"
	for d in "$T/gk" "$T/rv"; do
		if msg=$(cd plots && /usr/bin/python3 - "$d" 2>&1 <<'PY'
import sys
import findings
from pcpu_results import Run
run = Run(sys.argv[1])
ctx = []
blk = findings.block(run, ctx)
assert len(blk) <= findings.MAX_LINES, "%d lines" % len(blk)
long = [ln for ln in blk + ctx if len(ln) > 72]
assert not long, long
flat = lambda ls: " ".join(" ".join(ls).split())
b, m = flat(blk), flat(ctx)
cl = findings.compute(run)
for c in cl:
    if c.key == "modules" and not c.settled:
        continue        # left out of a run without the modules step
    for i, ln in enumerate(c.lines):
        assert flat([ln]) in (m if i in c.more else b), (c.key, ln)
print(len(blk))
PY
		); then
			pass "findings block of $(basename "$d"): $msg lines, 72 columns, none cut"
		else
			fail "findings block of $(basename "$d"): $msg"
		fi
	done
	grep -q '^  6.1 guest: hot-added CPU 4 (node 1): static, alloc_percpu on node 0;$' "$T/gk.txt" && grep -q '^    vm_area, hybrid on node 1$' "$T/gk.txt" &&
		grep -Eq '^  6.1 guest refused module 5 \(40 B\) at 8144 B of r 8K; model: the same$' "$T/gk.txt" &&
		grep -q '^  cid: 2 units for 8 threads on 2 CPUs, cpu_id 1024' "$T/gk.txt" &&
		pass "findings: the guest's lines of claims 4 and 7, claim 3's cid line" ||
		fail "findings: guest/cid lines: $(sed -n '1,/^$/p' "$T/gk.txt" | grep -E 'guest|cid')"
	long=$(awk 'length > 72' "$T/gk.txt" | head -2)
	[ -z "$long" ] && pass "report: 72 columns" || fail "report: long lines: $long"
	grep -q 'INCOMPLETE' "$T/gk.txt" && fail "report: INCOMPLETE (the guest step's rows not counted)"
else
	fail "report.py on guest-kfacts: $(tail -3 "$T/gk.err")"
fi

# 8. the guest step: usage, dry run, skip with one line
st=tests/guest/kfacts-step.sh
$st --boots embed -o "$T/g.csv" >/dev/null 2>&1; [ $? = 2 ] || fail "guest --boots embed: want 2"
$st --boots default >/dev/null 2>&1; [ $? = 2 ] || fail "guest without -o: want 2"
out=$($st --dry-run --boots default,page -o "$T/g.csv")
[ "$out" = "intent: guest hotplug=none" ] || fail "guest dry run: '$out'"
msg=$(PCPU_SKIP_GUEST=1 $st -o "$T/g.csv" 2>&1)
rc=$?
[ $rc = 4 ] && [ "$(echo "$msg" | wc -l)" = 1 ] && [ ! -e "$T/g.csv" ] &&
	pass "guest skip: exit 4: $msg" || fail "guest skip: exit $rc: $msg"
msg=$(PCPU_SKIP_GUEST=0 QEMU=/nonexistent/qemu $st -o "$T/g.csv" 2>&1)
[ $? = 4 ] && grep -q 'not installed' <<<"$msg" && pass "no qemu: $msg" ||
	fail "no qemu: $msg"

done_testing
