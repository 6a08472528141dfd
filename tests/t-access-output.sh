#!/bin/bash
# pcpubench access and info output lint: CSV has the same column count on
# every line, a known status on every row, NA exactly when the status is
# na:<reason>, a unit on every row; the software counters are numbers;
# JSON (access and info) parses. Behaviour only: no timing is checked.
set -u
cd "$(dirname "$0")/.." || exit 1
bin=${PCPUBENCH:-build/pcpubench}
[ -x "$bin" ] || { echo "skip: $bin not built"; exit 77; }
py=/usr/bin/python3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

args=(--strategy offset-array,segment,vm-area,hybrid,tls --op read,inc
      --mode latency,throughput --repeat 3 --min-time 0.0001 --tries 2 -q)

"$bin" access "${args[@]}" --format csv -o "$tmp/a.csv" || fail "access csv exit $?"
[ -s "$tmp/a.csv" ] || fail "no CSV written"
ls "$tmp" | grep -q tmp && fail "temporary file left behind"

# Lint with awk (CSV fields here are never quoted except status-free ones).
awk -F, -v OFS=, '
NR == 1 {
	n = NF
	if ($1 != "bench" || $(NF-4) != "rep" || $(NF-3) != "metric" ||
	    $(NF-2) != "value" || $(NF-1) != "unit" || $NF != "status") {
		print "bad header: " $0; bad++
	}
	next
}
{
	if (NF != n) { print "line " NR ": " NF " fields, want " n; bad++ }
	st = $NF; v = $(NF-2); u = $(NF-1)
	if (st !~ /^(ok|multiplexed|estimated|derived)$/ &&
	    st !~ /^na:.+\(.+\)$/ && st !~ /^flagged:.+/) {
		print "line " NR ": bad status " st; bad++
	}
	if ((st ~ /^na:/) != (v == "NA")) { print "line " NR ": NA/status mismatch"; bad++ }
	if (v != "NA" && v !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) { print "line " NR ": bad value " v; bad++ }
	if (u == "") { print "line " NR ": no unit"; bad++ }
	m[$(NF-3)]++
	if ($(NF-3) ~ /^(page-faults|cpu-migrations|context-switches)_per_op$/ && v == "NA") {
		print "line " NR ": software counter NA"; bad++
	}
}
END {
	split("cycles_per_op ns_per_op core_clock page-faults_per_op " \
	      "cpu-migrations_per_op context-switches_per_op " \
	      "numa_local_fraction remote_accesses_per_op huge_page_fraction", need, " ")
	for (k in need) if (!(need[k] in m)) { print "missing metric " need[k]; bad++ }
	exit bad > 0
}' "$tmp/a.csv" || fail "CSV lint"

# Every strategy reported something for every rep.
for s in offset-array segment vm-area hybrid tls; do
	grep -q "^access,$s," "$tmp/a.csv" || fail "no rows for $s"
done

if [ -x "$py" ]; then
	"$bin" access --strategy segment --op read --mode latency --repeat 2 \
		--min-time 0.0001 -q --format json -o "$tmp/a.json" || fail "access json exit $?"
	"$py" -m json.tool "$tmp/a.json" >/dev/null || fail "access JSON does not parse"
	"$py" - "$tmp/a.json" <<'PY' || fail "access JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 1
for k in ("seed", "cycles_source", "tsc_hz", "pfm_pmu", "version", "kernel"):
    assert k in d["meta"], k
for r in d["rows"]:
    assert (r["value"] is None) == r["status"].startswith("na:"), r
PY
	"$bin" info --format json > "$tmp/info.json" || fail "info json exit $?"
	"$py" -m json.tool "$tmp/info.json" >/dev/null || fail "info JSON does not parse"
fi

# Text on request; usage errors give exit 2.
"$bin" access --strategy tls --op read --mode latency --repeat 2 \
	--min-time 0.0001 -q --format text | grep -q "cycles_per_op" || fail "text table"
"$bin" access --op frob >/dev/null 2>&1; [ $? = 2 ] || fail "bad --op not exit 2"
"$bin" access --strategy nope >/dev/null 2>&1; [ $? = 2 ] || fail "bad --strategy not exit 2"
"$bin" access --events bogus >/dev/null 2>&1; [ $? = 2 ] || fail "bad --events not exit 2"
"$bin" access --help | grep -q -- "--pressure" || fail "help lacks --pressure"

[ "$fails" = 0 ] && echo "ok: access/info output lint"
exit $((fails > 0))
