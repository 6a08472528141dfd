// SPDX-License-Identifier: GPL-2.0
/*
 * kmod-main.c - the kernel's own per-CPU paths, measured in kernel
 * context, and Rostedt's dedicated per-CPU VM area built as a module.
 *
 * Memory kinds, each holding one struct kslot per CPU (var: the access
 * benchmark's variable; cnt: the churn counter):
 *   static        DEFINE_PER_CPU in this module (the first chunk's reserved
 *                 region, reached through %gs or __per_cpu_offset[]);
 *   alloc_percpu  an alloc_percpu() object (a dynamic chunk);
 *   vm_area       a module-owned virtual range, unit at
 *                 vm_base + (cpu << UNIT_SHIFT), each unit's pages from
 *                 alloc_pages_node(cpu_to_node(cpu)), mapped from a CPU
 *                 hotplug callback when the CPU comes online, filled from
 *                 the template saved at load, unmapped and freed when it
 *                 goes offline (its counters folded first);
 *   hybrid        CPUs online at load: a second alloc_percpu() object;
 *                 CPUs onlined later: the second slot of their VM unit;
 *                 both reached through the module's own table hyb_tab[].
 *
 * The VM range is reserved with exported interfaces only: vmap() of one
 * placeholder page repeated over the whole range makes the kernel reserve
 * the addresses and build their page tables; lookup_address() gives each
 * PTE, which is then cleared (and the TLBs of every CPU flushed). A unit is
 * mapped by writing its PTEs, unmapped by clearing them and flushing every
 * CPU's TLB before its pages are freed. vunmap() at unload returns the
 * (then empty) range. Only this module writes those PTEs.
 *
 * Strategies measured (access workloads, kernel context, per online CPU,
 * on that CPU through work_on_cpu(), preemption and interrupts disabled
 * for each timed batch):
 *   k-segment            this_cpu_read/write/inc on the static slot (%gs);
 *   k-offset-array       per_cpu_ptr(&v, smp_processor_id()) on it;
 *   k-alloc-percpu       both of those paths on the alloc_percpu slot;
 *   k-vm-area            vm_base + (smp_processor_id() << UNIT_SHIFT);
 *   k-hybrid             hyb_tab[smp_processor_id()].
 * Modes as in user space: throughput (8 independent accesses per step),
 * latency (the value read is added to the next address), path (the
 * previous value, through an opaque zero, feeds the first load of the
 * path: the CPU id, or the base pointer, or for %gs the address). Each
 * point is timed with rdtsc_ordered() for N and 2N operations, best of
 * `tries` each; user space takes (t(2N) - t(N)) / N. The core clock is
 * calibrated the same way with a dependent imul chain (3 cycles each).
 * Each point (and calibration) is judged undisturbed (kmod-quiet.h: steal
 * time unchanged, T(2N)/T(N) less the clock reads inside a band, best and
 * second-best runs agreeing), measured again within the command's retry
 * rules, else reported with the reason; the command ends with its counts.
 *
 * Mapping (numa): for each CPU's copy of each kind, the page size of the
 * kernel mapping that translates it (lookup_address()'s page-table level:
 * 4 KiB, 2 MiB or 1 GiB; the embed first chunk sits in the linear map,
 * percpu_alloc=page and later chunks in vmalloc space), and for N
 * variables the distinct 4 KiB pages and the distinct mapping pages (TLB
 * entries) a this_cpu access of each touches on that CPU: the kernel's
 * own exported static per-CPU variables (kernel_static) and NVARS
 * separate alloc_percpu(u64) objects (alloc_percpu).
 *
 * Interface: debugfs pcpubench/ctl (write a command) and pcpubench/out
 * (read its rows). Commands: "info", "access iters=N tries=T reps=R
 * [qredo=K qbudget=P qbudmin=M qsatmin=S qsatpct=Q qforce=F|all]" (the
 * retry rules and test hook of the quiet check, struct pk_quiet_rules;
 * without them a disturbed point is not measured again),
 * "numa", "churn_start [fold=0]" (fold=0: units are freed without their
 * counters folded, to show that churn's check catches the loss),
 * "churn_stop". Output lines are comma separated,
 * first field the record type (I info, C calibration, A access, P
 * placement, M mapping page size, G pages N variables touch, H churn,
 * S the quiet check's counts: attempts judged, disturbed, retried,
 * points left disturbed; E error); C and A rows end with the attempts the
 * point took and the reason it is disturbed, or "quiet";
 * bench/cmd-kernel.c turns them into the tidy rows of the other
 * benchmarks.
 *
 * The module, pcpubench_kmod.ko, is built from five parts (Kbuild) that
 * share pcpubench_kmod.h: this one (the state, the output buffer, debugfs,
 * load and unload), kmod-vm.c (the VM area, the hotplug callbacks),
 * kmod-access.c (the timed loops), kmod-numa.c (placement and mapping)
 * and kmod-churn.c (the churn workers).
 */
#include "pcpubench_kmod.h"

#define OUT_SIZE (4UL << 20)

DEFINE_PER_CPU_ALIGNED(struct kslot, pk_static);
struct kslot __percpu *pk_ap;		/* k-alloc-percpu */
struct kslot __percpu *pk_hyb_ap;	/* k-hybrid, CPUs online at load */
struct kslot **pk_hyb_tab;		/* k-hybrid: the module's table */
u64 __percpu *pk_vars[NVARS];

u64 *pk_tmpl;				/* UNIT_SIZE bytes */
bool *pk_vm_live;			/* unit mapped and published */
bool *pk_hyb_late;			/* hybrid slot lives in the VM unit */

/* Per CPU since load. */
bool *pk_present_at_load, *pk_boot_cpu;
unsigned int *pk_onlines;		/* online callbacks after load */
bool pk_setup_done;
static int hp_state = -1;

static DEFINE_MUTEX(k_lock);		/* ctl/out, the workers */
static char *outbuf;
static size_t outlen;
static bool outover;
static struct dentry *k_dir;

__printf(1, 2) void pk_out(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (outover)
		return;
	va_start(ap, fmt);
	n = vsnprintf(outbuf + outlen, OUT_SIZE - outlen, fmt, ap);
	va_end(ap);
	if (n < 0 || outlen + n >= OUT_SIZE - 64) {
		outover = true;
		outlen += scnprintf(outbuf + outlen, OUT_SIZE - outlen,
				    "E,output-full\n");
		return;
	}
	outlen += n;
}

/* The output is full: the rest of a long command is not worth running. */
bool pk_out_full(void)
{
	return outover;
}

/* ---- info and debugfs ------------------------------------------------ */

static void pk_cmd_info(void)
{
	unsigned int eax = 0, sig[3] = { 0 };
	char s[13];

	if (boot_cpu_has(X86_FEATURE_HYPERVISOR))
		cpuid(0x40000000, &eax, &sig[0], &sig[1], &sig[2]);
	memcpy(s, sig, 12);
	s[12] = 0;
	pk_out("I,hypervisor,%s\n", s[0] ? s : "none");
	pk_out("I,tsc_khz,%u\n", tsc_khz);
	pk_out("I,unit_size,%lu\n", UNIT_SIZE);
	pk_out("I,vm_base,%d\n", pk_vm_base ? 1 : 0);
	pk_out("I,nr_cpu_ids,%u\n", nr_cpu_ids);
	pk_out("I,online_callbacks,%llu\n", pk_nr_online_cb);
	pk_out("I,offline_callbacks,%llu\n", pk_nr_offline_cb);
	pk_out("I,callbacks_off_cpu,%llu\n", pk_cb_off_cpu);
	pk_out("I,map_failures,%llu\n", pk_map_fail);
	pk_out("I,template_ok,%llu\n", pk_tmpl_ok);
	pk_out("I,template_bad,%llu\n", pk_tmpl_bad);
}

static unsigned long arg_ul(const char *cmd, const char *key, unsigned long def)
{
	const char *p = strstr(cmd, key);
	unsigned long v;

	if (!p || sscanf(p + strlen(key), "%lu", &v) != 1)
		return def;
	return v;
}

static ssize_t ctl_write(struct file *f, const char __user *ubuf, size_t len,
			 loff_t *pos)
{
	char *cmd;
	int r = 0;

	if (len > 256)
		return -EINVAL;
	cmd = memdup_user_nul(ubuf, len);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	mutex_lock(&k_lock);
	outlen = 0;
	outover = false;
	outbuf[0] = 0;
	if (!strncmp(cmd, "info", 4))
		pk_cmd_info();
	else if (!strncmp(cmd, "access", 6)) {
		struct pk_quiet_rules q = {
			.redo = arg_ul(cmd, "qredo=", 0),
			.budget_pct = arg_ul(cmd, "qbudget=", 0),
			.budget_min = arg_ul(cmd, "qbudmin=", 0),
			.sat_min = arg_ul(cmd, "qsatmin=", 0),
			.sat_pct = arg_ul(cmd, "qsatpct=", 100),
			.force = strstr(cmd, "qforce=all") ? ULONG_MAX :
				 arg_ul(cmd, "qforce=", 0),
		};

		r = pk_cmd_access(arg_ul(cmd, "iters=", 4096),
				  arg_ul(cmd, "tries=", 3), arg_ul(cmd, "reps=", 3), &q);
	}
	else if (!strncmp(cmd, "numa", 4))
		r = pk_cmd_numa();
	else if (!strncmp(cmd, "churn_start", 11))
		r = pk_cmd_churn_start(arg_ul(cmd, "fold=", 1) != 0);
	else if (!strncmp(cmd, "churn_stop", 10))
		r = pk_cmd_churn_stop();
	else
		r = -EINVAL;
	mutex_unlock(&k_lock);
	kfree(cmd);
	return r ? r : (ssize_t)len;
}

static ssize_t out_read(struct file *f, char __user *ubuf, size_t len,
			loff_t *pos)
{
	ssize_t r;

	mutex_lock(&k_lock);
	r = simple_read_from_buffer(ubuf, len, pos, outbuf, outlen);
	mutex_unlock(&k_lock);
	return r;
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.write = ctl_write,
};

static const struct file_operations out_fops = {
	.owner = THIS_MODULE,
	.read = out_read,
	.llseek = default_llseek,
};

/* ---- load and unload ------------------------------------------------- */

static void k_free(void)
{
	unsigned int i;

	for (i = 0; i < NVARS; i++)
		free_percpu(pk_vars[i]);
	pk_vm_release();
	free_percpu(pk_ap);
	free_percpu(pk_hyb_ap);
	kfree(pk_hyb_tab);
	kfree(pk_vm_live);
	kfree(pk_hyb_late);
	kfree(pk_present_at_load);
	kfree(pk_boot_cpu);
	kfree(pk_onlines);
	vfree(pk_tmpl);
	vfree(outbuf);
}

static int __init k_init(void)
{
	unsigned long i;
	unsigned int cpu;
	int r;

	pk_ap = alloc_percpu(struct kslot);
	pk_hyb_ap = alloc_percpu(struct kslot);
	pk_hyb_tab = kcalloc(nr_cpu_ids, sizeof(*pk_hyb_tab), GFP_KERNEL);
	pk_vm_live = kcalloc(nr_cpu_ids, sizeof(*pk_vm_live), GFP_KERNEL);
	pk_hyb_late = kcalloc(nr_cpu_ids, sizeof(*pk_hyb_late), GFP_KERNEL);
	pk_present_at_load = kcalloc(nr_cpu_ids, sizeof(bool), GFP_KERNEL);
	pk_boot_cpu = kcalloc(nr_cpu_ids, sizeof(bool), GFP_KERNEL);
	pk_onlines = kcalloc(nr_cpu_ids, sizeof(*pk_onlines), GFP_KERNEL);
	pk_tmpl = vmalloc(UNIT_SIZE);
	outbuf = vmalloc(OUT_SIZE);
	r = -ENOMEM;
	if (!pk_ap || !pk_hyb_ap || !pk_hyb_tab || !pk_vm_live || !pk_hyb_late ||
	    !pk_present_at_load || !pk_boot_cpu || !pk_onlines || !pk_tmpl || !outbuf)
		goto fail;
	for (i = 0; i < NVARS; i++) {
		pk_vars[i] = alloc_percpu(u64);
		if (!pk_vars[i])
			goto fail;
	}
	pk_access_setup();
	/* The template: zero slots, then a pattern a fresh page never has. */
	memset(pk_tmpl, 0, sizeof(struct vunit));
	for (i = TMPL_FIRST; i < UNIT_SIZE / sizeof(u64); i++)
		pk_tmpl[i] = 0x9e3779b97f4a7c15ULL * (i + 1);
	r = pk_vm_reserve();
	if (r)
		goto fail;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		pk_present_at_load[cpu] = cpu_present(cpu);
		pk_boot_cpu[cpu] = cpu_online(cpu);
		if (pk_boot_cpu[cpu])
			pk_hyb_tab[cpu] = per_cpu_ptr(pk_hyb_ap, cpu);
	}
	r = cpuhp_setup_state_cpuslocked(CPUHP_AP_ONLINE_DYN, "pcpubench:online",
					 pk_cpu_online, pk_cpu_offline);
	if (r >= 0)
		pk_setup_done = true;
	cpus_read_unlock();
	if (r < 0)
		goto fail;
	hp_state = r;

	k_dir = debugfs_create_dir("pcpubench", NULL);
	if (IS_ERR_OR_NULL(k_dir)) {
		r = k_dir ? PTR_ERR(k_dir) : -ENODEV;
		k_dir = NULL;
		goto fail_hp;
	}
	debugfs_create_file("ctl", 0200, k_dir, NULL, &ctl_fops);
	debugfs_create_file("out", 0400, k_dir, NULL, &out_fops);
	pr_info("pcpubench: loaded; vm area of %u units of %lu bytes\n",
		nr_cpu_ids, UNIT_SIZE);
	return 0;

fail_hp:
	cpuhp_remove_state(hp_state);
fail:
	k_free();
	return r;
}

static void __exit k_exit(void)
{
	debugfs_remove(k_dir);
	mutex_lock(&k_lock);
	pk_cmd_churn_stop();		/* if running; else -EINVAL, a no-op */
	mutex_unlock(&k_lock);
	cpuhp_remove_state(hp_state);	/* unmaps every unit */
	k_free();
	pr_info("pcpubench: unloaded\n");
}

module_init(k_init);
module_exit(k_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcpubench: kernel per-CPU access paths, placement and a hotplug-mapped per-CPU VM area");
