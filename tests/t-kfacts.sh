#!/bin/bash
# t-kfacts.sh - `pcpubench kfacts` and info's kernel per-CPU section:
# rows from real boot logs (tests/fixtures/kfacts/), NA with the reason
# when the log is unreadable, rotated out or holds no per-CPU line, no
# NUMA sysfs, the running kernel (whatever it says, every fact is a
# number or NA with a reason), info's section, and the guest step's
# usage and skip paths (it never boots a guest here: PCPU_SKIP_GUEST=1).
# Exit 0 pass, 1 fail.
set -u
cd "$(dirname "$0")/.." || exit 1
bin=${PCPUBENCH:-build/pcpubench}
fx=tests/fixtures/kfacts
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

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
	local v
	v=$(value "$1" "$2" "$3")
	if [ "$v" = "$4" ]; then ok "$(basename "$1") $2 cpu=$3 = $4"
	else fail "$(basename "$1") $2 cpu=$3 = '$v', want $4"; fi
}

# 1. the guest's real boot lines, default allocator and percpu_alloc=page
"$bin" kfacts --log $fx/guest61-embed.log --topology guest --boot default \
	--format csv -o "$tmp/e.csv" || fail "kfacts --log guest61-embed.log: exit $?"
want "$tmp/e.csv" unit_size - 1048576
want "$tmp/e.csv" static_size - 217088
want "$tmp/e.csv" reserved_size - 8192
want "$tmp/e.csv" nr_groups - 2
want "$tmp/e.csv" nr_cpu_ids - 10
want "$tmp/e.csv" unit_group 4 0
want "$tmp/e.csv" unit_group 9 1
grep -q '^kfacts,guest,default,embed,-,' "$tmp/e.csv" ||
	fail "rows lack topology guest, boot default, allocator embed"
"$bin" kfacts --log $fx/guest61-page.log --boot page --format csv \
	-o "$tmp/p.csv" || fail "kfacts --log guest61-page.log: exit $?"
want "$tmp/p.csv" pages_per_cpu - 58
want "$tmp/p.csv" page_size - 4096
want "$tmp/p.csv" unit_size - 237568
want "$tmp/p.csv" nr_groups - 1
grep -q '^kfacts,host,page,page,' "$tmp/p.csv" || fail "page rows lack allocator page"

# 2. a 4-node machine's lines: 160 units, 16 empty
"$bin" kfacts --log $fx/skx144.log --format csv -o "$tmp/s.csv" || fail "skx144: exit $?"
want "$tmp/s.csv" nr_units - 160
want "$tmp/s.csv" nr_empty_units - 16
want "$tmp/s.csv" unit_group 143 3

# 3. unreadable, rotated out, empty: NA with the reason, exit 0
"$bin" kfacts --log "$tmp/none.log" --format csv -o "$tmp/n.csv" ||
	fail "missing log: exit $? (want 0 with NA rows)"
st=$(status "$tmp/n.csv" static_size -)
case $st in na:log-unreadable*"No such file"*) ok "missing log: $st" ;;
*) fail "missing log: static_size status '$st'" ;; esac
[ "$(value "$tmp/n.csv" static_size -)" = NA ] || fail "missing log: value is not NA"
"$bin" kfacts --log $fx/rotated.kmsg --format csv -o "$tmp/r.csv" || fail "rotated: exit $?"
st=$(status "$tmp/r.csv" unit_size -)
case $st in na:rotated-out*"record 94211"*) ok "rotated: $st" ;;
*) fail "rotated: unit_size status '$st'" ;; esac
: >"$tmp/empty.log"
"$bin" kfacts --log "$tmp/empty.log" --format csv -o "$tmp/z.csv" || fail "empty: exit $?"
st=$(status "$tmp/z.csv" unit_size -)
case $st in na:not-in-log*"cannot be told"*) ok "empty log: $st" ;;
*) fail "empty log: unit_size status '$st' (must not claim rotation)" ;; esac

# 4. no NUMA sysfs, no CPU sets (a container's /sys)
mkdir -p "$tmp/sys/cpu"
"$bin" kfacts --log $fx/guest61-embed.log --sysfs "$tmp/sys" --format csv \
	-o "$tmp/c.csv" || fail "no sysfs: exit $?"
case $(status "$tmp/c.csv" cpus_off_group_node -) in
na:no-numa-sysfs*) ok "no NUMA sysfs: NA" ;; *) fail "no NUMA sysfs: not NA" ;; esac
case $(status "$tmp/c.csv" possible_cpus -) in
na:no-sysfs*) ok "no CPU sets: NA" ;; *) fail "no CPU sets: not NA" ;; esac

# 4b. the guest's sysfs after a vCPU was hot-added on node 1 (CPU 4):
#     its unit sits in node 0's group (embed); one group spans both nodes
#     under percpu_alloc=page: no group node, nothing "off node"
mkdir -p "$tmp/gs/cpu" "$tmp/gs/node/node0" "$tmp/gs/node/node1"
echo 0-9 >"$tmp/gs/cpu/possible"; echo 0-4 >"$tmp/gs/cpu/present"
echo 0-4 >"$tmp/gs/cpu/online"
echo 0-1 >"$tmp/gs/node/node0/cpulist"; echo 2-4 >"$tmp/gs/node/node1/cpulist"
"$bin" kfacts --log $fx/guest61-embed.log --sysfs "$tmp/gs" --format csv \
	-o "$tmp/ge.csv" || fail "guest sysfs embed: exit $?"
want "$tmp/ge.csv" cpus_off_group_node - 1
want "$tmp/ge.csv" group_node 4 0
want "$tmp/ge.csv" cpu_node 4 1
want "$tmp/ge.csv" first_chunk_possible_bytes - 10485760
want "$tmp/ge.csv" first_chunk_online_bytes - 5242880
case $(status "$tmp/ge.csv" cpu_node 6) in
na:no-node*) ok "absent CPU 6: no node in sysfs: NA" ;; *) fail "absent CPU 6 node not NA" ;; esac
"$bin" kfacts --log $fx/guest61-page.log --sysfs "$tmp/gs" --format csv \
	-o "$tmp/gp.csv" || fail "guest sysfs page: exit $?"
want "$tmp/gp.csv" cpus_off_group_node - 0
case $(status "$tmp/gp.csv" group_node 0) in
na:no-group-node*) ok "page: one group over two nodes has no node" ;;
*) fail "page: group_node of CPU 0 is not NA" ;; esac

# 5. the running kernel: every fact is a number with status ok/derived
#    or NA with a reason; never an empty value
"$bin" kfacts --format csv -o "$tmp/h.csv" || fail "kfacts on this host: exit $?"
bad=$(awk -F, 'NR > 1 && !(($10 == "ok" || $10 == "derived") && $8 ~ /^[0-9.]+$/) &&
	!($10 ~ /^na:[a-zA-Z-]+\(.+\)$/ && $8 == "NA")' "$tmp/h.csv" | head -3)
[ -z "$bad" ] && ok "host rows: values or NA(reason)" || fail "host rows: $bad"
n=$(grep -c . "$tmp/h.csv")
[ "$n" -gt 20 ] || fail "host: only $n lines"

# 6. info's section
"$bin" info >"$tmp/info.txt" 2>&1 || fail "info: exit $?"
grep -q '^kernel_percpu' "$tmp/info.txt" && grep -q 'first_chunk' "$tmp/info.txt" &&
	ok "info has the kernel_percpu section" || fail "info lacks kernel_percpu"
"$bin" info --format json | /usr/bin/python3 -c '
import json, sys
k = json.load(sys.stdin)["kernel_percpu"]
assert "allocator" in k and "reserved_size" in k and "groups" in k, k
' && ok "info json kernel_percpu" || fail "info json kernel_percpu"

# 7. usage errors; the dry run
"$bin" kfacts --bogus >/dev/null 2>&1; [ $? = 2 ] || fail "--bogus: want exit 2"
"$bin" kfacts --boot 'a,b' >/dev/null 2>&1; [ $? = 2 ] || fail "--boot a,b: want exit 2"
out=$("$bin" --dry-run kfacts --format csv -o "$tmp/d.csv")
[ "$out" = "intent: kfacts hotplug=none" ] && [ ! -e "$tmp/d.csv" ] &&
	ok "dry run: $out" || fail "dry run: '$out'"

# 7b. the report's kernel section and findings lines, from the rows of a
#     real run (tests/fixtures/guest-kfacts: this VM's kfacts and the
#     guest step's two boots; its kernel-modules.csv, the default boot's
#     test modules loaded until the kernel refused one, is from a later
#     real run of the guest step, kernel-int branch)
cp -r tests/fixtures/guest-kfacts "$tmp/gk"
if PCPU_NO_FIGURES=1 /usr/bin/python3 plots/report.py "$tmp/gk" --stdout \
	>"$tmp/gk.txt" 2>"$tmp/gk.err"; then
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
		grep -q -- "$pat" "$tmp/gk.txt" && ok "report: /$pat/" ||
			fail "report lacks /$pat/"
	done
	# the findings block of a real run with the guest's claims 3, 4, 7
	# (cid and modules rows of a later quick run, kernel-int branch) and
	# of real-vm (claims 1-6): within findings.MAX_LINES lines of 72 columns, never
	# cut: every figure line of every claim whole in the block, every
	# context line whole after it
	cp -r tests/fixtures/real-vm "$tmp/rv"
	for d in "$tmp/gk" "$tmp/rv"; do
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
			ok "findings block of $(basename "$d"): $msg lines, 72 columns, none cut"
		else
			fail "findings block of $(basename "$d"): $msg"
		fi
	done
	grep -q '^  6.1 guest: hot-added CPU 4 (node 1): static, alloc_percpu on node 0;$' "$tmp/gk.txt" && grep -q '^    vm_area, hybrid on node 1$' "$tmp/gk.txt" &&
		grep -Eq '^  6.1 guest refused module 5 \(40 B\) at 8144 B of r 8K; model: the same$' "$tmp/gk.txt" &&
		grep -q '^  cid: 2 units for 8 threads on 2 CPUs, cpu_id 1024' "$tmp/gk.txt" &&
		ok "findings: the guest's lines of claims 4 and 7, claim 3's cid line" ||
		fail "findings: guest/cid lines: $(sed -n '1,/^$/p' "$tmp/gk.txt" | grep -E 'guest|cid')"
	long=$(awk 'length > 72' "$tmp/gk.txt" | head -2)
	[ -z "$long" ] && ok "report: 72 columns" || fail "report: long lines: $long"
	grep -q 'INCOMPLETE' "$tmp/gk.txt" && fail "report: INCOMPLETE (the guest step's rows not counted)"
else
	fail "report.py on guest-kfacts: $(tail -3 "$tmp/gk.err")"
fi

# 8. the guest step: usage, dry run, skip with one line
st=tests/guest/kfacts-step.sh
$st --boots embed -o "$tmp/g.csv" >/dev/null 2>&1; [ $? = 2 ] || fail "guest --boots embed: want 2"
$st --boots default >/dev/null 2>&1; [ $? = 2 ] || fail "guest without -o: want 2"
out=$($st --dry-run --boots default,page -o "$tmp/g.csv")
[ "$out" = "intent: guest hotplug=none" ] || fail "guest dry run: '$out'"
msg=$(PCPU_SKIP_GUEST=1 $st -o "$tmp/g.csv" 2>&1)
rc=$?
[ $rc = 4 ] && [ "$(echo "$msg" | wc -l)" = 1 ] && [ ! -e "$tmp/g.csv" ] &&
	ok "guest skip: exit 4: $msg" || fail "guest skip: exit $rc: $msg"
msg=$(PCPU_SKIP_GUEST=0 QEMU=/nonexistent/qemu $st -o "$tmp/g.csv" 2>&1)
[ $? = 4 ] && grep -q 'not installed' <<<"$msg" && ok "no qemu: $msg" ||
	fail "no qemu: $msg"

echo "$fails failed"
[ "$fails" = 0 ]
