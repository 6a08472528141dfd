#!/bin/bash
# pcpubench modules: bad input is exit 2 with a message naming the
# problem (plain and ASan+UBSan binaries: never a crash or a leak); the
# compiled-in Debian 6.1 stream is the data file; the kernel's refusal
# point for reserve:8192 (four 2048-byte sections fill it, a fifth is
# refused); a 40-byte section with 32-byte alignment is refused with 48
# bytes free, as the guest kernel refuses it; vm:online commits for online
# CPUs only, vm:possible for every possible one; --scan reads .ko files.
set -u
cd "$(dirname "$0")/.." || exit 1
fails=0
bins=("${PCPUBENCH:-build/pcpubench}")
[ -x "${PCPUBENCH_ASAN:-build/asan/pcpubench}" ] && bins+=("${PCPUBENCH_ASAN:-build/asan/pcpubench}")
B=${bins[0]}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

check() {
	local want=$1 text=$2; shift 2
	local bin out rc
	for bin in "${bins[@]}"; do
		out=$("$bin" "$@" 2>&1 >/dev/null)
		rc=$?
		if [ "$rc" != "$want" ]; then
			echo "FAIL: $bin $*: exit $rc, want $want: $out"; fails=$((fails + 1))
		elif ! grep -qi -- "$text" <<<"$out"; then
			echo "FAIL: $bin $*: message lacks '$text': $out"; fails=$((fails + 1))
		elif grep -q 'Sanitizer' <<<"$out"; then
			echo "FAIL: $bin $*: sanitizer report: $out"; fails=$((fails + 1))
		else
			echo "ok: $* -> exit $rc"
		fi
	done
}

small="--possible 4 --online 2 --churn 20"
check 2 "not in 1.." modules $small --sizes 0
check 2 "not SIZE" modules $small --sizes -8
check 2 "not SIZE" modules $small --sizes 12abc
check 2 "larger than the" modules $small --sizes 100,99999999
check 2 "power of two" modules $small --sizes 64:3
check 2 "power of two" modules $small --sizes 64:8192
check 2 "policy" modules $small --policy reserve:6
check 2 "policy" modules $small --policy reserve:x
check 2 "policy" modules $small --policy vm:sometimes
check 2 "order" modules $small --order sideways
check 2 "No such file" modules $small --sizes @"$T/missing.csv"
printf 'module,percpu_bytes,align\na,10,3\n' >"$T/bad.csv"
check 2 "power of two" modules $small --sizes @"$T/bad.csv"
printf 'name,size\na,10\n' >"$T/bad2.csv"
check 2 "header" modules $small --sizes @"$T/bad2.csv"
check 2 "No such file" modules --scan "$T/nodir"
check 2 "seed" modules $small --seed x
check 2 "unrecognized option\|unknown option" modules --no-such-option

row() {	# row FILE POLICY METRIC: the value
	awk -F, -v p="$2" -v m="$3" '$2 == p && $13 == m { print $14; exit }' "$1"
}
expect() {	# expect WHAT GOT WANT
	if [ "$2" = "$3" ]; then
		echo "ok: $1 = $2"
	else
		echo "FAIL: $1 = '$2', want '$3'"; fails=$((fails + 1))
	fi
}

# The kernel's refusal points, replayed.
"$B" modules $small --policy reserve:8192 --order file --sizes 2048:32,2048:32,2048:32,2048:32,64:32 \
	--format csv -o "$T/r.csv" || { echo "FAIL: modules run"; fails=$((fails + 1)); }
expect "reserve:8192 loaded_sections (4 x 2048 + 64)" "$(row "$T/r.csv" reserve:8192 loaded_sections)" 4
expect "reserve:8192 loaded_bytes" "$(row "$T/r.csv" reserve:8192 loaded_bytes)" 8192
"$B" modules $small --policy reserve:8192 --order file --sizes 2048:32,2048:32,2048:32,2000:32,40:32 \
	--format csv -o "$T/a.csv" || { echo "FAIL: modules run"; fails=$((fails + 1)); }
expect "40 bytes aligned 32 with 48 free: refused" "$(row "$T/a.csv" reserve:8192 loaded_sections)" 4
expect "refused_bytes" "$(row "$T/a.csv" reserve:8192 refused_bytes)" 40

# The Debian stream (compiled in) is the data file.
want=$(grep -v '^#' bench/data/percpu-sizes-debian-6.1.csv | tail -n +2 | wc -l)
"$B" modules --possible 8 --online 2 --churn 50 --format csv -o "$T/d.csv" ||
	{ echo "FAIL: modules default run"; fails=$((fails + 1)); }
expect "debian stream_sections" "$(awk -F, '$13 == "stream_sections" { print $14 }' "$T/d.csv")" "$want"
expect "vm:online copies (online CPUs)" "$(row "$T/d.csv" vm:online copies)" 2
expect "vm:possible copies (possible CPUs)" "$(row "$T/d.csv" vm:possible copies)" 8
expect "vm:online committed (1 page x 2 CPUs)" "$(row "$T/d.csv" vm:online committed_bytes)" 8192
for p in reserve:8192 slack vm:online vm:possible; do
	v=$(row "$T/d.csv" $p loads_until_refusal)
	[ -n "$v" ] && [ "$v" != NA ] && [ "$v" -ge "$want" ] 2>/dev/null &&
		echo "ok: $p loads_until_refusal $v" ||
		{ echo "FAIL: $p loads_until_refusal '$v'"; fails=$((fails + 1)); }
done

# --scan: the reader on a file that is not ELF is an error, not a crash.
mkdir -p "$T/ko"
echo "not elf" >"$T/ko/x.ko"
check 1 "not an ELF64" modules --scan "$T/ko"

[ "$fails" = 0 ] && echo "t-modules: all passed" && exit 0
echo "t-modules: $fails failed"
exit 1
