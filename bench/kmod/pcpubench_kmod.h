/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpubench_kmod.h - what the parts of the pcpubench module share (private
 * to bench/kmod/; the module is described in kmod-main.c). Everything
 * declared here is prefixed pk_; what one part alone uses stays static.
 *
 * Parts: kmod-main.c (state, output, debugfs, load/unload), kmod-vm.c (the
 * VM area and the hotplug callbacks), kmod-access.c (the timed loops),
 * kmod-numa.c (placement and mapping), kmod-churn.c (churn workers).
 */
#ifndef PCPUBENCH_KMOD_H
#define PCPUBENCH_KMOD_H

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/debugfs.h>
#include <linux/kernel_stat.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/hardirq.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>

#define UNIT_SHIFT (PAGE_SHIFT + 1)	/* two pages per VM unit */
#define UNIT_SIZE (1UL << UNIT_SHIFT)
#define UNIT_PAGES (UNIT_SIZE >> PAGE_SHIFT)

struct kslot {
	u64 var;
	u64 cnt;
	u64 pad[6];
} __aligned(64);

/* The head of a VM unit; the rest of the unit holds template words. */
struct vunit {
	struct kslot vm;
	struct kslot hyb;
	u64 words[];
};
#define TMPL_FIRST (sizeof(struct vunit) / sizeof(u64))

/* N separate alloc_percpu objects: where a module's counters land. */
#define NVARS 64

/* The memory kinds (kmod-main.c). */
DECLARE_PER_CPU_ALIGNED(struct kslot, pk_static);
extern struct kslot __percpu *pk_ap;	/* k-alloc-percpu */
extern struct kslot __percpu *pk_hyb_ap; /* k-hybrid, CPUs online at load */
extern struct kslot **pk_hyb_tab;	/* k-hybrid: the module's table */
extern u64 __percpu *pk_vars[NVARS];
extern u64 *pk_tmpl;			/* UNIT_SIZE bytes */
extern bool *pk_vm_live;		/* unit mapped and published */
extern bool *pk_hyb_late;		/* hybrid slot lives in the VM unit */

/* Per CPU since load (kmod-main.c). */
extern bool *pk_present_at_load, *pk_boot_cpu;
extern unsigned int *pk_onlines;	/* online callbacks after load */
extern bool pk_setup_done;

/* The VM area and what its callbacks count (kmod-vm.c). */
extern unsigned long pk_vm_base;	/* k-vm-area */
extern u64 pk_folded_vm, pk_folded_hyb;
extern u64 pk_tmpl_ok, pk_tmpl_bad, pk_nr_online_cb, pk_nr_offline_cb;
extern u64 pk_cb_off_cpu, pk_map_fail;
extern bool pk_fold_on_offline;

static inline struct vunit *pk_vm_unit(unsigned int cpu)
{
	return (struct vunit *)(pk_vm_base + ((unsigned long)cpu << UNIT_SHIFT));
}

/* kmod-main.c: the output buffer (called with the ctl lock held). */
__printf(1, 2) void pk_out(const char *fmt, ...);
bool pk_out_full(void);

/* kmod-vm.c */
int pk_vm_reserve(void);
void pk_vm_release(void);
int pk_cpu_online(unsigned int cpu);
int pk_cpu_offline(unsigned int cpu);

/*
 * The retry rules of the access command's quiet check (kmod-quiet.h):
 * at most @redo extra attempts per point; none once the command's retries
 * reach @budget_pct % of the attempts judged plus @budget_min, or once more
 * than @sat_pct % of at least @sat_min attempts judged were disturbed.
 * @force: the test hook, the first @force attempts judged are disturbed.
 */
struct pk_quiet_rules {
	unsigned long redo, budget_pct, budget_min, sat_min, sat_pct, force;
};

/* The commands (kmod-access.c, kmod-numa.c, kmod-churn.c). */
void pk_access_setup(void);
int pk_cmd_access(unsigned long iters, unsigned int tries, unsigned int reps,
		  const struct pk_quiet_rules *q);
int pk_cmd_numa(void);
int pk_cmd_churn_start(bool fold);
int pk_cmd_churn_stop(void);

#endif /* PCPUBENCH_KMOD_H */
