#!/bin/bash
# Churn and NUMA, behaviour only (no timings): every strategy under
# simulated hotplug loses no update, with the plain, the ASan+UBSan and the
# ThreadSanitizer binaries; the CSV has every metric; numa with the local
# policy finds every page on its CPU's node, including a CPU onlined late.
set -u
cd "$(dirname "$0")/.." || exit 1
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {
	local name=$1; shift
	if "$@" >"$tmp/$name.csv" 2>"$tmp/$name.err"; then
		echo "ok: $name"
	else
		echo "FAIL: $name (exit $?)"; sed 's/^/  | /' "$tmp/$name.err" | tail -20
		fails=$((fails + 1))
	fi
	if grep -q 'Sanitizer' "$tmp/$name.err"; then
		echo "FAIL: $name: sanitizer report"; sed 's/^/  | /' "$tmp/$name.err" | head -30
		fails=$((fails + 1))
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
for f in "$tmp"/layout-*.csv; do
	bad=$(grep ',lost_updates,' "$f" | grep -vc ',lost_updates,0,ops,ok$')
	n=$(grep -c ',lost_updates,' "$f")
	if [ "$n" -lt 2 ] || [ "$bad" -ne 0 ] || grep -q ',read_sum_mismatch,[1-9]' "$f"; then
		echo "FAIL: $(basename "$f"): $n lost_updates rows, $bad non-zero"
		fails=$((fails + 1))
	fi
	mv "$f" "${f%.csv}.layout"	# not a default run: its row count differs
done

# Every run: lost_updates 0, and every metric present with a value or NA.
for f in "$tmp"/*.csv; do
	[ -s "$f" ] || continue
	n=$(grep -c ',lost_updates,' "$f")
	bad=$(grep ',lost_updates,' "$f" | grep -vc ',lost_updates,0,ops,ok$')
	# 6 strategies x (the rate-0 baseline + 3 patterns at rate 2000)
	if [ "$n" -ne 24 ] || [ "$bad" -ne 0 ]; then
		echo "FAIL: $(basename "$f"): $n lost_updates rows, $bad non-zero"
		fails=$((fails + 1))
	fi
	for m in ops_per_sec ops_rel_no_churn online_latency_ns_p50 online_latency_ns_p99 \
		 offline_latency_ns_max page-faults cpu-migrations context-switches \
		 page_walks numa_local_fraction_min committed_bytes reserved_bytes \
		 online_alloc_ns_p50 online_copy_ns_p99 online_place_ns_p50 \
		 online_publish_ns_p50 online_worker_ns_p99 offline_quiesce_ns_p50 \
		 offline_fold_ns_p99 offline_unpublish_ns_p50 offline_release_ns_p99; do
		if [ "$(basename "$f")" = tsan.csv ] && [ "$m" = page_walks ]; then
			continue
		fi
		if ! grep -q ",$m," "$f"; then
			echo "FAIL: $(basename "$f"): no $m"; fails=$((fails + 1))
		fi
	done
	if awk -F, 'NR > 1 && $(NF-2) == "NA" && $NF !~ /^na:/ { exit 1 }
		    NR > 1 && $(NF-2) != "NA" && $NF ~ /^na:/ { exit 1 }' "$f"; then
		:
	else
		echo "FAIL: $(basename "$f"): NA value without na: status or the reverse"
		fails=$((fails + 1))
	fi
done
# At rate 2000 the driver did hotplug something.
if ! awk -F, '$7 == 2000 && $12 == "hotplug_events" && $13 > 0 { found = 1 }
	      END { exit !found }' "$tmp/plain.csv"; then
	echo "FAIL: no hotplug event at rate 2000"; fails=$((fails + 1))
fi

# NUMA: local placement keeps every page local, boot and late CPUs alike.
run numa build/pcpubench numa --strategy all --placement local --possible 4 \
	--online 3 --late 1 --matrix off --format csv
if grep -E ',local_fraction,' "$tmp/numa.csv" | grep -vq ',1,ratio,ok$'; then
	echo "FAIL: numa: a local unit has a remote page"; fails=$((fails + 1))
fi
if ! grep -q ',late,0,local_fraction,1,ratio,ok' "$tmp/numa.csv"; then
	echo "FAIL: numa: no late CPU reported"; fails=$((fails + 1))
fi

# What init knew: with CPUs absent at init (2 modelled nodes), embed and
# page leave some hot-added CPUs' units on the node init guessed; vm and
# hybrid place them on the CPU's real node when it comes.
topo="synthetic:pack:2 numa:1 core:2 pu:1"
for ln in roundrobin boot topology; do
	run "numa-$ln" build/pcpubench numa --strategy offset-array,vm-area,hybrid \
		--late-node "$ln" --topology "$topo" --possible 8 --present 4 --online 4 \
		--late 0 --hotadd 4 --placement local --matrix off --format csv
	f=$tmp/numa-$ln.csv
	for s in offset-array vm-area hybrid; do
		got=$(awk -F, -v s="$s" '$2 == s && $10 == "hotadded_units_remote" {print $11}' "$f")
		want=0
		[ "$s" = offset-array ] && [ "$ln" != topology ] && want=2
		if [ "$got" != "$want" ]; then
			echo "FAIL: numa --late-node $ln: $s hot-added units remote: ${got:-none}, want $want"
			fails=$((fails + 1))
		fi
	done
	mv "$f" "${f%.csv}.numa"
done

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
