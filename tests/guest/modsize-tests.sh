# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154,SC2086  # sourced: shares guest-tests.sh's names
# modsize-tests.sh - the kernel's module reserve, in the test guest (busybox
# sh), sourced by guest-tests.sh, which runs MODSIZE_CHECKS after its own.
#
# /lib/modsize/ holds test modules whose only per-CPU data is one
# DEFINE_PER_CPU array of a chosen size (modsize-build.sh; or
# /etc/pcpu-modsize-skip says why there are none). check_modsize_reserve:
#   1. reads the reserve r from the boot line ("percpu: ... r8192 ...");
#   2. reads each module's .data..percpu size and alignment from its ELF
#      headers (pcpubench modules --scan) and asks the user-space model
#      how many of them, in this order, fit reserve:r (pcpubench modules
#      --policy reserve:r --order file);
#   3. loads them with insmod one after another until the kernel refuses
#      ("Could not allocate N bytes percpu data");
#   4. unloads those loaded and loads the refused one again: it must fit
#      now (unloading frees the reserve).
# PASS when the kernel refused, at the same module as the model, with the
# refused module's size in the message, and the reload worked. One
# "GUEST-ROW kernel-modules,..." CSV line per observation (the host's
# tests/guest/run.sh collects them into kernel-modules.csv).

MODSIZE_DIR=/lib/modsize
MODSIZE_CHECKS="modsize_reserve"

modsize_row() {
	# modsize_row MODULE POSITION METRIC VALUE UNIT STATUS
	echo "GUEST-ROW kernel-modules,$1,$2,0,$3,$4,$5,$6"
}

check_modsize_reserve() {
	if [ ! -d $MODSIZE_DIR ]; then
		result SKIP "$(cat /etc/pcpu-modsize-skip 2>/dev/null || echo 'no test modules')"
		return
	fi
	if [ "$(bench_available)" = none ]; then
		result SKIP "build/pcpubench was not built"
		return
	fi
	r=$(dmesg | sed -n 's/.*percpu: .* r\([0-9][0-9]*\) .*/\1/p' | head -n 1)
	if [ -z "$r" ]; then
		result SKIP "no 'percpu: ... rN' boot line in dmesg: the reserve is unknown"
		return
	fi
	others=$(grep -c . /proc/modules)
	if [ "$others" != 0 ]; then
		result SKIP "$others other modules loaded ($(cut -d' ' -f1 /proc/modules | tr '\n' ' ')): they hold part of the reserve the model does not know"
		return
	fi
	if ! $BENCH modules --scan $MODSIZE_DIR --source guest >/tmp/ms.csv 2>/tmp/ms.err; then
		result FAIL "pcpubench modules --scan: $(head -n 2 /tmp/ms.err | tr '\n' ' ')"
		return
	fi
	if ! $BENCH modules --policy reserve:$r --sizes @/tmp/ms.csv --order file \
		--churn 0 --possible 2 --online 1 --format csv >/tmp/msm.csv 2>/tmp/ms.err; then
		result FAIL "pcpubench modules (model): $(head -n 2 /tmp/ms.err | tr '\n' ' ')"
		return
	fi
	model=$(grep ',loaded_sections,' /tmp/msm.csv | cut -d, -f14)
	echo "GUEST-ROW bench,module,position,rep,metric,value,unit,status"
	grep -v '^#' /tmp/ms.csv | tail -n +2 >/tmp/ms.list
	k=0 sum=0 refused='' rsize='' msg='' loaded='' mism=0
	while IFS=, read -r mname size align; do
		k=$((k + 1))
		d0=$(dmesg | wc -l)
		if insmod $MODSIZE_DIR/$mname.ko 2>/tmp/ins.err; then
			ok=1
			loaded="$mname $loaded"
		else
			ok=0
			msg=$(dmesg | tail -n +$((d0 + 1)) |
				grep -o 'Could not allocate [0-9]* bytes percpu data' | head -n 1)
		fi
		mok=0
		[ "$k" -le "${model:-0}" ] && mok=1
		[ "$mok" = "$ok" ] || mism=$((mism + 1))
		modsize_row "$mname" $k section_bytes "$size" bytes ok
		modsize_row "$mname" $k sum_before_bytes $sum bytes ok
		modsize_row "$mname" $k reserve_bytes "$r" bytes ok
		modsize_row "$mname" $k loaded $ok bool ok
		modsize_row "$mname" $k model_loaded $mok bool ok
		modsize_row "$mname" $k model_mismatch $((mok != ok)) count ok
		if [ $ok = 0 ]; then
			refused=$mname rsize=$size
			break
		fi
		sum=$((sum + size))
	done </tmp/ms.list
	for m in $loaded; do rmmod "$m" 2>/dev/null; done
	reload=0
	if [ -n "$refused" ] && insmod $MODSIZE_DIR/$refused.ko 2>/dev/null; then
		reload=1
		rmmod "$refused" 2>/dev/null
	fi
	[ -n "$refused" ] && modsize_row "$refused" $k reload_after_unload $reload bool ok
	detail="reserve r=$r, $others other modules loaded before; kernel refused ${refused:-nothing} (${rsize:-0} bytes) after $sum bytes in $((k - 1)) modules; model (reserve:$r) loads ${model:-?}; message '${msg:-none}'; reload after unload $reload"
	echo "GUEST-INFO modsize: $detail"
	if [ -z "$refused" ]; then
		result FAIL "the kernel refused none of the test modules: $detail"
	elif [ "$mism" != 0 ] || [ "$((k - 1))" != "$model" ]; then
		result FAIL "kernel and model disagree: $detail"
	elif [ "$msg" != "Could not allocate $rsize bytes percpu data" ]; then
		result FAIL "no 'Could not allocate $rsize bytes percpu data' in dmesg: $detail"
	elif [ $reload != 1 ]; then
		result FAIL "the refused module did not load after the others were unloaded: $detail"
	else
		result PASS "$detail"
	fi
}
