#!/bin/bash
# t-bench-quiet-cold.sh - undisturbed samples of access --mode cold
# (bench/access-cold.c), driven deterministically by the test hook
# PCPU_TEST_DISTURB (bench/bench-env.c), as t-bench-quiet.sh does for the
# other timed batches:
#  - every cold batch is judged, the empty path's too (its sample is
#    subtracted from every point's at that K): batches = (points + 1 empty)
#    x K x repetitions + retries;
#  - =all: every cold row flagged:disturbed, none ok, the counts agree;
#  - =5: the first sample taken, the empty path of the first K, gets no
#    quiet batch (1 + 4 retries): every point of that K is flagged in
#    that repetition (other samples stand unless the machine itself
#    disturbed them: the counts still agree);
#  - the report's step list says the count of a judged step, 0 too.
# Behaviour only: no timing is checked.
. "$(dirname "$0")/lib.sh"
need_bin

meta() {	# meta FILE KEY: a value of FILE.meta.json's meta block
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"].get(sys.argv[2], ""))' \
		"$1.meta.json" "$2"
}

# load.py CSV: m its metadata, rows its cold_cycles rows with a value
cat >"$T/load.py" <<'PY'
import csv, json, sys
f = sys.argv[1]
m = json.load(open(f + ".meta.json"))["meta"]
rows = [r for r in csv.DictReader(open(f)) if r["metric"] == "cold_cycles"
        and r["value"] != "NA"]
PY

# --tries 1: the repetitions in order (with more tries each group of
# rounds takes them in a random order), so repetition 0's is the first
# cold sample taken; cold samples are taken once per repetition anyway
args=(access --strategy offset-array,segment --cpuid rseq --mode cold
      --cold 0,3 --page 4k --cold-samples 20 --repeat 2 --tries 1
      --events none -q --format csv)

# ---- quiet: every cold batch judged, the empty path's too ----
check "cold, no hook: exit 0" "$BIN" "${args[@]}" -o "$T/q.csv"
check "cold: batches = (points + 1 empty) x K x reps + retries" \
	"$PY" - "$T/q.csv" "$T/load.py" <<'PY'
import sys
exec(open(sys.argv[2]).read())
pts = {(r["strategy"], r["cpuid"]) for r in rows}
ks = {r["cold_pages"] for r in rows}
reps = {r["rep"] for r in rows}
assert len(ks) >= 2 and len(reps) == 2 and len(pts) >= 3, (pts, ks, reps)
want = (len(pts) + 1) * len(ks) * len(reps) + int(m["quiet_retries"])
assert int(m["quiet_batches"]) == want, (m["quiet_batches"], want)
PY

# ---- =all: every batch disturbed ----
PCPU_TEST_DISTURB=all "$BIN" "${args[@]}" -o "$T/a.csv" 2>"$T/a.err"
is "cold =all: exit" $? 0
check "cold =all: every cold row flagged, the counts agree" \
	"$PY" - "$T/a.csv" "$T/load.py" <<'PY'
import sys
exec(open(sys.argv[2]).read())
assert rows
bad = [r for r in rows if not r["status"].startswith("flagged:disturbed(")]
assert not bad, bad[:2]
assert m["quiet_batches"] == m["quiet_disturbed"], m
assert int(m["quiet_flagged_samples"]) == len(rows), (m, len(rows))
assert int(m["quiet_retries"]) > 0, m
PY
check "cold =all: stderr says so" \
	grep -q 'batches disturbed, .* flagged:disturbed' "$T/a.err"

# ---- =5: the first K's empty path disturbed in repetition 0 ----
check "cold =5: exit 0" env PCPU_TEST_DISTURB=5 "$BIN" "${args[@]}" \
	-o "$T/e.csv"
check "cold =5: a disturbed empty path flags its K's points, only those" \
	"$PY" - "$T/e.csv" "$T/load.py" <<'PY'
import sys
exec(open(sys.argv[2]).read())
fl = [r for r in rows if r["status"].startswith("flagged:disturbed(")]
# the first K measured is the first of --cold (0), repetition 0: each of
# its points flagged (the shared machine may disturb a later batch too,
# so other flagged rows are allowed, never an ok row of that K and rep)
first = [r for r in rows if r["rep"] == "0" and r["cold_pages"] == "0"]
assert first and all(r in fl for r in first), first
want = {(r["strategy"], r["cpuid"]) for r in rows}
assert {(r["strategy"], r["cpuid"]) for r in first} == want, first
assert int(m["quiet_flagged_samples"]) == len(fl), (m, len(fl))
assert int(m["quiet_disturbed"]) >= 5 and int(m["quiet_retries"]) >= 4, m
PY
check "cold: no cycle count <= 0 is ok" \
	awk -F, '$(NF-3) == "cold_cycles" && $NF == "ok" && $(NF-2) + 0 <= 0 {
		print; bad++ } END { exit bad > 0 }' "$T/q.csv" "$T/e.csv"

# ---- the report's step list: the count of every judged step ----
check "report: a judged step with no disturbed batch says 0/N" \
	"$PY" - <<'PY'
import sys
sys.path.insert(0, "plots")
import report


class R:
    step_meta = {"06-access": {"measure_seconds": "12.6",
                               "quiet_batches": "1120",
                               "quiet_disturbed": "0",
                               "quiet_flagged_samples": "0"},
                 "07-workload": {"measure_seconds": "8.4"}}


got = report.quiet_note(R, {"n": "6", "bench": "access"})
assert got == "12.6 s; disturbed 0/1120 batches, 0 sample(s) dropped", got
got = report.quiet_note(R, {"n": "7", "bench": "workload"})
assert got == "8.4 s", got
PY

done_testing
