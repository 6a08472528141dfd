#!/bin/bash
# hugetlb backing, end to end: with 2 MiB pages reserved (root: the test
# sets /proc/sys/vm/nr_hugepages and restores it on exit), every strategy
# with units in mappings gets hugetlb pages and says so (smaps, never
# assumed); with none reserved the runtime refuses with exit 2 and a
# message (tests/t-cli.sh checks that case). Skips when not root or when
# the kernel cannot give the pages.
set -u
cd "$(dirname "$0")/.." || exit 1
knob=/proc/sys/vm/nr_hugepages
[ "$(id -u)" = 0 ] && [ -w "$knob" ] || { echo "skip: needs root to reserve hugetlb pages"; exit 77; }
old=$(cat "$knob")
trap 'echo "$old" > "$knob"' EXIT
echo $((old + 16)) > "$knob"
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 8 ] || { echo "skip: kernel gave only ${free:-0} free huge pages"; exit 77; }
fails=0
# 4 possible: embed (offset-array, segment) commits all 4 units at init.
out=$(build/pcpubench mem --strategy offset-array,segment,vm-area,hybrid,hybrid-segment,tls \
	--possible 4 --online 2 --page hugetlb --format csv 2>&1)
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: mem --page hugetlb exit $rc: $out"; exit 1; }
for s in offset-array segment vm-area hybrid hybrid-segment; do
	hb=$(awk -F, -v s="$s" '$2 == s && $9 == "hugetlb_bytes" {print $10}' <<<"$out")
	un=$(awk -F, -v s="$s" '$2 == s && $9 == "unit_bytes" {print $10}' <<<"$out")
	if [ "${hb:-0}" -lt $((2 * ${un:-1})) ]; then
		echo "FAIL: $s: hugetlb_bytes ${hb:-none} for 2 units of ${un:-?}"
		fails=$((fails + 1))
	else
		echo "ok: $s: 2 units of $un bytes on hugetlb pages ($hb bytes)"
	fi
done
# Hotplug on hugetlb-backed units: no lost update, pages back in the pool.
before=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if build/pcpubench churn --strategy vm-area,offset-array --possible 8 --online 2 \
	--rate 0,200 --duration 0.3 --page hugetlb --format csv -q >/dev/null; then
	echo "ok: churn on hugetlb units"
else
	echo "FAIL: churn on hugetlb units"; fails=$((fails + 1))
fi
after=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "$before" != "$after" ]; then
	echo "FAIL: huge pages not returned: free $before before, $after after"
	fails=$((fails + 1))
fi
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
