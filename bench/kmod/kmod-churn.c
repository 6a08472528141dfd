// SPDX-License-Identifier: GPL-2.0
/*
 * kmod-churn.c - the pcpubench module's churn workers ("churn_start
 * [fold=0]", "churn_stop"): one kthread per online CPU increments every
 * kind's counter while CPUs come and go; at stop, the updates made against
 * the updates counted (live units plus what was folded on offline). See
 * kmod-main.c for the whole module.
 */
#include "pcpubench_kmod.h"

enum { C_STATIC, C_AP, C_VM, C_HYB, NR_C };
static const char *const c_name[NR_C] = { "static", "alloc_percpu", "vm_area", "hybrid" };

struct kworker {
	struct task_struct *t;
	u64 done[NR_C], skipped[NR_C];
};
static struct kworker *workers;
static unsigned int nworkers;

static int worker_fn(void *p)
{
	struct kworker *w = p;
	unsigned int cpu, i;
	struct kslot *h;

	while (!kthread_should_stop()) {
		for (i = 0; i < 64; i++) {
			preempt_disable();
			cpu = smp_processor_id();
			this_cpu_inc(pk_static.cnt);
			w->done[C_STATIC]++;
			this_cpu_inc(pk_ap->cnt);
			w->done[C_AP]++;
			if (smp_load_acquire(&pk_vm_live[cpu])) {
				pk_vm_unit(cpu)->vm.cnt++;
				w->done[C_VM]++;
			} else {
				w->skipped[C_VM]++;
			}
			h = smp_load_acquire(&pk_hyb_tab[cpu]);
			if (h) {
				h->cnt++;
				w->done[C_HYB]++;
			} else {
				w->skipped[C_HYB]++;
			}
			preempt_enable();
		}
		/* Leave the hotplug driver some CPU (one emulated CPU runs all). */
		usleep_range(20, 50);
	}
	return 0;
}

static void counters_zero(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		per_cpu_ptr(&pk_static, cpu)->cnt = 0;
		per_cpu_ptr(pk_ap, cpu)->cnt = 0;
		per_cpu_ptr(pk_hyb_ap, cpu)->cnt = 0;
		if (pk_vm_live[cpu]) {
			pk_vm_unit(cpu)->vm.cnt = 0;
			pk_vm_unit(cpu)->hyb.cnt = 0;
		}
	}
	pk_folded_vm = pk_folded_hyb = 0;
}

static u64 stat0_ok, stat0_bad, stat0_on, stat0_off;

int pk_cmd_churn_start(bool fold)
{
	unsigned int i, cpu;

	if (workers)
		return -EBUSY;
	WRITE_ONCE(pk_fold_on_offline, fold);
	cpus_read_lock();
	nworkers = num_online_cpus();
	workers = kcalloc(nworkers, sizeof(*workers), GFP_KERNEL);
	if (!workers) {
		cpus_read_unlock();
		return -ENOMEM;
	}
	counters_zero();
	stat0_ok = pk_tmpl_ok;
	stat0_bad = pk_tmpl_bad;
	stat0_on = pk_nr_online_cb;
	stat0_off = pk_nr_offline_cb;
	i = 0;
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		if (i >= nworkers)
			break;
		t = kthread_create_on_node(worker_fn, &workers[i],
					   cpu_to_node(cpu), "pcpubench/%u", i);
		if (IS_ERR(t))
			break;
		workers[i].t = t;
		i++;
	}
	nworkers = i;
	cpus_read_unlock();
	for (i = 0; i < nworkers; i++)
		wake_up_process(workers[i].t);
	pk_out("I,workers,%u\n", nworkers);
	return 0;
}

int pk_cmd_churn_stop(void)
{
	u64 done[NR_C] = { 0 }, skipped[NR_C] = { 0 }, seen[NR_C] = { 0 };
	unsigned int i, c, cpu;

	if (!workers)
		return -EINVAL;
	for (i = 0; i < nworkers; i++) {
		kthread_stop(workers[i].t);
		for (c = 0; c < NR_C; c++) {
			done[c] += workers[i].done[c];
			skipped[c] += workers[i].skipped[c];
		}
	}
	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		seen[C_STATIC] += per_cpu_ptr(&pk_static, cpu)->cnt;
		seen[C_AP] += per_cpu_ptr(pk_ap, cpu)->cnt;
		if (pk_boot_cpu[cpu])
			seen[C_HYB] += per_cpu_ptr(pk_hyb_ap, cpu)->cnt;
		if (pk_vm_live[cpu]) {
			seen[C_VM] += pk_vm_unit(cpu)->vm.cnt;
			if (pk_hyb_late[cpu])
				seen[C_HYB] += pk_vm_unit(cpu)->hyb.cnt;
		}
	}
	pk_out("H,vm_area,folded,%llu\n", pk_folded_vm);
	pk_out("H,hybrid,folded,%llu\n", pk_folded_hyb);
	seen[C_VM] += pk_folded_vm;
	seen[C_HYB] += pk_folded_hyb;
	cpus_read_unlock();
	for (c = 0; c < NR_C; c++) {
		pk_out("H,%s,updates,%llu\n", c_name[c], done[c]);
		pk_out("H,%s,counted,%llu\n", c_name[c], seen[c]);
		pk_out("H,%s,lost,%lld\n", c_name[c], (s64)(done[c] - seen[c]));
		pk_out("H,%s,skipped,%llu\n", c_name[c], skipped[c]);
	}
	pk_out("H,-,workers,%u\n", nworkers);
	pk_out("H,-,onlines,%llu\n", pk_nr_online_cb - stat0_on);
	pk_out("H,-,offlines,%llu\n", pk_nr_offline_cb - stat0_off);
	pk_out("H,-,template_ok,%llu\n", pk_tmpl_ok - stat0_ok);
	pk_out("H,-,template_bad,%llu\n", pk_tmpl_bad - stat0_bad);
	pk_out("H,-,fold,%d\n", READ_ONCE(pk_fold_on_offline) ? 1 : 0);
	WRITE_ONCE(pk_fold_on_offline, true);
	kfree(workers);
	workers = NULL;
	nworkers = 0;
	return 0;
}
