// SPDX-License-Identifier: GPL-2.0
/*
 * kmod-vm.c - the pcpubench module's dedicated per-CPU VM area (reserved
 * at load, a unit mapped on the CPU's node when it comes online, unmapped
 * when it goes offline) and the CPU hotplug callbacks that drive it. See
 * kmod-main.c for the whole module.
 */
#include "pcpubench_kmod.h"

unsigned long pk_vm_base;		/* k-vm-area */
static struct page *placeholder;
static pte_t **vm_ptes;			/* nr_cpu_ids * UNIT_PAGES */
static struct page **vm_pages;		/* idem: pages mapped, or NULL */

/* Counters folded from units on offline; template checks. */
u64 pk_folded_vm, pk_folded_hyb;
u64 pk_tmpl_ok, pk_tmpl_bad, pk_nr_online_cb, pk_nr_offline_cb, pk_cb_off_cpu;
u64 pk_map_fail;
/* Off only to test the test: churn's lost_updates must then be > 0. */
bool pk_fold_on_offline = true;

/* ---- the VM area ---------------------------------------------------- */

static void flush_all_fn(void *unused)
{
	__flush_tlb_all();
}

static void vm_flush_all(void)
{
	on_each_cpu(flush_all_fn, NULL, 1);
}

int pk_vm_reserve(void)
{
	unsigned long n = (unsigned long)nr_cpu_ids * UNIT_PAGES, i;
	struct page **pages;
	unsigned int level;

	placeholder = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!placeholder)
		return -ENOMEM;
	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	vm_ptes = kvcalloc(n, sizeof(*vm_ptes), GFP_KERNEL);
	vm_pages = kvcalloc(n, sizeof(*vm_pages), GFP_KERNEL);
	if (!pages || !vm_ptes || !vm_pages) {
		kvfree(pages);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		pages[i] = placeholder;
	pk_vm_base = (unsigned long)vmap(pages, n, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!pk_vm_base)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		pte_t *p = lookup_address(pk_vm_base + i * PAGE_SIZE, &level);

		if (!p || level != PG_LEVEL_4K ||
		    pte_pfn(*p) != page_to_pfn(placeholder)) {
			pr_err("pcpubench: vm area: no 4K PTE for page %lu\n", i);
			return -EFAULT;
		}
		vm_ptes[i] = p;
	}
	for (i = 0; i < n; i++)
		set_pte(vm_ptes[i], __pte(0));
	vm_flush_all();
	return 0;
}

void pk_vm_release(void)
{
	if (pk_vm_base)
		vunmap((void *)pk_vm_base);
	pk_vm_base = 0;
	if (placeholder)
		__free_page(placeholder);
	kvfree(vm_ptes);
	kvfree(vm_pages);
}

/* Map @cpu's unit on its node and fill it from the template. */
static int vm_map_unit(unsigned int cpu)
{
	unsigned long i, base = (unsigned long)cpu * UNIT_PAGES;
	int node = cpu_to_node(cpu);

	for (i = 0; i < UNIT_PAGES; i++) {
		struct page *pg = alloc_pages_node(node, GFP_KERNEL, 0);

		if (!pg) {
			while (i--) {
				set_pte(vm_ptes[base + i], __pte(0));
				__free_page(vm_pages[base + i]);
				vm_pages[base + i] = NULL;
			}
			vm_flush_all();
			return -ENOMEM;
		}
		vm_pages[base + i] = pg;
		/* Not present before: x86 caches no non-present entry. */
		set_pte(vm_ptes[base + i], mk_pte(pg, PAGE_KERNEL));
	}
	memcpy(pk_vm_unit(cpu), pk_tmpl, UNIT_SIZE);
	if (memcmp(pk_vm_unit(cpu), pk_tmpl, UNIT_SIZE))
		pk_tmpl_bad++;
	else
		pk_tmpl_ok++;
	return 0;
}

static void vm_unmap_unit(unsigned int cpu)
{
	unsigned long i, base = (unsigned long)cpu * UNIT_PAGES;

	for (i = 0; i < UNIT_PAGES; i++)
		set_pte(vm_ptes[base + i], __pte(0));
	vm_flush_all();
	for (i = 0; i < UNIT_PAGES; i++) {
		if (vm_pages[base + i])
			__free_page(vm_pages[base + i]);
		vm_pages[base + i] = NULL;
	}
}

/* ---- hotplug callbacks ---------------------------------------------- */

int pk_cpu_online(unsigned int cpu)
{
	struct vunit *u;
	int r;

	if (raw_smp_processor_id() != cpu)
		pk_cb_off_cpu++;
	r = vm_map_unit(cpu);
	if (r) {
		pk_map_fail++;
		pr_warn("pcpubench: cpu%u: cannot map its unit (%d)\n", cpu, r);
		return r;
	}
	u = pk_vm_unit(cpu);
	if (pk_setup_done) {
		pk_onlines[cpu]++;
		if (!pk_boot_cpu[cpu]) {
			pk_hyb_late[cpu] = true;
			smp_store_release(&pk_hyb_tab[cpu], &u->hyb);
		}
	}
	smp_store_release(&pk_vm_live[cpu], true);
	pk_nr_online_cb++;
	return 0;
}

int pk_cpu_offline(unsigned int cpu)
{
	struct vunit *u = pk_vm_unit(cpu);

	if (raw_smp_processor_id() != cpu)
		pk_cb_off_cpu++;
	if (!READ_ONCE(pk_vm_live[cpu]))
		return 0;
	/* Unpublish, wait for every preempt-disabled user, fold, free. */
	WRITE_ONCE(pk_vm_live[cpu], false);
	if (pk_hyb_late[cpu])
		WRITE_ONCE(pk_hyb_tab[cpu], NULL);
	synchronize_rcu();
	if (READ_ONCE(pk_fold_on_offline)) {
		pk_folded_vm += u->vm.cnt;
		if (pk_hyb_late[cpu])
			pk_folded_hyb += u->hyb.cnt;
	}
	pk_hyb_late[cpu] = false;
	vm_unmap_unit(cpu);
	pk_nr_offline_cb++;
	return 0;
}
