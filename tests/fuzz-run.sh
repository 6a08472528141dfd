#!/bin/bash
# fuzz-run.sh - `make check-fuzz`: tests/fuzz.py (>= 5000 generated
# invocations, dry runs and bounded real runs) inside a private mount
# namespace with a private tmpfs on /dev, so a device-node case can
# never touch the host's /dev. FUZZ_N (default 5000), FUZZ_SEED (22).
# Exit: 0 no crash, hang, traceback or harm; 1 otherwise; 77 skip.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PCPUBENCH:-$ROOT/build/pcpubench}
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }
T=$(mktemp -d /tmp/fuzz.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	exec 3>&1
	unshare -m bash -c '
		mount --make-rprivate / &&
		mount -t tmpfs fuzzdev /dev &&
		mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
		mknod -m 666 /dev/full c 1 7 && mknod -m 666 /dev/urandom c 1 9 &&
		ln -s /proc/self/fd /dev/fd && ln -s /proc/self/fd/1 /dev/stdout &&
		ln -s /proc/self/fd/2 /dev/stderr || exit 9
		exec /usr/bin/python3 "$1" "$2" "$3" "$4" "$5"' fuzz \
		"$ROOT/tests/fuzz.py" "$BIN" "$T/w" "${FUZZ_N:-5000}" "${FUZZ_SEED:-22}"
else
	echo "note: not root or no unshare -m: device-node cases use no device"
	/usr/bin/python3 "$ROOT/tests/fuzz.py" "$BIN" "$T/w" "${FUZZ_N:-5000}" "${FUZZ_SEED:-22}"
fi
