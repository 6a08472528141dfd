// SPDX-License-Identifier: GPL-2.0
/*
 * kmod-numa.c - the pcpubench module's "numa" command: for each possible
 * CPU and each memory kind, the node of that CPU's copy (P lines), the
 * page size of the kernel mapping that translates it (M), the pages N
 * variables touch (G) and the VM unit's template check (T). See
 * kmod-main.c for the whole module.
 */
#include "pcpubench_kmod.h"

static struct page *addr_page(const void *p)
{
	if (is_vmalloc_addr(p))
		return vmalloc_to_page(p);
	if (virt_addr_valid(p))
		return virt_to_page(p);
	return NULL;
}

/* One P line: pages of [p, p + len) against @want. */
static void place_line(unsigned int cpu, const char *phase, const char *mem,
		       const void *p, size_t len, int want, const char *na)
{
	unsigned long a, end;
	int local = 0, remote = 0, first = -1;

	if (na) {
		pk_out("P,%u,%s,%d,%s,-1,0,0,%s\n", cpu, phase, want, mem, na);
		return;
	}
	a = (unsigned long)p & PAGE_MASK;
	end = (unsigned long)p + len;
	for (; a < end; a += PAGE_SIZE) {
		struct page *pg = addr_page((void *)a);
		int nid;

		if (!pg) {
			pk_out("P,%u,%s,%d,%s,-1,0,0,no-page\n", cpu, phase, want, mem);
			return;
		}
		nid = page_to_nid(pg);
		if (first < 0)
			first = nid;
		if (nid == want)
			local++;
		else
			remote++;
	}
	pk_out("P,%u,%s,%d,%s,%d,%d,%d,ok\n", cpu, phase, want, mem, first,
	     local, remote);
}

/* Bytes the kernel mapping of @p uses per page (its page-table level). */
static unsigned long map_bytes(const void *p)
{
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)p, &level);

	if (!pte || !pte_present(*pte))
		return 0;
	return page_level_size(level);
}

static void map_line(unsigned int cpu, const char *phase, const char *mem,
		     const void *p)
{
	unsigned long b = map_bytes(p);

	if (b)
		pk_out("M,%u,%s,%s,%lu,%d\n", cpu, phase, mem, b,
		     is_vmalloc_addr(p) ? 1 : 0);
}

/*
 * One G line: distinct 4 KiB pages and distinct mapping pages of the
 * @n addresses @a[] (a CPU's copies of @n variables).
 */
static void touch_line(unsigned int cpu, const char *phase, const char *mem,
		       unsigned long *a, unsigned int n)
{
	unsigned long pg[NVARS], mp[NVARS];
	unsigned int i, j, npg = 0, nmp = 0;

	for (i = 0; i < n && i < NVARS; i++) {
		unsigned long b = map_bytes((void *)a[i]), x;

		if (!b) {
			pk_out("G,%u,%s,%s,%u,-1,-1\n", cpu, phase, mem, n);
			return;
		}
		x = a[i] >> PAGE_SHIFT;
		for (j = 0; j < npg && pg[j] != x; j++)
			;
		if (j == npg)
			pg[npg++] = x;
		x = a[i] & ~(b - 1);
		for (j = 0; j < nmp && mp[j] != x; j++)
			;
		if (j == nmp)
			mp[nmp++] = x;
	}
	pk_out("G,%u,%s,%s,%u,%u,%u\n", cpu, phase, mem, n, npg, nmp);
}

/* The kernel's own static per-CPU variables a module may reach. */
static void touch_kernel_static(unsigned int cpu, const char *phase)
{
	unsigned long a[] = {
		(unsigned long)per_cpu_ptr(&this_cpu_off, cpu),
		(unsigned long)per_cpu_ptr(&irq_stat, cpu),
		(unsigned long)per_cpu_ptr(&kernel_cpustat, cpu),
		(unsigned long)per_cpu_ptr(&kstat, cpu),
		(unsigned long)per_cpu_ptr(&vm_event_states, cpu),
		(unsigned long)per_cpu_ptr(&softnet_data, cpu),
		(unsigned long)per_cpu_ptr(&pk_static, cpu),
	};

	touch_line(cpu, phase, "kernel_static", a, ARRAY_SIZE(a));
}

static void touch_alloc_percpu(unsigned int cpu, const char *phase)
{
	unsigned long a[NVARS];
	unsigned int i;

	for (i = 0; i < NVARS; i++)
		a[i] = (unsigned long)per_cpu_ptr(pk_vars[i], cpu);
	touch_line(cpu, phase, "alloc_percpu", a, NVARS);
}

static const char *cpu_phase(unsigned int cpu)
{
	if (!cpu_online(cpu))
		return "offline";
	if (!pk_present_at_load[cpu])
		return "hotadded";
	if (pk_boot_cpu[cpu] && !pk_onlines[cpu])
		return "boot";
	return "late";
}

int pk_cmd_numa(void)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		const char *ph = cpu_phase(cpu);
		int want = cpu_to_node(cpu);
		struct kslot *h = READ_ONCE(pk_hyb_tab[cpu]);

		pk_out("Q,%u,%s,%d,%d,%d,%u\n", cpu, ph, want,
		     cpu_present(cpu) ? 1 : 0, cpu_online(cpu) ? 1 : 0,
		     pk_onlines[cpu]);
		place_line(cpu, ph, "static", per_cpu_ptr(&pk_static, cpu),
			   sizeof(struct kslot), want, NULL);
		place_line(cpu, ph, "alloc_percpu", per_cpu_ptr(pk_ap, cpu),
			   sizeof(struct kslot), want, NULL);
		map_line(cpu, ph, "static", per_cpu_ptr(&pk_static, cpu));
		map_line(cpu, ph, "alloc_percpu", per_cpu_ptr(pk_ap, cpu));
		touch_kernel_static(cpu, ph);
		touch_alloc_percpu(cpu, ph);
		if (pk_vm_live[cpu]) {
			struct vunit *u = pk_vm_unit(cpu);
			unsigned long i, bad = 0;

			place_line(cpu, ph, "vm_area", u, UNIT_SIZE, want, NULL);
			map_line(cpu, ph, "vm_area", u);
			for (i = TMPL_FIRST; i < UNIT_SIZE / sizeof(u64); i++)
				bad += u->words[i - TMPL_FIRST] != pk_tmpl[i];
			pk_out("T,%u,%s,%lu\n", cpu, ph, bad);
		} else {
			place_line(cpu, ph, "vm_area", NULL, 0, want,
				   cpu_online(cpu) ? "not-mapped" : "cpu-offline");
		}
		if (h) {
			place_line(cpu, ph, "hybrid", h, sizeof(*h), want, NULL);
			map_line(cpu, ph, "hybrid", h);
		} else
			place_line(cpu, ph, "hybrid", NULL, 0, want, "cpu-offline");
	}
	cpus_read_unlock();
	return 0;
}
