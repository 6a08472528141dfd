# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154  # sourced: shares guest-tests.sh's names
# kfacts-tests.sh - the guest's own per-CPU facts (busybox sh), sourced by
# guest-tests.sh after kmod-tests.sh. The host's guest step
# (tests/guest/kfacts-step.sh, a profile step of ./run.sh) boots the guest
# with pcpu.checks=kmod_load,kmod_hotadd,kfacts_guest and turns the
# GUEST-CSV lines into rows of the results directory.
#
# kfacts_guest: `pcpubench kfacts` in the guest (its boot lines, sysfs
# after the hot-add: the hot-added CPU's node against its unit's group)
# and, when the module is loaded, `pcpubench kernel numa` (where each
# CPU's static, alloc_percpu, VM-unit and hybrid memory live, the page
# size of their mapping, the pages N variables touch). Both CSVs go out
# on the console, one "GUEST-CSV <bench> <line>" per line. The boot label
# is "page" when the guest booted with percpu_alloc=page, else "default";
# the allocator column says what the kernel itself reported.

KFACTS_CHECKS="kfacts_guest"

# guest_boot_label: default, or the percpu_alloc= value of the command line.
guest_boot_label() {
	a=$(sed -n 's/.*percpu_alloc=\([^ ]*\).*/\1/p' /proc/cmdline)
	echo "${a:-default}"
}

check_kfacts_guest() {
	if [ "$(bench_available)" = none ]; then
		result SKIP "build/pcpubench was not built"
		return
	fi
	boot=$(guest_boot_label)
	$BENCH kfacts --topology guest --boot "$boot" --format csv \
		>/tmp/kf.csv 2>/tmp/kf.err
	krc=$?
	sed 's/^/GUEST-CSV kfacts /' /tmp/kf.csv
	alloc=$(awk -F, 'NR == 2 { print $4 }' /tmp/kf.csv)
	nrow=0
	if kmod_loaded 2>/dev/null; then
		run_watched 60 /tmp/kg.csv /tmp/kg.err $BENCH kernel numa \
			--module $KMOD --format csv
		[ "$rc" = 0 ] && sed 's/^/GUEST-CSV kernel-numa /' /tmp/kg.csv
		nrow=$(grep -c ',map_page_bytes,' /tmp/kg.csv)
		# the table for the serial log: cpu memory page size
		awk -F, 'NR > 1 && $6 == "map_page_bytes" {
			print "GUEST-INFO kfacts map: cpu" $3 " " $2 " " $7 }' /tmp/kg.csv
	else
		rc=0
	fi
	# the boot lines themselves, for the record
	dmesg | grep -E 'setup_percpu:|percpu:|pcpu-alloc:' | sed 's/^/GUEST-INFO kfacts log: /'
	# how the kernel's linear map is mapped (DirectMap4k/2M/1G)
	grep '^DirectMap' /proc/meminfo | tr -s ' ' | sed 's/^/GUEST-INFO kfacts meminfo: /'
	d="boot=$boot allocator=$alloc kfacts rc=$krc, kernel numa rc=$rc, $nrow map_page_bytes rows"
	if [ "$krc" = 0 ] && [ "$rc" = 0 ] && [ -n "$alloc" ] && [ "$alloc" != unknown ]; then
		result PASS "$d"
	else
		result FAIL "$d: $(head -n 2 /tmp/kf.err /tmp/kg.err 2>/dev/null | tr '\n' ' ')"
	fi
}
