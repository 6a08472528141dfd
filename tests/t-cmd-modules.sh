#!/bin/bash
# t-cmd-modules.sh - pcpubench modules: bad input is exit 2 with a message naming the
# problem (plain and ASan+UBSan binaries: never a crash or a leak); the
# compiled-in Debian 6.1 stream is the data file; the kernel's refusal
# point for reserve:8192 (four 2048-byte sections fill it, a fifth is
# refused); a 40-byte section with 32-byte alignment is refused with 48
# bytes free, as the guest kernel refuses it; vm:online commits for online
# CPUs only, vm:possible for every possible one; --scan reads .ko files.
. "$(dirname "$0")/lib.sh"

small="--possible 4 --online 2 --churn 20"
expect_bins 2 "not in 1.." modules $small --sizes 0
expect_bins 2 "not SIZE" modules $small --sizes -8
expect_bins 2 "not SIZE" modules $small --sizes 12abc
expect_bins 2 "larger than the" modules $small --sizes 100,99999999
expect_bins 2 "power of two" modules $small --sizes 64:3
expect_bins 2 "power of two" modules $small --sizes 64:8192
expect_bins 2 "policy" modules $small --policy reserve:6
expect_bins 2 "policy" modules $small --policy reserve:x
expect_bins 2 "policy" modules $small --policy vm:sometimes
expect_bins 2 "order" modules $small --order sideways
expect_bins 2 "No such file" modules $small --sizes @"$T/missing.csv"
printf 'module,percpu_bytes,align\na,10,3\n' >"$T/bad.csv"
expect_bins 2 "power of two" modules $small --sizes @"$T/bad.csv"
printf 'name,size\na,10\n' >"$T/bad2.csv"
expect_bins 2 "header" modules $small --sizes @"$T/bad2.csv"
expect_bins 2 "No such file" modules --scan "$T/nodir"
expect_bins 2 "seed" modules $small --seed x
expect_bins 2 "unrecognized option\|unknown option" modules --no-such-option

row() {	# row FILE POLICY METRIC: the value
	awk -F, -v p="$2" -v m="$3" '$2 == p && $13 == m { print $14; exit }' "$1"
}

# The kernel's refusal points, replayed.
"$BIN" modules $small --policy reserve:8192 --order file --sizes 2048:32,2048:32,2048:32,2048:32,64:32 \
	--format csv -o "$T/r.csv" || fail "modules run"
is "reserve:8192 loaded_sections (4 x 2048 + 64)" "$(row "$T/r.csv" reserve:8192 loaded_sections)" 4
is "reserve:8192 loaded_bytes" "$(row "$T/r.csv" reserve:8192 loaded_bytes)" 8192
"$BIN" modules $small --policy reserve:8192 --order file --sizes 2048:32,2048:32,2048:32,2000:32,40:32 \
	--format csv -o "$T/a.csv" || fail "modules run"
is "40 bytes aligned 32 with 48 free: refused" "$(row "$T/a.csv" reserve:8192 loaded_sections)" 4
is "refused_bytes" "$(row "$T/a.csv" reserve:8192 refused_bytes)" 40

# The Debian stream (compiled in) is the data file.
want=$(grep -v '^#' bench/data/percpu-sizes-debian-6.1.csv | tail -n +2 | wc -l)
"$BIN" modules --possible 8 --online 2 --churn 50 --format csv -o "$T/d.csv" ||
	fail "modules default run"
is "debian stream_sections" "$(awk -F, '$13 == "stream_sections" { print $14 }' "$T/d.csv")" "$want"
is "vm:online copies (online CPUs)" "$(row "$T/d.csv" vm:online copies)" 2
is "vm:possible copies (possible CPUs)" "$(row "$T/d.csv" vm:possible copies)" 8
is "vm:online committed (1 page x 2 CPUs)" "$(row "$T/d.csv" vm:online committed_bytes)" 8192
for p in reserve:8192 slack vm:online vm:possible; do
	v=$(row "$T/d.csv" $p loads_until_refusal)
	[ -n "$v" ] && [ "$v" != NA ] && [ "$v" -ge "$want" ] 2>/dev/null &&
		pass "$p loads_until_refusal $v" ||
		fail "$p loads_until_refusal '$v'"
done

# --scan: the reader on a file that is not ELF is an error, not a crash.
mkdir -p "$T/ko"
echo "not elf" >"$T/ko/x.ko"
expect_bins 1 "not an ELF64" modules --scan "$T/ko"

done_testing
