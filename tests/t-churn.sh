#!/bin/bash
# Churn and NUMA, behaviour only (no timings): every strategy under
# simulated hotplug loses no update, with the plain, the ASan+UBSan and the
# ThreadSanitizer binaries; the CSV has every metric; numa with the local
# policy finds every page on its CPU's node, including a CPU onlined late.
. "$(dirname "$0")/lib.sh"

run() {
	local name=$1; shift
	if "$@" >"$T/$name.csv" 2>"$T/$name.err"; then
		pass "$name"
	else
		fail "$name (exit $?)"; sed 's/^/#   | /' "$T/$name.err" | tail -20
	fi
	if grep -q 'Sanitizer' "$T/$name.err"; then
		fail "$name: sanitizer report"; sed 's/^/#   | /' "$T/$name.err" | head -30
	fi
}

args=(churn --strategy all --possible 64 --online 4 --rate 0,2000
      --pattern random,round-robin,burst --duration 0.3 --format csv -q)
run plain build/pcpubench "${args[@]}"
[ -x build/asan/pcpubench ] && run asan build/asan/pcpubench "${args[@]}"
[ -x build/tsan/pcpubench ] && run tsan build/tsan/pcpubench "${args[@]}" --events sw

# Every valid --layout: the same guarantees (strategies whose access method
# has no such layout are skipped by 'all').
for lay in embed page vm hybrid; do
	largs=(churn --strategy all --layout "$lay" --possible 32 --online 4
	       --rate 0,2000 --duration 0.2 --format csv -q)
	run "layout-$lay" build/pcpubench "${largs[@]}"
	[ -x build/tsan/pcpubench ] && run "layout-$lay-tsan" build/tsan/pcpubench "${largs[@]}" --events sw
done
for f in "$T"/layout-*.csv; do
	bad=$(grep ',lost_updates,' "$f" | grep -vc ',lost_updates,0,ops,ok$')
	n=$(grep -c ',lost_updates,' "$f")
	if [ "$n" -lt 2 ] || [ "$bad" -ne 0 ] || grep -q ',read_sum_mismatch,[1-9]' "$f"; then
		fail "$(basename "$f"): $n lost_updates rows, $bad non-zero"
	else
		pass "$(basename "$f"): $n lost_updates rows, all 0; read_sum_mismatch 0"
	fi
	mv "$f" "${f%.csv}.layout"	# not a default run: its row count differs
done

# Every run: lost_updates 0, and every metric present with a value or NA.
for f in "$T"/*.csv; do
	[ -s "$f" ] || continue
	n=$(grep -c ',lost_updates,' "$f")
	bad=$(grep ',lost_updates,' "$f" | grep -vc ',lost_updates,0,ops,ok$')
	# every strategy 'all' ran (today's 6 at least) x (the rate-0
	# baseline + 3 patterns at rate 2000): 4 rows each
	ns=$(grep ',lost_updates,' "$f" | cut -d, -f2 | sort -u | wc -l)
	if [ "$ns" -lt 6 ] || [ "$n" -ne $((4 * ns)) ] || [ "$bad" -ne 0 ]; then
		fail "$(basename "$f"): $n lost_updates rows for $ns strategies, $bad non-zero"
	else
		pass "$(basename "$f"): $n lost_updates rows ($ns strategies x 4), all 0"
	fi
	miss=
	for m in ops_per_sec ops_rel_no_churn online_latency_ns_p50 online_latency_ns_p99 \
		 offline_latency_ns_max page-faults cpu-migrations context-switches \
		 page_walks numa_local_fraction_min committed_bytes reserved_bytes \
		 online_alloc_ns_p50 online_copy_ns_p99 online_place_ns_p50 \
		 online_publish_ns_p50 online_worker_ns_p99 offline_quiesce_ns_p50 \
		 offline_fold_ns_p99 offline_unpublish_ns_p50 offline_release_ns_p99; do
		if [ "$(basename "$f")" = tsan.csv ] && [ "$m" = page_walks ]; then
			continue
		fi
		grep -q ",$m," "$f" || miss="$miss $m"
	done
	[ -z "$miss" ] && pass "$(basename "$f"): every metric" ||
		fail "$(basename "$f"): no$miss"
	if awk -F, 'NR > 1 && $(NF-2) == "NA" && $NF !~ /^na:/ { exit 1 }
		    NR > 1 && $(NF-2) != "NA" && $NF ~ /^na:/ { exit 1 }' "$f"; then
		pass "$(basename "$f"): NA exactly with an na: status"
	else
		fail "$(basename "$f"): NA value without na: status or the reverse"
	fi
done
# At rate 2000 the driver did hotplug something.
check "hotplug events at rate 2000" \
	awk -F, '$7 == 2000 && $12 == "hotplug_events" && $13 > 0 { found = 1 }
	      END { exit !found }' "$T/plain.csv"

# NUMA: local placement keeps every page local, boot and late CPUs alike.
run numa build/pcpubench numa --strategy all --placement local --possible 4 \
	--online 3 --late 1 --matrix off --format csv
if grep -E ',local_fraction,' "$T/numa.csv" | grep -vq ',1,ratio,ok$'; then
	fail "numa: a local unit has a remote page"
else
	pass "numa: every local unit's pages local"
fi
check "numa: the late CPU reported" \
	grep -q ',late,0,local_fraction,1,ratio,ok' "$T/numa.csv"

# What init knew: with CPUs absent at init (2 modelled nodes), embed and
# page leave some hot-added CPUs' units on the node init guessed; vm and
# hybrid place them on the CPU's real node when it comes.
topo="synthetic:pack:2 numa:1 core:2 pu:1"
for ln in roundrobin boot topology; do
	run "numa-$ln" build/pcpubench numa --strategy offset-array,vm-area,hybrid \
		--late-node "$ln" --topology "$topo" --possible 8 --present 4 --online 4 \
		--late 0 --hotadd 4 --placement local --matrix off --format csv
	f=$T/numa-$ln.csv
	for s in offset-array vm-area hybrid; do
		got=$(awk -F, -v s="$s" '$2 == s && $10 == "hotadded_units_remote" {print $11}' "$f")
		want=0
		[ "$s" = offset-array ] && [ "$ln" != topology ] && want=2
		is "numa --late-node $ln: $s hot-added units remote" "${got:-none}" "$want"
	done
	mv "$f" "${f%.csv}.numa"
done

done_testing
