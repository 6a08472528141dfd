#!/bin/bash
# t-hostile.sh - pcpubench as a hostile user would use it (issue 22):
# every output path kind (device node, FIFO, symlink, procfs, the
# program itself, a full disk), every input path kind (FIFO, device,
# huge file), numbers (0, -1, 2^32+1, 2^64, octal, space, empty),
# profiles that try to opt themselves in, the report over tampered
# results. Device nodes are only ever made inside a private mount
# namespace (unshare -m, a tmpfs): the host's /dev is never touched.
# Prints one line per check. Exit: 0 pass, 1 fail, 77 skip (no binary).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PCPUBENCH:-$ROOT/build/pcpubench}
PY=/usr/bin/python3
FIX=$ROOT/tests/fixtures
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }
T=$(mktemp -d /tmp/t-hostile.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
no() { echo "FAIL $*"; fails=$((fails + 1)); }
is_root() { [ "$(id -u)" = 0 ]; }
# bounded CMD...: under an address-space limit (4 GB), so a reader
# without a bound fails here instead of eating the machine (not for the
# ASan binary, whose shadow memory needs more)
bounded() { (ulimit -v 4000000 2>/dev/null; exec "$@"); }

# expect WANT_RC TEXT CMD...: exit code and a message containing TEXT
expect() {
	local want=$1 text=$2 out rc
	shift 2
	out=$(bounded timeout 60 "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qi -- "$text" <<<"$out"; then
		ok "$(echo "$*" | cut -c1-90) -> $rc: $(head -1 <<<"$out" | cut -c1-100)"
	else
		no "$*: exit $rc (want $want), message: $(head -c 600 <<<"$out") (want '$text')"
	fi
}
export PCPU_SKIP_DEPS=1 PCPU_NO_FIGURES=1
unset PCPU_ALLOW_HOTPLUG PCPU_CALIBRATION

# ------------------------------------------- item 9: calibration is not data
if [ -x "$PY" ]; then
	cp -r "$FIX/real-vm" "$T/cal"
	printf '%s\n' 'host,date,backing,figure,value,unit,status,method' \
		'vm,2026-01-01,4k,walk_cycles,30.000,cycles,found,chase' >"$T/cal/tlb-calibration.csv"
	"$PY" "$ROOT/plots/report.py" "$T/cal" >/dev/null 2>&1
	if grep -q '^run: complete' "$T/cal/report.txt" && ! grep -q INCOMPLETE "$T/cal/report.txt"; then
		ok "item 9: a run's tlb-calibration.csv is not read as benchmark data (run: complete)"
	else
		no "item 9: $(grep -m2 -i 'incomplete\|^run:' "$T/cal/report.txt")"
	fi
fi

# ------------------------------------------- item 17: all,tls overflowed
ABIN=${PCPUBENCH_ASAN:-$ROOT/build/asan/pcpubench}
[ -x "$ABIN" ] || ABIN=$BIN
out=$(ASAN_OPTIONS=detect_leaks=0 timeout 120 "$ABIN" access --strategy all,tls,tls --op read --mode latency \
	--repeat 1 --tries 1 --min-time 0.0001 --format csv 2>"$T/a17.err")
rc=$?
n=$(grep -c '^access,tls,' <<<"$out")
m=$(grep -c '^access,segment,' <<<"$out")
if [ "$rc" = 0 ] && [ "$n" -gt 0 ] && [ "$n" = "$m" ]; then
	ok "item 17: access --strategy all,tls,tls: exit 0, tls once ($n rows, as segment) [$(basename "$(dirname "$ABIN")")]"
else
	no "item 17: access --strategy all,tls: exit $rc, tls $n rows, segment $m: $(head -3 "$T/a17.err")"
fi

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
