#!/bin/bash
# hugetlb backing, end to end: with 2 MiB pages reserved (root: the test
# sets /proc/sys/vm/nr_hugepages and restores it on exit), every strategy
# with units in mappings gets hugetlb pages and says so (smaps, never
# assumed); with none reserved the runtime refuses with exit 4 and a
# message (tests/t-usage.sh checks that case). Skips when not root or when
# the kernel cannot give the pages.
. "$(dirname "$0")/lib.sh"
knob=/proc/sys/vm/nr_hugepages
is_root && [ -w "$knob" ] || skip_all "needs root to reserve hugetlb pages"
old=$(cat "$knob")
at_exit 'echo "$old" > "$knob"'
echo $((old + 16)) > "$knob"
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 8 ] || skip_all "kernel gave only ${free:-0} free huge pages"
# 4 possible: embed (offset-array, segment) commits all 4 units at init.
out=$("$BIN" mem --strategy offset-array,segment,vm-area,hybrid,hybrid-segment,tls \
	--possible 4 --online 2 --page hugetlb --format csv 2>&1)
rc=$?
[ $rc -eq 0 ] || { fail "mem --page hugetlb exit $rc: $out"; done_testing; }
for s in offset-array segment vm-area hybrid hybrid-segment; do
	hb=$(awk -F, -v s="$s" '$2 == s && $9 == "hugetlb_bytes" {print $10}' <<<"$out")
	un=$(awk -F, -v s="$s" '$2 == s && $9 == "unit_bytes" {print $10}' <<<"$out")
	if [ "${hb:-0}" -lt $((2 * ${un:-1})) ]; then
		fail "$s: hugetlb_bytes ${hb:-none} for 2 units of ${un:-?}"
	else
		pass "$s: 2 units of $un bytes on hugetlb pages ($hb bytes)"
	fi
done
# Hotplug on hugetlb-backed units: no lost update, pages back in the pool.
before=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if "$BIN" churn --strategy vm-area,offset-array --possible 8 --online 2 \
	--rate 0,200 --duration 0.3 --page hugetlb --format csv -q >/dev/null; then
	pass "churn on hugetlb units"
else
	fail "churn on hugetlb units"
fi
after=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
is "huge pages returned: free after the churn run" "$after" "$before"
done_testing
