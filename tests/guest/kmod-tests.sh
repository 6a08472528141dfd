# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154,SC2086  # sourced: shares guest-tests.sh's names
# kmod-tests.sh - the kernel-module checks of the test guest (busybox sh),
# sourced by guest-tests.sh, which runs them after its own checks.
#
# The module (bench/kmod/, built by kmod-build.sh against the headers of
# the guest's own kernel) is in the initramfs as /lib/pcpubench_kmod.ko,
# or /etc/pcpu-kmod-skip says why not (every check then SKIPs with that).
# It is loaded only here, in the guest. The guest boots with oops=panic:
# an oops in a hotplug callback ends the run instead of hanging it.
#
# Checks, in order: load it (kept loaded), hot-add a vCPU on node 1 over
# QMP while it is loaded, placement of every possible CPU's memory of
# every kind after an offline-then-online of CPU 3 (the VM-area units must
# sit on cpu_to_node(), the kernel's own memory is reported as found),
# churn (lost updates 0, every online filled from the template), the
# access workloads (timings under TCG are emulated: only their presence is
# checked, and that none is ok), the module's quiet check driven by the
# test hook (PCPU_TEST_DISTURB=all: every point retried within the rules
# and flagged:disturbed; =3: the first point retried until it passes the
# hook), rmmod, a load-run-unload cycle of its own, and no WARN, BUG or
# Oops in the kernel log since the load. GUEST-INFO lines carry the
# placement table, the churn figures and the quiet counts for the summary.

KMOD=/lib/pcpubench_kmod.ko
KMOD_CHECKS="kmod_load kmod_hotadd kmod_numa kmod_churn kmod_churn_nofold
kmod_access kmod_disturbed kmod_unload kmod_cycle kmod_dmesg"
KMOD_DMESG0=0
KMOD_HOTADD=

# kmod_ready: 0 when the module checks can run; else reports SKIP.
kmod_ready() {
	if [ -f /etc/pcpu-kmod-skip ]; then
		result SKIP "$(cat /etc/pcpu-kmod-skip)"
		return 1
	fi
	if [ "$(bench_available)" = none ]; then
		result SKIP "build/pcpubench was not built"
		return 1
	fi
	return 0
}

check_kmod_load() {
	kmod_ready || return
	mkdir -p /sys/kernel/debug
	grep -q ' /sys/kernel/debug ' /proc/mounts ||
		mount -t debugfs none /sys/kernel/debug
	KMOD_DMESG0=$(dmesg | wc -l)
	$BENCH kernel load --module $KMOD >/tmp/kl.out 2>/tmp/kl.err
	rc=$?
	if [ $rc = 0 ] && [ -d /sys/module/pcpubench_kmod ]; then
		result PASS "loaded $KMOD with finit_module; taint=$(cat /proc/sys/kernel/tainted)"
	else
		result FAIL "rc=$rc: $(head -n 3 /tmp/kl.err | tr '\n' ' ')"
	fi
}

kmod_loaded() { [ -d /sys/module/pcpubench_kmod ]; }

# guest-tests.sh's check_hotadd (a vCPU on node 1 over QMP, onlined),
# now with the module loaded; HOTADD_CPU keeps the first hot-added CPU.
check_kmod_hotadd() {
	kmod_ready || return
	kmod_loaded || { result FAIL "module not loaded"; return; }
	prev=$HOTADD_CPU
	HOTADD_CPU=
	check_hotadd
	KMOD_HOTADD=$HOTADD_CPU
	HOTADD_CPU=$prev
}

# The placement table: one GUEST-INFO line per possible CPU.
check_kmod_numa() {
	kmod_ready || return
	kmod_loaded || { result FAIL "module not loaded"; return; }
	run_watched 60 /tmp/kn.csv /tmp/kn.err $BENCH kernel numa --allow-hotplug --module $KMOD \
		--replug 3 --format csv
	if [ "$rc" != 0 ]; then
		result FAIL "rc=$rc hung=$hung: $(head -n 3 /tmp/kn.err | tr '\n' ' ')"
		return
	fi
	# cpu phase cpu_node then memory:page_node:local/remote per kind.
	awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{
			c = $col["cpu"]; m = $col["memory"]; met = $col["metric"]
			v = $col["value"]; if (!(c in seen)) { seen[c] = 1; order[n++] = c }
			ph[c] = $col["phase"]
			if (met == "cpu_node") node[c] = v
			else if (met == "page_node") pn[c, m] = v
			else if (met == "pages_local") pl[c, m] = v
			else if (met == "pages_remote") pr[c, m] = v
			else if (met == "template_mismatch_words") tm[c] = v
		}
		END {
			split("static alloc_percpu vm_area hybrid", k, " ")
			for (i = 0; i < n; i++) {
				c = order[i]
				line = "cpu" c " " ph[c] " cpu_to_node=" node[c]
				for (j = 1; j <= 4; j++)
					line = line " " k[j] "=" pn[c, k[j]] "(" pl[c, k[j]] "/" pr[c, k[j]] ")"
				if (c in tm) line = line " tmpl_mismatch=" tm[c]
				print line
			}
		}' /tmp/kn.csv >/tmp/kn.table
	sed 's/^/GUEST-INFO kmod placement: /' /tmp/kn.table
	bad=
	nposs=$(wc -l </tmp/kn.table)
	[ "$nposs" = 10 ] || bad="$bad rows-for-$nposs-cpus(want-10)"
	# Every online CPU: VM unit on cpu_to_node, all pages, template intact.
	while read -r cpu ph cn _ _ vm _ tm; do
		case $ph in offline) continue ;; esac
		n=${cn#cpu_to_node=}
		case $vm in
		"vm_area=$n(2/0)") ;;
		*) bad="$bad $cpu:$vm(node$n)" ;;
		esac
		[ "$tm" = "tmpl_mismatch=0" ] || bad="$bad $cpu:$tm"
	done </tmp/kn.table
	grep -q '^cpu3 late ' /tmp/kn.table || bad="$bad cpu3-not-late-after-replug"
	grep -q '^cpu0 boot ' /tmp/kn.table || bad="$bad cpu0-not-boot"
	if [ -n "$KMOD_HOTADD" ]; then
		grep -q "^cpu$KMOD_HOTADD hotadded " /tmp/kn.table ||
			bad="$bad cpu$KMOD_HOTADD-not-hotadded"
		grep -q "^cpu$KMOD_HOTADD .*hybrid=1(1/0)" /tmp/kn.table ||
			bad="$bad cpu$KMOD_HOTADD-hybrid-not-in-its-vm-unit-on-node-1"
	fi
	if [ -z "$bad" ]; then
		result PASS "$nposs possible CPUs; every online CPU's VM unit on its cpu_to_node and filled from the template (table: GUEST-INFO kmod placement)"
	else
		result FAIL "$bad"
	fi
}

check_kmod_churn() {
	kmod_ready || return
	kmod_loaded || { result FAIL "module not loaded"; return; }
	want=$(online_list)
	# The CPU hot-added under the module first: its hybrid slot lives in
	# its VM unit and is folded when it goes offline.
	cl=1,2,3
	[ -n "$KMOD_HOTADD" ] && cl=$KMOD_HOTADD,3,1
	run_watched 60 /tmp/kc.csv /tmp/kc.err $BENCH kernel churn --allow-hotplug --module $KMOD \
		--cpus $cl --duration 3 --rate 20 --format csv
	awk -F, 'NR > 1 { print "GUEST-INFO kmod churn: " $2 " " $4 "=" $5 }' /tmp/kc.csv
	if [ "$hung" = 1 ] || { [ "$rc" != 0 ] && [ "$rc" != 1 ]; }; then
		result FAIL "rc=$rc hung=$hung: $(head -n 3 /tmp/kc.err | tr '\n' ' ')"
		return
	fi
	lost=$(csv_metric /tmp/kc.csv lost_updates | awk '{print $2}' | sort -u | tr '\n' ' ')
	on=$(csv_metric /tmp/kc.csv onlines | awk '{print $2}')
	off=$(csv_metric /tmp/kc.csv offlines | awk '{print $2}')
	tok=$(csv_metric /tmp/kc.csv template_ok | awk '{print $2}')
	tbad=$(csv_metric /tmp/kc.csv template_bad | awk '{print $2}')
	upd=$(awk -F, 'NR > 1 && $2 == "vm_area" && $4 == "updates" { print $5 }' /tmp/kc.csv)
	hfold=$(awk -F, 'NR > 1 && $2 == "hybrid" && $4 == "folded" { print $5 }' /tmp/kc.csv)
	d="hybrid_folded=$hfold lost_updates=$lost onlines=$on offlines=$off template_ok=$tok template_bad=$tbad vm_area_updates=$upd"
	if [ "$rc" = 0 ] && [ "$lost" = "0 " ] && [ "${on:-0}" -gt 0 ] &&
	   [ "${off:-0}" -gt 0 ] && [ "$tok" = "$on" ] && [ "$tbad" = 0 ] &&
	   [ "${upd:-0}" -gt 0 ] && [ "$(online_list)" = "$want" ] &&
	   { [ -z "$KMOD_HOTADD" ] || [ "${hfold:-0}" -gt 0 ]; }; then
		result PASS "$d; online=$(online_list)"
	else
		result FAIL "rc=$rc $d online=$(online_list) (want $want): $(head -n 2 /tmp/kc.err | tr '\n' ' ')"
	fi
}

# The check has teeth: without the fold on offline, updates are lost.
check_kmod_churn_nofold() {
	kmod_ready || return
	kmod_loaded || { result FAIL "module not loaded"; return; }
	want=$(online_list)
	run_watched 60 /tmp/kf.csv /tmp/kf.err $BENCH kernel churn --allow-hotplug --module $KMOD \
		--cpus 3,1 --duration 2 --rate 20 --no-fold --format csv
	lv=$(awk -F, 'NR > 1 && $2 == "vm_area" && $4 == "lost_updates" { print $5 }' /tmp/kf.csv)
	ls=$(awk -F, 'NR > 1 && $2 == "static" && $4 == "lost_updates" { print $5 }' /tmp/kf.csv)
	if [ "$rc" = 1 ] && [ "${lv:-0}" -gt 0 ] && [ "$ls" = 0 ] &&
	   [ "$(online_list)" = "$want" ]; then
		result PASS "with --no-fold: exit 1, vm_area lost_updates=$lv, static lost_updates=$ls"
	else
		result FAIL "with --no-fold: rc=$rc (want 1) vm_area lost=$lv static lost=$ls online=$(online_list): $(head -n 2 /tmp/kf.err | tr '\n' ' ')"
	fi
}

check_kmod_access() {
	kmod_ready || return
	kmod_loaded || { result FAIL "module not loaded"; return; }
	run_watched 120 /tmp/ka.out /tmp/ka.err $BENCH kernel access --module $KMOD \
		--iters 256 --tries 2 --repeat 1 --format csv -o /tmp/ka.csv
	if [ "$rc" != 0 ]; then
		result FAIL "rc=$rc hung=$hung: $(head -n 3 /tmp/ka.err | tr '\n' ' ')"
		return
	fi
	non=$(online_list | awk -F, '{ n = 0; for (i = 1; i <= NF; i++) {
		if (split($i, r, "-") == 2) n += r[2] - r[1] + 1; else n++ } print n }')
	rows=$(grep -c ',tsc_per_op,' /tmp/ka.csv)
	# emulated, or disturbed (the judge runs under TCG too): never ok
	emu=$(grep ',tsc_per_op,' /tmp/ka.csv | grep -v ',flagged:emulated$' |
		grep -vc ',flagged:disturbed(')
	want=$((non * 6 * 3 * 3))
	echo "GUEST-INFO kmod access quiet (EMULATED): attempts judged=$(kmeta /tmp/ka.csv quiet_batches) disturbed=$(kmeta /tmp/ka.csv quiet_disturbed) retries=$(kmeta /tmp/ka.csv quiet_retries) flagged=$(kmeta /tmp/ka.csv quiet_flagged_samples)"
	# Emulated figures for the record: median cycles_per_op per point, CPU 0.
	awk -F, 'NR > 1 && $5 == 0 && $9 == "cycles_per_op" {
		print "GUEST-INFO kmod access (EMULATED, not timings): " $2 "/" $3 " " $6 " " $7 " " $10 " cycles (" $12 ")" }' /tmp/ka.csv
	if [ "$rows" = "$want" ] && [ "$emu" = 0 ]; then
		result PASS "$rows tsc_per_op rows ($non CPUs x 6 x 3 modes x 3 ops), all flagged:emulated or flagged:disturbed"
	else
		result FAIL "$rows tsc_per_op rows (want $want), $emu not flagged emulated or disturbed"
	fi
}

# kmeta FILE KEY: a value of FILE.meta.json's meta block (no python here).
kmeta() {
	sed -n "s/^ *\"$2\": \"\(.*\)\",*\$/\1/p" "$1.meta.json"
}

# The module's quiet check (kmod-quiet.h), driven by the test hook the
# program passes on (qforce=): with =all every point is disturbed, retried
# within the rules of bench-quiet.h (<= 4 per point, the run budget of
# half the points judged + 16, none once most of 32+ were disturbed) and
# flagged:disturbed(forced ...), its rows never ok, and the counts add up;
# with =3 the first three attempts judged (CPU 0's calibration, the first
# point) are forced and retried, so no point stays flagged "forced".
check_kmod_disturbed() {
	kmod_ready || return
	kmod_loaded || { result FAIL "module not loaded"; return; }
	non=$(online_list | awk -F, '{ n = 0; for (i = 1; i <= NF; i++) {
		if (split($i, r, "-") == 2) n += r[2] - r[1] + 1; else n++ } print n }')
	run_watched 120 /tmp/kq.out /tmp/kq.err env PCPU_TEST_DISTURB=all \
		$BENCH kernel access --module $KMOD --iters 64 --tries 1 --repeat 1 --format csv \
		-o /tmp/kq.csv
	r1=$rc
	b=$(kmeta /tmp/kq.csv quiet_batches); d=$(kmeta /tmp/kq.csv quiet_disturbed)
	r=$(kmeta /tmp/kq.csv quiet_retries); f=$(kmeta /tmp/kq.csv quiet_flagged_samples)
	echo "GUEST-INFO kmod quiet =all: attempts judged=$b disturbed=$d retries=$r flagged=$f ($non CPUs)"
	pts=$((non * (1 + 6 * 3 * 3)))
	bad=
	[ "$r1" = 0 ] || bad="$bad rc=$r1($(head -n 2 /tmp/kq.err | tr '\n' ' '))"
	grep -q "qforce=all" /tmp/kq.csv.meta.json || bad="$bad no-qforce=all"
	[ -n "$b" ] && [ "$b" = "$d" ] || bad="$bad disturbed=$d!=judged=$b"
	[ "$f" = "$pts" ] || bad="$bad flagged=$f!=points=$pts"
	[ -n "$r" ] && [ "$r" -gt 0 ] || bad="$bad no-retry"
	[ -n "$r" ] && [ "$r" -le $((4 * pts)) ] || bad="$bad retries=$r>4x$pts"
	[ -n "$r" ] && [ "$r" -le $((b / 2 + 16)) ] || bad="$bad retries=$r-over-budget"
	[ "$b" = $((pts + ${r:-0})) ] || bad="$bad judged=$b!=points+retries"
	t=$(grep -c ',tsc_per_op,' /tmp/kq.csv)
	tf=$(grep ',tsc_per_op,' /tmp/kq.csv | grep -c ',flagged:disturbed(forced in \([0-9]*\) of \1 attempts;')
	[ "$t" -gt 0 ] && [ "$t" = "$tf" ] || bad="$bad tsc_per_op=$t-forced-flagged=$tf"
	grep -q ',core_clock,.*,flagged:disturbed(forced' /tmp/kq.csv || bad="$bad core_clock-not-flagged"
	# the first point judged (CPU 0's calibration): 1 + 4 retries
	c0=$(awk -F, '$5 == 0 && $9 == "core_clock" { print $12 }' /tmp/kq.csv)
	case $c0 in
	"flagged:disturbed(forced in 5 of 5 attempts;"*) ;;
	*) bad="$bad cpu0-calibration:'$c0'" ;;
	esac
	grep -v ',batch_ops,' /tmp/kq.csv | grep -q ',ok$' && bad="$bad a-timing-ok"
	grep -q 'batches disturbed, .* retried, .* sample(s) flagged:disturbed' /tmp/kq.err || bad="$bad no-stderr-summary"
	# =3: the first point (CPU 0's calibration) takes the three, retried
	run_watched 120 /tmp/k3.out /tmp/k3.err env PCPU_TEST_DISTURB=3 \
		$BENCH kernel access --module $KMOD --iters 64 --tries 1 --repeat 1 --format csv \
		-o /tmp/k3.csv
	r3=$(kmeta /tmp/k3.csv quiet_retries); d3=$(kmeta /tmp/k3.csv quiet_disturbed)
	f3=$(kmeta /tmp/k3.csv quiet_flagged_samples)
	echo "GUEST-INFO kmod quiet =3: attempts judged=$(kmeta /tmp/k3.csv quiet_batches) disturbed=$d3 retries=$r3 flagged=$f3"
	[ "$rc" = 0 ] || bad="$bad =3:rc=$rc"
	grep -q "qforce=3" /tmp/k3.csv.meta.json || bad="$bad =3:no-qforce=3"
	[ -n "$r3" ] && [ "$r3" -ge 3 ] && [ "$d3" -ge 3 ] || bad="$bad =3:disturbed=$d3,retries=$r3"
	grep -q 'flagged:disturbed(forced' /tmp/k3.csv && bad="$bad =3:a-point-left-forced"
	# every point left disturbed is one flagged calibration or point
	nf=$(awk -F, '$9 == "tsc_per_op" || $9 == "core_clock" { print $12 }' /tmp/k3.csv |
		grep -c '^flagged:disturbed(')
	[ "$nf" = "$f3" ] || bad="$bad =3:flagged-rows=$nf!=flagged=$f3"
	if [ -z "$bad" ]; then
		result PASS "=all: $pts points, each flagged:disturbed(forced), $b judged = $pts + $r retries (<= $((b / 2 + 16))), no timing ok; =3: $d3 disturbed, $r3 retries, none left forced"
	else
		result FAIL "$bad"
	fi
}

check_kmod_unload() {
	kmod_ready || return
	# The runs since kmod_load used the loaded module and left it loaded.
	kmod_loaded || { result FAIL "not loaded any more: a run unloaded a module it had not loaded"; return; }
	$BENCH kernel unload >/tmp/ku.out 2>/tmp/ku.err
	rc=$?
	if [ $rc = 0 ] && ! kmod_loaded; then
		result PASS "rmmod clean; online=$(online_list)"
	else
		result FAIL "rc=$rc: $(head -n 2 /tmp/ku.err | tr '\n' ' ')"
	fi
}

# The command's own cycle: load, run, unload (numa after a new load: every
# online CPU is a boot CPU then).
check_kmod_cycle() {
	kmod_ready || return
	run_watched 60 /tmp/ky.csv /tmp/ky.err $BENCH kernel numa --module $KMOD --format csv
	boot=$(awk -F, 'NR > 1 && $2 == "-" && $4 == "boot" && $6 == "online"' /tmp/ky.csv | wc -l)
	r1=$rc
	# JSON, and what the run says about its clock.
	run_watched 60 /tmp/ky.json /tmp/ky.err $BENCH kernel access --module $KMOD \
		--iters 64 --tries 1 --repeat 1 --format json
	for k in hypervisor emulated cycles_source tsc_khz; do
		echo "GUEST-INFO kmod meta: $k=$(sed -n "s/^ *\"$k\": \"\(.*\)\",*$/\1/p" /tmp/ky.json)"
	done
	js=$(grep -c '"bench": "kernel-access".*"metric": "tsc_per_op"' /tmp/ky.json)
	if [ "$r1" = 0 ] && [ "$rc" = 0 ] && ! kmod_loaded && [ "$boot" -gt 0 ] &&
	   [ "$js" -gt 0 ] && grep -q '"emulated": "yes' /tmp/ky.json; then
		result PASS "numa and access (JSON, $js tsc_per_op rows, emulated) each loaded, ran and unloaded the module; $boot boot CPUs"
	else
		result FAIL "rc=$r1/$rc loaded=$(kmod_loaded && echo yes || echo no) boot=$boot json_rows=$js: $(head -n 2 /tmp/ky.err | tr '\n' ' ')"
	fi
}

check_kmod_dmesg() {
	kmod_ready || return
	dmesg | tail -n +"$((KMOD_DMESG0 + 1))" >/tmp/kd.log
	bad=$(grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|RIP:' /tmp/kd.log | head -n 3 | tr '\n' ' ')
	n=$(grep -c 'pcpubench: ' /tmp/kd.log)
	grep -v -e 'smpboot' -e 'CPU[0-9]* is now offline' -e 'Booting Node' /tmp/kd.log |
		head -n 20 | sed 's/^/GUEST-INFO kmod dmesg: /' 
	if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
		result PASS "no WARN/BUG/Oops in $(wc -l </tmp/kd.log) kernel log lines since the load ($n from the module)"
	else
		result FAIL "kernel log: ${bad:-no module messages}"
	fi
}
