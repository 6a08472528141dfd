#!/bin/bash
# t-cmd-cid.sh - pcpubench cid, the cid id source (rseq mm_cid),
# behaviour only (no timings):
#  - list names the source, its strategies and why the other pairs do not
#    exist; info and every result's metadata carry the rseq facts;
#  - NA path: with the kernel's feature size forced below 28
#    (PCPU_RSEQ_FEATURE_SIZE=20, the guest's 6.1 kernel has none) every
#    cid row, of `cid` and of `access --cpuid cid`, is NA with the reason,
#    exit 0;
#  - registration cases on this kernel when it has mm_cid: glibc's area,
#    and our own with glibc's disabled (GLIBC_TUNABLES=glibc.pthread.rseq=0);
#  - lost updates: 0 in every mem, churn and cost row, for cid and cpu
#    indexing, with the plain, the ASan+UBSan and the ThreadSanitizer
#    binaries; cid ids below the allowed CPUs.
. "$(dirname "$0")/lib.sh"

# ---- list and info ----------------------------------------------------------
"$BIN" list >"$T/list" 2>&1
check "list: cid source" grep -q '^id source cid' "$T/list"
for s in cid-table cid-vm cpu-table cpu-vm; do
	check "list: $s" grep -Eq "^  $s +" "$T/list"
done
check "list: segment has a reason" grep -q '(c[0-9]) %gs is per thread' "$T/list"
"$BIN" info --format json >"$T/info.json" 2>/dev/null
check "info: rseq_cid facts" "$PY" - "$T/info.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["rseq_cid"]
need = {"kernel_release", "kernel_feature_size", "glibc_registered",
        "glibc_size", "mm_cid"}
sys.exit(0 if need <= set(r) else 1)
PY

# ---- NA path (a kernel without mm_cid) ---------------------------------------
PCPU_RSEQ_FEATURE_SIZE=20 "$BIN" cid --format csv --duration 0.05 --threads 2 \
	--ops 100 --repeat 1 -o "$T/na.csv" 2>"$T/na.err"
check "NA: exit 0" test $? -eq 0
check "NA: every cid row NA with the reason" "$PY" - "$T/na.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
bad = [r for r in rows if r["value"] != "NA" or
       not r["status"].startswith("na:no-mm-cid(") or "20" not in r["status"]]
parts = {r["part"] for r in rows}
sys.exit(0 if rows and not bad and parts == {"mem", "churn", "cost", "stability"} else 1)
PY
check "NA: meta says why" grep -q '"rseq_mm_cid": "na:no-mm-cid' "$T/na.csv.meta.json"
PCPU_RSEQ_FEATURE_SIZE=20 "$BIN" access --strategy offset-array,vm-area \
	--cpuid cid --op read --mode throughput --repeat 2 --events none \
	--format csv -o "$T/na-access.csv" 2>/dev/null
check "NA: access --cpuid cid exit 0" test $? -eq 0
check "NA: access cid rows NA" "$PY" - "$T/na-access.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["cpuid"] == "cid"
        and r["metric"] == "cycles_per_op"]
sys.exit(0 if rows and all(r["status"].startswith("na:no-mm-cid(") for r in rows) else 1)
PY

# ---- this kernel ------------------------------------------------------------
fs=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rseq_cid"]["kernel_feature_size"])' "$T/info.json")
if [ "${fs:-0}" -lt 28 ]; then
	skip "this kernel has no mm_cid (rseq feature size ${fs:-?}): the NA path above is its test"
	done_testing
fi
nproc_allowed=$(nproc)
lost_ok() {	# $1: csv; every lost_updates 0 and ok, some rows, no NA
	"$PY" - "$1" "$nproc_allowed" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ncpu = int(sys.argv[2])
lost = [r for r in rows if r["metric"] == "lost_updates"]
# no NA but an id that did not change (stability's change timing)
na = [r for r in rows if r["status"].startswith("na:") and
      not r["status"].startswith(("na:no-change(", "na:no-sample("))]
span = [r for r in rows if r["metric"] == "id_span" and r["index"] == "cid"]
bad_span = [r for r in span if float(r["value"]) > ncpu]
ok = lost and all(r["status"] == "ok" and float(r["value"]) == 0 for r in lost)
sys.exit(0 if ok and not na and not bad_span else 1)
PY
}
args=(cid --format csv --threads 1,3 --ops 20000 --mem-time 0.02 --duration 0.2 --repeat 2)
"$BIN" "${args[@]}" -o "$T/glibc.csv" 2>"$T/glibc.err"
check "glibc area: exit 0" test $? -eq 0
check "glibc area: lost updates 0, ids below the CPUs" lost_ok "$T/glibc.csv"
check "glibc area: meta" grep -q '"rseq_mm_cid": "glibc"' "$T/glibc.csv.meta.json"
check "stability rows" grep -q ',stability,-,cid,.*,id_changes_per_sec,' "$T/glibc.csv"

GLIBC_TUNABLES=glibc.pthread.rseq=0 "$BIN" "${args[@]}" --part mem,churn,cost \
	-o "$T/self.csv" 2>"$T/self.err"
check "own area: exit 0" test $? -eq 0
check "own area: lost updates 0" lost_ok "$T/self.csv"
check "own area: meta" grep -q '"rseq_mm_cid": "self"' "$T/self.csv.meta.json"
check "own area: glibc did not register" \
	grep -q '"rseq_glibc_registered": "no"' "$T/self.csv.meta.json"

if [ -x build/asan/pcpubench ]; then
	build/asan/pcpubench cid --format csv --threads 3 --ops 5000 --duration 0.1 \
		--repeat 1 --part mem,churn -o "$T/asan.csv" 2>"$T/asan.err"
	check "asan: exit 0" test $? -eq 0
	check "asan: no sanitizer report" bash -c "! grep -q Sanitizer '$T/asan.err'"
	check "asan: lost updates 0" lost_ok "$T/asan.csv"
fi

if [ -x build/tsan/pcpubench ]; then
	build/tsan/pcpubench cid --format csv --threads 3 --ops 2000 --mem-time 0.02 \
		--duration 0.1 --repeat 1 -o "$T/tsan.csv" 2>"$T/tsan.err"
	check "tsan: exit 0" test $? -eq 0
	check "tsan: no sanitizer report" bash -c "! grep -q Sanitizer '$T/tsan.err'"
	check "tsan: lost updates 0" lost_ok "$T/tsan.csv"
fi

"$BIN" access --strategy offset-array,vm-area --cpuid rseq,cid --op read,inc \
	--mode throughput,path --cold 0 --repeat 2 --events none --format csv \
	-o "$T/access.csv" 2>/dev/null
check "access --cpuid cid: exit 0" test $? -eq 0
check "access --cpuid cid: rows measured" "$PY" - "$T/access.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["cpuid"] == "cid"]
m = {(r["strategy"], r["mode"]) for r in rows
     if r["metric"] in ("cycles_per_op", "cold_cycles")
     and (r["status"] == "ok" or r["status"].startswith("flagged:"))}
need = {("offset-array", "throughput"), ("vm-area", "throughput"),
        ("offset-array", "cold"), ("vm-area", "cold")}
sys.exit(0 if need <= m else 1)
PY

"$BIN" cid --part nope >/dev/null 2>&1
check "bad --part: exit 2" test $? -eq 2
"$BIN" cid --allowed 99999 >/dev/null 2>&1
check "bad --allowed: exit 2" test $? -eq 2
done_testing
