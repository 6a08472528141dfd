#!/bin/bash
# t-cmd-access.sh - pcpubench access (and info) output lint: CSV has the same column count on
# every line, a known status on every row, NA exactly when the status is
# na:<reason>, a unit on every row; the software counters are numbers;
# JSON (access and info) parses. Behaviour only: no timing is checked.
. "$(dirname "$0")/lib.sh"
need_bin

args=(--strategy offset-array,segment,vm-area,hybrid,tls --op read,inc
      --mode latency,throughput --repeat 3 --min-time 0.0001 --tries 2 -q)

check "access --format csv -o: exit 0" "$BIN" access "${args[@]}" --format csv -o "$T/a.csv"
check "CSV written" test -s "$T/a.csv"
ls "$T" | grep -q tmp && fail "temporary file left behind"

# Lint with awk (CSV fields here are never quoted except status-free ones).
check "CSV lint: columns, status, NA, units, metrics" awk -F, -v OFS=, '
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
}' "$T/a.csv"

# Every strategy reported something for every rep.
for s in offset-array segment vm-area hybrid tls; do
	check "rows for $s" grep -q "^access,$s," "$T/a.csv"
done

if [ -x "$PY" ]; then
	check "access --format json: exit 0" \
		"$BIN" access --strategy segment --op read --mode latency --repeat 2 \
		--min-time 0.0001 -q --format json -o "$T/a.json"
	check "access JSON parses" "$PY" -m json.tool "$T/a.json"
	check "access JSON content" "$PY" - "$T/a.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 2
for k in ("seed", "cycles_source", "tsc_hz", "pfm_pmu", "version", "kernel"):
    assert k in d["meta"], k
for r in d["rows"]:
    assert (r["value"] is None) == r["status"].startswith("na:"), r
PY
	"$BIN" info --format json > "$T/info.json" || fail "info json exit $?"
	check "info JSON parses" "$PY" -m json.tool "$T/info.json"
fi

# Text on request; usage errors give exit 2.
"$BIN" access --strategy tls --op read --mode latency --repeat 2 \
	--min-time 0.0001 -q --format text | grep -q "cycles_per_op" &&
	pass "text table" || fail "text table"
expect 2 "" "$BIN" access --op frob
expect 2 "" "$BIN" access --strategy nope
expect 2 "" "$BIN" access --events bogus
help=$("$BIN" access --help)
check "help names --pressure" grep -q -- "--pressure" <<<"$help"


# Bad input: clear message, exit 2.
for bad in "--cold 40000" "--cold -1" "--cold abc" "--cold ," "--mode bogus" \
	   "--cold-samples 5" "--cold-samples x"; do
	# shellcheck disable=SC2086
	expect 2 "." "$BIN" access $bad
done
expect 2 "pool" "$BIN" access --cold 40000
expect 2 "mode" "$BIN" access --mode bogus
for o in --cold --cold-samples path throughput latency ptr cycles_over_floor \
	 pages_on_path cold_cycles minimal_loop_cycles_per_op; do
	check "help names $o" grep -q -- "$o" <<<"$help"
done

# Modes, the floor, access/layout columns, the CSV metadata sidecar.
check "access modes: exit 0" env PCPU_CALIBRATION="$T/no-such-calibration.csv" "$BIN" access \
	--strategy offset-array,segment,vm-area,hybrid,tls --cpuid tls \
	--op read,write,inc --mode path,latency,throughput --repeat 2 \
	--min-time 0.0001 --tries 1 --events none -q --format csv \
	-o "$T/m.csv"
if [ -x "$PY" ]; then
	check "modes and floor content" "$PY" - "$T/m.csv" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
hdr = open(sys.argv[1]).readline().strip().split(",")
assert hdr[1:4] == ["strategy", "access", "layout"], hdr
want = {"offset-array": ("table", "embed"), "segment": ("segment", "embed"),
        "vm-area": ("shift", "vm"), "hybrid": ("table", "hybrid"),
        "tls": ("tls", "thread"), "ptr": ("ptr", "none")}
for r in rows:
    assert (r["access"], r["layout"]) == want[r["strategy"]], r
# a sample the machine disturbed (bench-quiet.h) is measured, flagged
DIST = ("flagged:disturbed", "flagged:not-positive")
seen = {(r["strategy"], r["op"], r["mode"]) for r in rows
        if r["metric"] == "cycles_per_op" and (r["status"] == "ok" or
        r["status"].startswith(("flagged:below-read-path",) + DIST))}
# only a path inc may be flagged, and only against the read path
for r in rows:
    if r["status"].startswith("flagged:") and \
            not r["status"].startswith(DIST):
        assert r["op"] == "inc" and r["mode"] == "path", r
for s in want:
    for op in ("read", "write", "inc"):
        for m in ("path", "latency", "throughput"):
            assert (s, op, m) in seen, (s, op, m)
# every strategy row with cycles_per_op has cycles_over_floor; ptr's is 0
key = lambda r: (r["strategy"], r["cpuid"], r["op"], r["mode"], r["rep"])
cyc = {key(r) for r in rows if r["metric"] == "cycles_per_op"}
flo = {key(r): r for r in rows if r["metric"] == "cycles_over_floor"}
assert cyc == set(flo), cyc ^ set(flo)
for k, r in flo.items():
    if k[0] == "ptr":
        assert float(r["value"]) == 0, r
    assert r["status"] == "derived" or \
        r["status"].startswith(("na:",) + DIST), r
mins = [r for r in rows if r["metric"] == "minimal_loop_cycles_per_op"]
assert mins and all(r["strategy"] == "ptr" and r["op"] == "read" and
                    r["mode"] == "throughput" for r in mins), mins
assert all(r["cold_pages"] == "-" for r in rows)
meta = json.load(open(sys.argv[1] + ".meta.json"))
assert meta["bench"] == "access"
m = meta["meta"]
for k in ("calibration_path", "calibration_status", "calibration_date",
          "calibration_host", "calibration_revision", "seed", "revision"):
    assert k in m, k
assert m["calibration_status"].startswith("none"), m["calibration_status"]
assert m["calibration_path"].endswith("no-such-calibration.csv")
PY
fi

# Cold reads: rows per strategy and backing, pages on the path counted.
check "access --cold: exit 0" "$BIN" access --strategy segment,offset-array,tls --cpuid tls --cold 0,3 \
	--cold-samples 20 --repeat 2 --events none -q --format csv \
	-o "$T/c.csv"
if [ -x "$PY" ]; then
	check "cold content" "$PY" - "$T/c.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["mode"] == "cold" for r in rows), "non-cold rows"
got = {(r["strategy"], r["page"], r["cold_pages"]) for r in rows
       if r["metric"] == "cold_cycles"}
for s in ("segment", "offset-array", "tls", "ptr"):
    for pg in ("4k", "2m"):
        for k in ("0", "3"):
            assert (s, pg, k) in got, (s, pg, k)
pages = {}
for r in rows:
    if r["metric"] == "pages_on_path" and r["status"] == "ok":
        v = float(r["value"])
        assert v == int(v) and 1 <= v <= 4, r
        pages[r["strategy"]] = v
assert pages["segment"] == 1 and pages["ptr"] == 1, pages
assert pages["offset-array"] >= 2, pages
for r in rows:
    if r["metric"] == "cold_cycles" and r["strategy"] == "tls" and r["page"] == "2m":
        assert r["status"].startswith("na:"), r
PY
fi
check "a metadata sidecar for the cold run" test -s "$T/c.csv.meta.json"
check "the sidecar names cold_method" grep -q cold_method "$T/c.csv.meta.json"

# --late: every point on a boot CPU and on the same CPU onlined after
# init (phase late), the same points in both phases; without it, boot only.
check "access --late: exit 0" "$BIN" access --strategy segment,vm-area,hybrid,hybrid-segment --late \
	--mode path,cold --op read --cold 3 --cold-samples 20 --repeat 2 \
	--min-time 0.0001 --tries 1 --events none -q --format csv \
	-o "$T/l.csv"
if [ -x "$PY" ]; then
	check "late content" "$PY" - "$T/l.csv" "$T/c.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and {r["phase"] for r in rows} == {"boot", "late"}, "phases"
key = lambda r: (r["strategy"], r["mode"], r["page"], r["cpuid"],
                 r["cold_pages"], r["metric"], r["rep"])
boot = {key(r) for r in rows if r["phase"] == "boot"}
late = {key(r) for r in rows if r["phase"] == "late"}
assert boot == late, sorted(boot ^ late)[:5]
# interleaved: the rows of repetition r, boot then late, before r + 1's
order = [(int(r["rep"]), r["phase"]) for r in rows]
firsts = []
for x in order:
    if x not in firsts:
        firsts.append(x)
assert firsts == [(0, "boot"), (0, "late"), (1, "boot"), (1, "late")], \
    firsts
for s in ("segment", "vm-area", "hybrid", "hybrid-segment", "ptr"):
    for ph in ("boot", "late"):
        ok = [r for r in rows if r["strategy"] == s and r["phase"] == ph
              and r["page"] == "4k" and r["metric"] in
              ("cycles_per_op", "cold_cycles") and (r["status"] == "ok" or
              r["status"].startswith("flagged:disturbed"))]
        assert ok, (s, ph)
assert {r["phase"] for r in csv.DictReader(open(sys.argv[2]))} == \
    {"boot"}, "without --late: phase boot only"
PY
fi
check "the sidecar names the phases" grep -q '"phases"' "$T/l.csv.meta.json"

done_testing
