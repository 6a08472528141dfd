#!/bin/sh
# shellcheck shell=sh
# guest-tests.sh - the checks run inside the qemu guest (busybox sh).
#
# /init runs this as the guest's only job, then powers off. Each check is a
# shell function check_<name>; CHECKS lists them in order. A check reports
# through result PASS|FAIL|SKIP <detail>, which prints one line on the
# serial console:
#     GUEST-TEST <name> PASS|FAIL|SKIP <detail>
# A check that reports nothing is a FAIL. The last line is GUEST-DONE.
# To add a check: write check_<name> and add <name> to CHECKS.
# The kernel command line may pick checks: pcpu.checks=smoke,hotadd.
#
# Host requests go out on the console as "GUEST-REQ <what> <args>"; the
# host's qmp.py acts on them (hotadd: QMP device_add of a vCPU) and the
# check polls sysfs for the effect.
#
# Guest layout (tests/guest/mkinitrd.sh): /bin/busybox, /bin/hp-kill
# (static), /bin/pcpubench if it was built (+ its shared libraries),
# /etc/pcpu-strategies (one name a line, from lib/runtime/pcpu.h).
#
# Topology (tests/guest/run.sh): CPUs 0-1 on node 0 (socket 0), 2-3 on
# node 1 (socket 1); empty sockets 2 (node 0), 3 (node 1), 4 (node 0) for
# hot-add; 10 possible CPUs (more than 8: see run.sh).

SYS=/sys/devices/system/cpu
NODES=/sys/devices/system/node
BENCH=/bin/pcpubench
# Arguments of the churn and numa runs; the CSV metric names they emit.
CHURN_ARGS="--backend sysfs --allow-hotplug --duration 2 --rate 20 --format csv"
NUMA_ARGS="--format csv"
M_LOST=lost_updates
M_LOCAL=pages_local
M_REMOTE=pages_remote

CHECKS="smoke cid_na offline_online hotadd cpus_run guardian_sigkill guardian_sigterm
hotplug_gate churn churn_sigkill numa_local numa_node0 numa_hotadd all_online numa_hotadd_live"

HOTADD_CPU=
cur=
reported=

result() {
	# result STATUS DETAIL...
	st=$1
	shift
	echo "GUEST-TEST $cur $st $*"
	reported=1
}

online_list() { cat $SYS/online; }

cpu_state() { cat "$SYS/cpu$1/online" 2>/dev/null || echo "?"; }

# node_of CPU: the node whose cpulist contains CPU (via the cpuN/nodeK link).
node_of() {
	for l in "$SYS/cpu$1"/node*; do
		[ -e "$l" ] && { basename "$l" | sed 's/^node//'; return; }
	done
	echo "?"
}

# wait_online LIST SECONDS: wait until $SYS/online reads LIST.
wait_online() {
	i=0
	while [ "$(online_list)" != "$1" ]; do
		i=$((i + 1))
		[ $i -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# CSV helpers: csv_metric FILE METRIC prints "cpu value" per matching row
# (cpu "-" when there is no cpu column), from a tidy CSV with a header.
csv_metric() {
	awk -F, -v m="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		col["metric"] && $col["metric"] == m {
			c = col["cpu"] ? $col["cpu"] : "-"
			print c, $col["value"]
		}' "$1"
}

# ---- checks ---------------------------------------------------------------

check_smoke() {
	poss=$(cat $SYS/possible)
	onl=$(online_list)
	n0=$(cat $NODES/node0/cpulist 2>/dev/null)
	n1=$(cat $NODES/node1/cpulist 2>/dev/null)
	nn=$(cat $NODES/online)
	d="possible=$poss online=$onl nodes=$nn node0=$n0 node1=$n1"
	if [ "$onl" = 0-3 ] && [ "$nn" = 0-1 ] && [ "$n0" = 0-1 ] &&
	   [ "$n1" = 2-3 ] && [ "$poss" = 0-9 ]; then
		result PASS "$d"
	else
		result FAIL "$d (want online=0-3 nodes=0-1 node0=0-1 node1=2-3 possible=0-9)"
	fi
}

# The cid id source on a kernel without mm_cid (6.1: no
# AT_RSEQ_FEATURE_SIZE): pcpubench cid exits 0 and every row is NA with
# the reason; access --cpuid cid likewise (issue 21).
check_cid_na() {
	if [ "$(bench_available)" = none ]; then
		result SKIP "build/pcpubench was not built"
		return
	fi
	$BENCH cid --part mem,churn,cost --threads 2 --ops 100 --duration 0.05 \
		--repeat 1 --format csv >/tmp/cid.csv 2>/tmp/cid.err
	rc=$?
	$BENCH access --strategy offset-array --cpuid cid --op read \
		--mode throughput --repeat 2 --events none --format csv \
		>/tmp/cida.csv 2>/tmp/cida.err
	rca=$?
	set -- $(awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ n++; if ($col["value"] != "NA") v++
		  if (index($col["status"], "na:no-mm-cid(") != 1) s++ }
		END { print n + 0, v + 0, s + 0 }' /tmp/cid.csv)
	n=$1 notna=$2 other=$3
	set -- $(awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["cpuid"] == "cid" && $col["metric"] == "cycles_per_op" {
			n++; if (index($col["status"], "na:no-mm-cid(") != 1) s++ }
		END { print n + 0, s + 0 }' /tmp/cida.csv)
	an=$1 aother=$2
	why=$(sed -n '2{s/.*na:no-mm-cid(//;s/).*//;p;}' /tmp/cid.csv)
	d="kernel $(uname -r): cid rc=$rc rows=$n not-NA=$notna other-status=$other; access rc=$rca cid rows=$an other=$aother; why: $why"
	if [ $rc = 0 ] && [ "$n" -gt 0 ] && [ "$notna" = 0 ] && [ "$other" = 0 ] &&
	   [ $rca = 0 ] && [ "$an" -gt 0 ] && [ "$aother" = 0 ]; then
		result PASS "$d"
	else
		result FAIL "$d $(head -n 3 /tmp/cid.err | tr '\n' ' ')"
	fi
}

check_offline_online() {
	bad=
	for c in 1 2 3; do
		echo 0 >"$SYS/cpu$c/online" || bad="$bad write0:cpu$c"
		[ "$(cpu_state $c)" = 0 ] || bad="$bad still-on:cpu$c"
		echo 1 >"$SYS/cpu$c/online" || bad="$bad write1:cpu$c"
		[ "$(cpu_state $c)" = 1 ] || bad="$bad still-off:cpu$c"
	done
	# All three down at once: CPU 0 (and a hot-added CPU) left.
	for c in 1 2 3; do echo 0 >"$SYS/cpu$c/online"; done
	o=$(online_list)
	w=0
	[ -n "$HOTADD_CPU" ] && w="0,$HOTADD_CPU"
	[ "$o" = "$w" ] || bad="$bad all-down:online=$o(want $w)"
	for c in 1 2 3; do echo 1 >"$SYS/cpu$c/online"; done
	o=$(online_list)
	[ "$o" = "$(all_up)" ] || bad="$bad all-up:online=$o(want $(all_up))"
	if [ -e $SYS/cpu0/online ]; then
		d="cpu0 has an online file"
	else
		d="cpu0 not hotpluggable"
	fi
	if [ -z "$bad" ]; then
		result PASS "cpu1..3 offline/online one by one and together; $d"
	else
		result FAIL "$bad"
	fi
}

check_hotadd() {
	before=$(echo "$SYS"/cpu[0-9]*)
	echo "GUEST-REQ hotadd node=1"
	i=0
	new=
	while [ $i -lt 300 ]; do
		for d in "$SYS"/cpu[0-9]*; do
			case " $before " in *" $d "*) ;; *) new=$d ;; esac
		done
		[ -n "$new" ] && [ -e "$new/online" ] && break
		i=$((i + 1))
		sleep 0.1
	done
	if [ -z "$new" ]; then
		result FAIL "no new cpuN in sysfs 30 s after GUEST-REQ hotadd"
		return
	fi
	c=${new##*/cpu}
	st0=$(cpu_state "$c")
	[ "$st0" = 1 ] || echo 1 >"$new/online"
	st=$(cpu_state "$c")
	node=$(node_of "$c")
	if [ "$st" = 1 ] && [ "$node" = 1 ]; then
		HOTADD_CPU=$c
		result PASS "cpu$c appeared (online=$st0 at arrival), onlined, node $node; online=$(online_list) present=$(cat $SYS/present)"
	else
		result FAIL "cpu$c state=$st node=$node (want 1, node 1)"
	fi
}

# Every online CPU runs a task (a hot-added vCPU that never schedules
# would hang the next stop_machine).
check_cpus_run() {
	bad=
	ran=
	for d in "$SYS"/cpu[0-9]*; do
		c=${d##*/cpu}
		[ "$(cat "$d/online" 2>/dev/null || echo 1)" = 1 ] || continue
		if timeout 10 taskset -c "$c" sh -c 'cat /proc/self/stat >/dev/null'; then
			ran="$ran $c"
		else
			bad="$bad $c"
		fi
	done
	if [ -z "$bad" ]; then
		result PASS "ran a task on CPUs$ran"
	else
		result FAIL "no task ran within 10 s on CPUs$bad (ok:$ran)"
	fi
}

all_up() {
	# The cpulist every restore must get back to.
	case $HOTADD_CPU in
	"") echo 0-3 ;;
	4) echo 0-4 ;;
	*) echo "0-3,$HOTADD_CPU" ;;
	esac
}

# guardian_check SIGNAL: hp-kill holds cpu1+2 offline and churns cpu3 (and
# the hot-added CPU), is killed with SIGNAL, and every CPU must come back.
guardian_check() {
	sig=$1
	want=$(all_up)
	rm -f /tmp/hpk.ready
	# shellcheck disable=SC2086
	/bin/hp-kill /tmp/hpk.ready 1 2 -- 3 $HOTADD_CPU 2>/tmp/hpk.err &
	pid=$!
	i=0
	while [ ! -s /tmp/hpk.ready ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -s /tmp/hpk.ready ]; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid"
		result FAIL "hp-kill not ready: $(head -n 2 /tmp/hpk.err | tr '\n' ' ')"
		return
	fi
	gpid=$(cat /tmp/hpk.ready)
	sleep 0.3		# some churn
	before=$(online_list)
	s1=$(cpu_state 1)
	kill "-$sig" "$pid"
	wait "$pid"
	rc=$?
	if wait_online "$want" 10; then
		ok=1
	else
		ok=
	fi
	after=$(online_list)
	g=gone
	[ -d "/proc/$gpid" ] && g="still there"
	d="killed with SIG$sig (rc=$rc) while online=$before (cpu1=$s1); after: online=$after; guardian $gpid $g"
	if [ -n "$ok" ] && [ "$s1" = 0 ]; then
		result PASS "$d"
	else
		result FAIL "$d; want online=$want"
		# Leave the machine usable for the later checks.
		for c in 1 2 3 $HOTADD_CPU; do echo 1 >"$SYS/cpu$c/online" 2>/dev/null; done
	fi
}

check_guardian_sigkill() { guardian_check KILL; }
check_guardian_sigterm() { guardian_check TERM; }

# bench_available: "none" (not in the initramfs) or "ok". A command that
# is not implemented yet exits 4, which the checks report as SKIP.
bench_available() {
	[ -x $BENCH ] || { echo "none"; return; }
	echo "ok"
}

# run_watched SECONDS OUT ERR CMD...: run CMD, output to OUT/ERR; if it is
# still running after SECONDS, print where each of its threads waits (to
# the serial log, for the host's summary) and kill it. Sets rc (137 and
# hung=1 when it had to be killed).
run_watched() {
	limit=$1 o=$2 e=$3
	shift 3
	"$@" >"$o" 2>"$e" &
	wpid=$!
	hung=0
	i=0
	while [ -d "/proc/$wpid" ] && [ $i -lt $((limit * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -d "/proc/$wpid" ] && ! grep -q '^State:.*Z' "/proc/$wpid/status" 2>/dev/null; then
		hung=1
		echo "GUEST-INFO hung after ${limit}s: online=$(online_list)"
		for t in "/proc/$wpid/task/"*; do
			echo "GUEST-INFO  task ${t##*/} $(cut -d' ' -f3 "$t/stat" 2>/dev/null) wchan=$(cat "$t/wchan" 2>/dev/null)"
			sed 's/^/GUEST-INFO    /' "$t/stack" 2>/dev/null | head -12
		done
		kill -9 "$wpid" 2>/dev/null
	fi
	wait "$wpid"
	rc=$?
}

# check_hotplug_gate: here real hotplug works, yet without the opt-in no
# spelling of the sysfs backend runs: refused (exit 2) before any hotplug,
# no CSV, every CPU still online.
check_hotplug_gate() {
	[ "$(bench_available)" = ok ] || { result SKIP "no $BENCH"; return; }
	want=$(all_up)
	bad=
	for a in "--backend sysfs" "--backend=sysfs" "--back sysfs" "--b=sysfs" \
		"--backend sysfs --allow"; do
		# shellcheck disable=SC2086
		PCPU_ALLOW_HOTPLUG= $BENCH churn --strategy offset-array $a \
			--duration 2 --rate 50 --format csv >/tmp/gate.out 2>/tmp/gate.err
		rc=$?
		[ "$rc" = 2 ] || bad="$bad [$a]:exit-$rc"
		[ -s /tmp/gate.out ] && bad="$bad [$a]:wrote-rows"
		grep -q 'runs only with --allow-hotplug\|spelled in full' /tmp/gate.err ||
			bad="$bad [$a]:message=$(head -n 1 /tmp/gate.err)"
		[ "$(online_list)" = "$want" ] || bad="$bad [$a]:online=$(online_list)"
	done
	if [ -z "$bad" ]; then
		result PASS "5 spellings refused without --allow-hotplug; online=$(online_list)"
	else
		result FAIL "$bad"
	fi
}

check_churn() {
	if [ "$(bench_available)" = none ]; then
		result SKIP "build/pcpubench was not built when the initramfs was made"
		return
	fi
	pass=0
	# Every strategy over its own layout, and a few other valid pairs
	# (strategy@layout: the page and vm layouts under real hotplug).
	strategies="$(cat /etc/pcpu-strategies) offset-array@page segment@vm vm-area@page"
	for s in $strategies; do
		lay=
		case $s in *@*) lay=${s#*@}; s=${s%@*} ;; esac
		cur=churn_$s${lay:+_$lay}
		want=$(all_up)
		# shellcheck disable=SC2086
		run_watched 40 /tmp/churn.csv /tmp/churn.err $BENCH churn --strategy "$s" \
			${lay:+--layout $lay} $CHURN_ARGS
		e=$(head -n 3 /tmp/churn.err | tr '\n' ' ')
		if [ "$hung" = 1 ]; then
			result FAIL "hung: killed after 40 s: $e"
			continue
		fi
		case $rc in
		4)
			result SKIP "churn exits 4 (cannot run here): $e"
			continue ;;
		0) ;;
		*)
			result FAIL "rc=$rc: $e"
			continue ;;
		esac
		lost=$(csv_metric /tmp/churn.csv $M_LOST | awk '{print $2}' | sort -u | tr '\n' ' ')
		o=$(online_list)
		if [ -z "$lost" ]; then
			result FAIL "rc=0 but no $M_LOST metric in the CSV"
		elif [ "$lost" != "0 " ]; then
			result FAIL "$M_LOST=$lost"
		elif [ "$o" != "$want" ] && ! wait_online "$want" 5; then
			result FAIL "$M_LOST=0 but online=$o after exit (want $want)"
		else
			result PASS "$M_LOST=0, online=$o after exit"
			pass=$((pass + 1))
		fi
	done
	cur=churn
	echo "GUEST-INFO churn: $pass strategies passed"
}

check_churn_sigkill() {
	if [ "$(bench_available)" = none ]; then
		result SKIP "build/pcpubench was not built"
		return
	fi
	want=$(all_up)
	s=$(head -n 1 /etc/pcpu-strategies)
	$BENCH churn --strategy "$s" --backend sysfs --allow-hotplug --duration 60 --rate 50 \
		>/tmp/ck.out 2>/tmp/ck.err &
	pid=$!
	# Wait until it has taken a CPU down (or exited).
	i=0
	while [ "$(online_list)" = "$want" ] && [ -d "/proc/$pid" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if [ ! -d "/proc/$pid" ] || [ "$(online_list)" = "$want" ]; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid"
		rc=$?
		if [ "$rc" = 4 ]; then
			result SKIP "churn exits 4: $(head -n 1 /tmp/ck.err)"
		else
			result FAIL "churn took no CPU down within 10 s (rc=$rc): $(head -n 2 /tmp/ck.err | tr '\n' ' ')"
		fi
		return
	fi
	before=$(online_list)
	kill -9 "$pid"
	wait "$pid"
	if wait_online "$want" 10; then
		result PASS "SIGKILL while online=$before; all back: $(online_list)"
	else
		result FAIL "SIGKILL while online=$before; after 10 s online=$(online_list), want $want"
		for c in 1 2 3 $HOTADD_CPU; do echo 1 >"$SYS/cpu$c/online" 2>/dev/null; done
	fi
}

# numa_run PLACEMENT: run the numa command; sets nrc and leaves the CSV in
# /tmp/numa.csv.
numa_run() {
	# shellcheck disable=SC2086
	$BENCH numa --placement "$1" $NUMA_ARGS >/tmp/numa.csv 2>/tmp/numa.err
	nrc=$?
}

# numa_check PLACEMENT: every online CPU's pages on the node PLACEMENT
# implies (local: the CPU's own; node:N: N).
numa_check() {
	pl=$1
	if [ "$(bench_available)" = none ]; then
		result SKIP "build/pcpubench was not built"
		return
	fi
	# Rows are wanted for every online CPU, the hot-added one included
	# (onlined after boot, after the check_hotadd).
	numa_run "$pl"
	case $nrc in
	0) ;;
	4) result SKIP "numa exits 4: $(head -n 1 /tmp/numa.err)"; return ;;
	*) result FAIL "rc=$nrc: $(head -n 2 /tmp/numa.err | tr '\n' ' ')"; return ;;
	esac
	# One line per (strategy, placement, cpu, phase): the row key, the
	# host CPU, pages local, pages remote, the phase.
	awk -F, -v ml="$M_LOCAL" -v mr="$M_REMOTE" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{
			k = $col["strategy"] "/" $col["placement"] "/cpu" $col["cpu"] "/" $col["phase"]
			if (!(k in seen)) { seen[k] = 1; order[n++] = k; ph[k] = $col["phase"]; hc[k] = $col["cpu"] }
			m = $col["metric"]
			if (m == "host_cpu") hc[k] = $col["value"]
			else if (m == ml) loc[k] = $col["value"]
			else if (m == mr) rem[k] = $col["value"]
		}
		END {
			for (i = 0; i < n; i++) {
				k = order[i]
				if (k in loc || k in rem)
					print k, hc[k], (k in loc ? loc[k] : "NA"), (k in rem ? rem[k] : "NA"), ph[k]
			}
		}' /tmp/numa.csv >/tmp/numa.rows
	if [ ! -s /tmp/numa.rows ]; then
		result FAIL "no $M_LOCAL/$M_REMOTE rows in the CSV"
		return
	fi
	bad=
	hosts=
	nrows=0
	nlate=0
	while read -r k hcpu loc rem phase; do
		n=$(node_of "$hcpu")
		case $pl in
		local) expect_remote=0 ;;
		node:*) if [ "$n" = "${pl#node:}" ]; then expect_remote=0; else expect_remote=all; fi ;;
		esac
		if [ "$expect_remote" = 0 ]; then
			ok=$([ "$rem" = 0 ] && [ "$loc" != 0 ] && [ "$loc" != NA ] && echo y)
		else
			ok=$([ "$loc" = 0 ] && [ "$rem" != 0 ] && [ "$rem" != NA ] && echo y)
		fi
		[ -n "$ok" ] || bad="$bad $k(host cpu$hcpu node$n):local=$loc,remote=$rem"
		case " $hosts " in *" $hcpu "*) ;; *) hosts="$hosts $hcpu" ;; esac
		nrows=$((nrows + 1))
		[ "$phase" = late ] && nlate=$((nlate + 1))
	done </tmp/numa.rows
	[ "$nlate" -gt 0 ] || bad="$bad no-row-for-a-CPU-onlined-after-start(phase=late)"
	if [ -n "$HOTADD_CPU" ]; then
		case " $hosts " in *" $HOTADD_CPU "*) ;; *) bad="$bad no-row-for-hot-added-cpu$HOTADD_CPU" ;; esac
	fi
	# Two nodes: the node x node latency matrix is there, every cell
	# measured (timings under TCG mean nothing; their presence does).
	nmat=$(grep -c ',matrix,0,latency_ns_from_node[0-9]*,[0-9.e+]*,ns,ok$' /tmp/numa.csv)
	[ "$nmat" -eq 4 ] || bad="$bad matrix-cells=$nmat(want-4)"
	if [ -z "$bad" ]; then
		result PASS "placement $pl: $nrows rows ($nlate late), host CPUs$hosts as expected"
	else
		result FAIL "placement $pl:$bad"
	fi
}

check_numa_local() { numa_check local; }
check_numa_node0() { numa_check node:0; }

# The QMP hot-added vCPU (node 1), per layout and late-node policy: the
# runtime's init is replayed as it was before the hot-add (CPUs 0-3
# present, the hot-added id absent, its node guessed per --late-node),
# then the CPU arrives (its node read from sysfs now) and comes online.
# embed and page placed its unit at init: on the guessed node, remote
# with roundrobin (the guest kernel's own guess for CPU 4 was node 0) and
# boot (CPU 0's node 0), local with topology; vm and hybrid commit it on
# online on its real node: always local. Pages are read with move_pages.
# One GUEST-INFO line per case gives the placement table.
check_numa_hotadd() {
	if [ "$(bench_available)" = none ]; then
		result SKIP "build/pcpubench was not built"
		return
	fi
	if [ -z "$HOTADD_CPU" ]; then
		result SKIP "no hot-added CPU (check hotadd did not run or failed)"
		return
	fi
	c=$HOTADD_CPU
	real=$(node_of "$c")
	bad=
	n=0
	for lay in embed:offset-array page:offset-array vm:vm-area hybrid:hybrid; do
		l=${lay%%:*}
		s=${lay#*:}
		for ln in roundrobin boot topology; do
			$BENCH numa --strategy "$s" --layout "$l" --late-node "$ln" \
				--possible 0-9 --present 0-3 --online 0-3 --late 0 \
				--hotadd "$c-$c" --placement local --matrix off \
				--format csv >/tmp/nh.csv 2>/tmp/nh.err
			rc=$?
			if [ "$rc" != 0 ]; then
				bad="$bad $l/$ln:rc=$rc($(head -n 1 /tmp/nh.err))"
				continue
			fi
			set -- $(awk -F, -v c="$c" '
				NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
				$col["cpu"] == c && $col["phase"] == "hotadded" {
					v[$col["metric"]] = $col["value"]
				}
				END {
					print (("pages_local" in v) ? v["pages_local"] : "NA"),
					      (("pages_remote" in v) ? v["pages_remote"] : "NA"),
					      (("init_node" in v) ? v["init_node"] : "NA"),
					      (("unit_node" in v) ? v["unit_node"] : "NA")
				}' /tmp/nh.csv)
			loc=$1 rem=$2 init=$3 unit=$4
			case $l/$ln in
			embed/roundrobin|embed/boot|page/roundrobin|page/boot)
				want=remote ;;
			*)	want=local ;;
			esac
			if [ "$want" = remote ] && [ "$real" = 0 ]; then
				want=any	# a guess of node 0 is right for a node-0 CPU
			fi
			got=local
			[ "$rem" != 0 ] && got=remote
			[ "$loc" = NA ] || [ "$rem" = NA ] && got=none
			echo "GUEST-INFO placement layout=$l late-node=$ln cpu=$c real_node=$real init_node=$init unit_node=$unit pages_local=$loc pages_remote=$rem -> $got"
			n=$((n + 1))
			[ "$want" = any ] && [ "$got" != none ] && continue
			[ "$got" = "$want" ] || bad="$bad $l/$ln:$got(want $want; local=$loc remote=$rem unit_node=$unit)"
		done
	done
	if [ -z "$bad" ]; then
		result PASS "cpu$c (node $real): $n cases; embed/page remote with roundrobin and boot, local with topology; vm/hybrid local"
	else
		result FAIL "cpu$c (node $real):$bad"
	fi
}

# hotadd_expect LAYOUT POLICY REAL_NODE: where the hot-added CPU's unit
# should be (local, remote, or any where a node-0 guess is right).
hotadd_expect() {
	case $1/$2 in
	embed/roundrobin|embed/boot|page/roundrobin|page/boot)
		if [ "$3" = 0 ]; then echo any; else echo remote; fi ;;
	*)	echo local ;;
	esac
}

# The same as numa_hotadd, live: twelve runtimes (4 layouts x 3 late-node
# policies) are brought up with this guest's CPUs as they are, then one
# more vCPU is hot-added on node 1 over QMP while they wait; each sees it
# arrive (sysfs), hot-adds and onlines it, and reads where its unit's
# pages are. Live, 'topology' knows no more than the others: the id does
# not exist in sysfs at init, so its node was guessed too (the id a vCPU
# gets is not predictable). Runs last: it leaves one more CPU than all_up
# expects.
check_numa_hotadd_live() {
	if [ "$(bench_available)" = none ]; then
		result SKIP "build/pcpubench was not built"
		return
	fi
	k=0
	pids=
	for lay in embed:offset-array page:offset-array vm:vm-area hybrid:hybrid; do
		for ln in roundrobin boot topology; do
			$BENCH numa --strategy "${lay#*:}" --layout "${lay%%:*}" \
				--late-node "$ln" --possible sysfs --present sysfs --late 0 \
				--wait-hotadd 90 --placement local --matrix off --format csv \
				>/tmp/lv.$k.csv 2>/tmp/lv.$k.err &
			pids="$pids $!"
			echo "${lay%%:*} $ln" >/tmp/lv.$k.case
			k=$((k + 1))
		done
	done
	i=0
	while [ "$(cat /tmp/lv.*.err 2>/dev/null | grep -c 'waiting up to')" -lt $k ] &&
	      [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ready=$(cat /tmp/lv.*.err | grep -c 'waiting up to')
	echo "GUEST-REQ hotadd node=1"
	bad=
	for pid in $pids; do
		wait "$pid" || bad="$bad rc($pid)=$?"
	done
	[ "$ready" = $k ] || bad="$bad only-$ready-of-$k-ready"
	j=0
	c=
	while [ $j -lt $k ]; do
		set -- $(cat /tmp/lv.$j.case)
		l=$1 ln=$2
		set -- $(awk -F, '
			NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
			$col["phase"] == "hotadded" && $col["cpu"] != "all" {
				cpu = $col["cpu"]; v[$col["metric"]] = $col["value"]
			}
			END {
				print (cpu == "" ? "NA" : cpu),
				      (("pages_local" in v) ? v["pages_local"] : "NA"),
				      (("pages_remote" in v) ? v["pages_remote"] : "NA"),
				      (("init_node" in v) ? v["init_node"] : "NA"),
				      (("unit_node" in v) ? v["unit_node"] : "NA")
			}' /tmp/lv.$j.csv)
		c=$1 loc=$2 rem=$3 init=$4 unit=$5
		j=$((j + 1))
		if [ "$c" = NA ]; then
			bad="$bad $l/$ln:no-hotadded-row($(head -n 2 /tmp/lv.$((j - 1)).err | tr '\n' ' '))"
			continue
		fi
		real=$(node_of "$c")
		want=$(hotadd_expect "$l" "$ln" "$real")
		# Live, even 'topology' cannot know: sysfs has no node for an id
		# that is not there yet, so init guessed (init_node says what);
		# embed and page then sit where that guess was.
		if [ "$ln" = topology ] && { [ "$l" = embed ] || [ "$l" = page ]; }; then
			if [ "$init" = "$real" ]; then want=local; else want=remote; fi
		fi
		got=local
		[ "$rem" != 0 ] && got=remote
		{ [ "$loc" = NA ] || [ "$rem" = NA ]; } && got=none
		echo "GUEST-INFO placement-live layout=$l late-node=$ln cpu=$c real_node=$real init_node=$init unit_node=$unit pages_local=$loc pages_remote=$rem -> $got"
		[ "$want" = any ] && [ "$got" != none ] && continue
		[ "$got" = "$want" ] || bad="$bad $l/$ln:$got(want $want)"
	done
	if [ -z "$bad" ]; then
		result PASS "cpu$c hot-added on node $(node_of "$c") while $k runtimes waited: embed/page on the node init guessed (roundrobin, boot; topology had no node for an absent id either), vm/hybrid local"
	else
		result FAIL "$bad"
	fi
}

check_all_online() {
	want=$(all_up)
	o=$(online_list)
	if [ "$o" = "$want" ]; then
		result PASS "online=$o"
	else
		result FAIL "online=$o, want $want: a check left CPUs offline"
	fi
}

# The kernel-module checks (kmod-tests.sh) run last.
[ -f /kmod-tests.sh ] && . /kmod-tests.sh && CHECKS="$CHECKS $KMOD_CHECKS"
[ -f /modsize-tests.sh ] && . /modsize-tests.sh && CHECKS="$CHECKS $MODSIZE_CHECKS"
# The guest's own per-CPU facts (kfacts-tests.sh), for ./run.sh's guest step.
[ -f /kfacts-tests.sh ] && . /kfacts-tests.sh && CHECKS="$CHECKS $KFACTS_CHECKS"

# ---- driver ---------------------------------------------------------------

pick=$(sed -n 's/.*pcpu\.checks=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
[ -n "$pick" ] && CHECKS=$pick
echo "GUEST-START uptime=$(cut -d' ' -f1 /proc/uptime) checks=$(echo "$CHECKS" | tr '\n' ' ')"
for name in $CHECKS; do
	cur=$name
	reported=
	t0=$(cut -d' ' -f1 /proc/uptime)
	"check_$name"
	[ -n "$reported" ] || { cur=$name; result FAIL "reported nothing"; }
	echo "GUEST-TIME $name $t0 $(cut -d' ' -f1 /proc/uptime)"
done
echo "GUEST-DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
