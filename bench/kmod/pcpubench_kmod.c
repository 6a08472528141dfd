// SPDX-License-Identifier: GPL-2.0
/*
 * pcpubench_kmod.c - the kernel's own per-CPU paths, measured in kernel
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
 * (read its rows). Commands: "info", "access iters=N tries=T reps=R",
 * "numa", "churn_start [fold=0]" (fold=0: units are freed without their
 * counters folded, to show that churn's check catches the loss),
 * "churn_stop". Output lines are comma separated,
 * first field the record type (I info, C calibration, A access, P
 * placement, M mapping page size, G pages N variables touch, H churn,
 * E error); bench/cmd-kernel.c turns them into the
 * tidy rows of the other benchmarks.
 */
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
#define OUT_SIZE (4UL << 20)
#define MAX_ITERS (1UL << 22)

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

static DEFINE_PER_CPU_ALIGNED(struct kslot, ks_static);
static struct kslot __percpu *k_ap;	/* k-alloc-percpu */
static struct kslot __percpu *k_hyb_ap;	/* k-hybrid, CPUs online at load */
static u64 __percpu *k_ap_var;		/* &k_ap->var */
static struct kslot **hyb_tab;		/* k-hybrid: the module's table */
static unsigned long vm_base;		/* k-vm-area */

static u64 *tmpl;			/* UNIT_SIZE bytes */
static struct page *placeholder;
static pte_t **vm_ptes;			/* nr_cpu_ids * UNIT_PAGES */
static struct page **vm_pages;		/* idem: pages mapped, or NULL */
static bool *vm_live;			/* unit mapped and published */
static bool *hyb_late;			/* hybrid slot lives in the VM unit */

/* Per CPU since load. */
static bool *present_at_load, *boot_cpu;
static unsigned int *onlines;		/* online callbacks after load */
static bool setup_done;
static int hp_state = -1;

/* Counters folded from units on offline; template checks. */
static u64 folded_vm, folded_hyb;
static u64 tmpl_ok, tmpl_bad, nr_online_cb, nr_offline_cb, cb_off_cpu;
static u64 map_fail;
/* Off only to test the test: churn's lost_updates must then be > 0. */
static bool fold_on_offline = true;

static DEFINE_MUTEX(k_lock);		/* ctl/out, the workers */
static char *outbuf;
static size_t outlen;
static bool outover;
static struct dentry *k_dir;

/* The opaque zero of the latency and path chains. */
static u64 k_zero;

/* N separate alloc_percpu objects: where a module's counters land. */
#define NVARS 64
static u64 __percpu *k_vars[NVARS];

static __printf(1, 2) void kout(const char *fmt, ...)
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

/* ---- the VM area ---------------------------------------------------- */

static void flush_all_fn(void *unused)
{
	__flush_tlb_all();
}

static void vm_flush_all(void)
{
	on_each_cpu(flush_all_fn, NULL, 1);
}

static inline struct vunit *vm_unit(unsigned int cpu)
{
	return (struct vunit *)(vm_base + ((unsigned long)cpu << UNIT_SHIFT));
}

static int vm_reserve(void)
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
	vm_base = (unsigned long)vmap(pages, n, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!vm_base)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		pte_t *p = lookup_address(vm_base + i * PAGE_SIZE, &level);

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

static void vm_release(void)
{
	if (vm_base)
		vunmap((void *)vm_base);
	vm_base = 0;
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
	memcpy(vm_unit(cpu), tmpl, UNIT_SIZE);
	if (memcmp(vm_unit(cpu), tmpl, UNIT_SIZE))
		tmpl_bad++;
	else
		tmpl_ok++;
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

static int k_online(unsigned int cpu)
{
	struct vunit *u;
	int r;

	if (raw_smp_processor_id() != cpu)
		cb_off_cpu++;
	r = vm_map_unit(cpu);
	if (r) {
		map_fail++;
		pr_warn("pcpubench: cpu%u: cannot map its unit (%d)\n", cpu, r);
		return r;
	}
	u = vm_unit(cpu);
	if (setup_done) {
		onlines[cpu]++;
		if (!boot_cpu[cpu]) {
			hyb_late[cpu] = true;
			smp_store_release(&hyb_tab[cpu], &u->hyb);
		}
	}
	smp_store_release(&vm_live[cpu], true);
	nr_online_cb++;
	return 0;
}

static int k_offline(unsigned int cpu)
{
	struct vunit *u = vm_unit(cpu);

	if (raw_smp_processor_id() != cpu)
		cb_off_cpu++;
	if (!READ_ONCE(vm_live[cpu]))
		return 0;
	/* Unpublish, wait for every preempt-disabled user, fold, free. */
	WRITE_ONCE(vm_live[cpu], false);
	if (hyb_late[cpu])
		WRITE_ONCE(hyb_tab[cpu], NULL);
	synchronize_rcu();
	if (READ_ONCE(fold_on_offline)) {
		folded_vm += u->vm.cnt;
		if (hyb_late[cpu])
			folded_hyb += u->hyb.cnt;
	}
	hyb_late[cpu] = false;
	vm_unmap_unit(cpu);
	nr_offline_cb++;
	return 0;
}

/* ---- the access loops ------------------------------------------------ */

#define CPU_ID(dp) this_cpu_read(*(int __percpu *)((unsigned long)&cpu_number + (dp)))

/* Address of this CPU's variable; @dp feeds the first load of the path. */
#define SEG_ADDR(dp) ((u64 __percpu *)((unsigned long)&ks_static.var + (dp)))
#define OFF_ADDR(dp) per_cpu_ptr(&ks_static.var, CPU_ID(dp))
#define APS_ADDR(dp) ((u64 __percpu *)READ_ONCE(*(u64 __percpu **)      \
				((unsigned long)&k_ap_var + (dp))))
#define APT_ADDR(dp) per_cpu_ptr(READ_ONCE(k_ap_var), CPU_ID(dp))
#define VM_ADDR(dp) ((u64 *)(READ_ONCE(vm_base) +                           \
			     ((unsigned long)CPU_ID(dp) << UNIT_SHIFT)))
#define HYB_ADDR(dp) ((u64 *)READ_ONCE(READ_ONCE(hyb_tab)[CPU_ID(dp)]))

/* Accessors: through %gs (seg) or a plain pointer (ptr). */
#define SEG_LD(a) this_cpu_read(*(a))
#define SEG_ST(a, v) this_cpu_write(*(a), (v))
#define SEG_INC(a) this_cpu_inc(*(a))
#define SEG_XADD(a) this_cpu_add_return(*(a), 1)
#define PTR_LD(a) READ_ONCE(*(a))
#define PTR_ST(a, v) WRITE_ONCE(*(a), (v))
#define PTR_INC(a) asm volatile("incq %0" : "+m"(*(a)))
#define PTR_XADD(a) ({ u64 v_ = 1;                                          \
	asm volatile("xaddq %0, %1" : "+r"(v_), "+m"(*(a))); v_ + 1; })

struct krun {
	u64 sink;
};

typedef void (*kloop_fn)(struct krun *r, u64 z, unsigned long n);

#define X8(s) s s s s s s s s
#define X4(s) s s s s

/* Throughput: eight independent accesses per step. */
#define GEN_TPUT(name, ADDR, LD, ST, INC)                                     \
static noinline void name##_read_tput(struct krun *r, u64 z, unsigned long n) \
{                                                                             \
	u64 s0 = 0, s1 = 0;                                                   \
	for (; n; n -= 8) {                                                   \
		X4(s0 += LD(ADDR(0)); s1 += LD(ADDR(0));)                     \
	}                                                                     \
	r->sink += s0 + s1;                                                   \
}                                                                             \
static noinline void name##_write_tput(struct krun *r, u64 z, unsigned long n)\
{                                                                             \
	for (; n; n -= 8) {                                                   \
		X8(ST(ADDR(0), z);)                                           \
	}                                                                     \
}                                                                             \
static noinline void name##_inc_tput(struct krun *r, u64 z, unsigned long n)  \
{                                                                             \
	for (; n; n -= 8) {                                                   \
		X8(INC(ADDR(0));)                                             \
	}                                                                     \
}

/*
 * The chained modes differ only in where the previous value x enters
 * (HOW): latency adds it to the final address (the data chain), path feeds
 * it through the opaque zero into the first load of the path.
 */
#define LAT_AT(ADDR, x) (ADDR(0) + (x))
#define PATH_AT(ADDR, x) ADDR((x) & z)
#define GEN_CHAIN(name, mode, ADDR, HOW, LD, ST, XADD)                        \
static noinline void name##_read_##mode(struct krun *r, u64 z, unsigned long n)\
{                                                                             \
	u64 x = 0;                                                            \
	for (; n; n -= 4) {                                                   \
		X4(x = LD(HOW(ADDR, x));)                                     \
	}                                                                     \
	r->sink += x;                                                         \
}                                                                             \
static noinline void name##_write_##mode(struct krun *r, u64 z, unsigned long n)\
{                                                                             \
	u64 x = 0;                                                            \
	for (; n; n -= 4) {                                                   \
		X4({ typeof(HOW(ADDR, 0)) a_ = HOW(ADDR, x);                  \
		     ST(a_, x); x = LD(a_); })                                \
	}                                                                     \
	r->sink += x;                                                         \
}                                                                             \
static noinline void name##_inc_##mode(struct krun *r, u64 z, unsigned long n)\
{                                                                             \
	u64 x = 0;                                                            \
	for (; n; n -= 4) {                                                   \
		X4(x = XADD(HOW(ADDR, x)) & z;)                               \
	}                                                                     \
	r->sink += x;                                                         \
}

#define GEN_KIND(name, ADDR, LD, ST, INC, XADD)                               \
	GEN_TPUT(name, ADDR, LD, ST, INC)                                     \
	GEN_CHAIN(name, lat, ADDR, LAT_AT, LD, ST, XADD)                      \
	GEN_CHAIN(name, path, ADDR, PATH_AT, LD, ST, XADD)

GEN_KIND(seg, SEG_ADDR, SEG_LD, SEG_ST, SEG_INC, SEG_XADD)
GEN_KIND(off, OFF_ADDR, PTR_LD, PTR_ST, PTR_INC, PTR_XADD)
GEN_KIND(aps, APS_ADDR, SEG_LD, SEG_ST, SEG_INC, SEG_XADD)
GEN_KIND(apt, APT_ADDR, PTR_LD, PTR_ST, PTR_INC, PTR_XADD)
GEN_KIND(vm, VM_ADDR, PTR_LD, PTR_ST, PTR_INC, PTR_XADD)
GEN_KIND(hyb, HYB_ADDR, PTR_LD, PTR_ST, PTR_INC, PTR_XADD)

enum { M_TPUT, M_LAT, M_PATH, NR_MODES };
enum { O_READ, O_WRITE, O_INC, NR_OPS };
static const char *const mode_name[NR_MODES] = { "throughput", "latency", "path" };
static const char *const op_name[NR_OPS] = { "read", "write", "inc" };

#define KIND_FNS(n) { { n##_read_tput, n##_write_tput, n##_inc_tput },      \
		      { n##_read_lat, n##_write_lat, n##_inc_lat },         \
		      { n##_read_path, n##_write_path, n##_inc_path } }

static const struct kkind {
	const char *strategy, *access, *layout, *memory;
	kloop_fn fn[NR_MODES][NR_OPS];
} kinds[] = {
	{ "k-segment", "segment", "embed", "static", KIND_FNS(seg) },
	{ "k-offset-array", "table", "embed", "static", KIND_FNS(off) },
	{ "k-alloc-percpu", "segment", "embed", "alloc_percpu", KIND_FNS(aps) },
	{ "k-alloc-percpu", "table", "embed", "alloc_percpu", KIND_FNS(apt) },
	{ "k-vm-area", "shift", "vm", "vm_area", KIND_FNS(vm) },
	{ "k-hybrid", "table", "hybrid", "hybrid", KIND_FNS(hyb) },
};

/* Zero this CPU's variables (the latency chains need 0). */
static void reset_vars(unsigned int cpu)
{
	this_cpu_write(ks_static.var, 0);
	this_cpu_write(k_ap->var, 0);
	if (vm_live[cpu])
		vm_unit(cpu)->vm.var = 0;
	if (hyb_tab[cpu])
		hyb_tab[cpu]->var = 0;
}

static noinline u64 imul_chain(unsigned long n)
{
	u64 x = 1, m = 3;

	asm volatile("1:\n\t"
		     "imul %1, %0\n\timul %1, %0\n\timul %1, %0\n\timul %1, %0\n\t"
		     "dec %2\n\tjnz 1b"
		     : "+r"(x), "+r"(m), "+r"(n) : : "cc");
	return x;
}

struct access_arg {
	unsigned int cpu, rep, tries;
	unsigned long iters;
	int err;
};

/* Best of @tries of one batch of @n, in TSC ticks. */
static u64 time_batch(kloop_fn fn, unsigned int cpu, unsigned long n,
		      unsigned int tries)
{
	u64 best = U64_MAX, t0, t1, z;
	struct krun r = { 0 };
	unsigned long flags;
	unsigned int t;

	for (t = 0; t < tries; t++) {
		preempt_disable();
		local_irq_save(flags);
		reset_vars(cpu);
		z = READ_ONCE(k_zero);
		t0 = rdtsc_ordered();
		fn(&r, z, n);
		t1 = rdtsc_ordered();
		local_irq_restore(flags);
		preempt_enable();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

static u64 time_imul(unsigned long n, unsigned int tries)
{
	u64 best = U64_MAX, t0, t1;
	unsigned long flags;
	unsigned int t;

	for (t = 0; t < tries; t++) {
		preempt_disable();
		local_irq_save(flags);
		t0 = rdtsc_ordered();
		imul_chain(n);
		t1 = rdtsc_ordered();
		local_irq_restore(flags);
		preempt_enable();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

/*
 * Best of @tries of one batch of @n in PMU core cycles, or -1. The counter
 * is read (perf_event_read_value() may sleep) just outside the section
 * with preemption and interrupts off; the N / 2N difference cancels that.
 */
static s64 pmu_batch(struct perf_event *ev, kloop_fn fn, unsigned int cpu,
		     unsigned long n, unsigned int tries)
{
	u64 best = U64_MAX, c0, c1, en, run, z;
	struct krun r = { 0 };
	unsigned long flags;
	unsigned int t;

	if (!ev)
		return -1;
	for (t = 0; t < tries; t++) {
		c0 = perf_event_read_value(ev, &en, &run);
		preempt_disable();
		local_irq_save(flags);
		reset_vars(cpu);
		z = READ_ONCE(k_zero);
		fn(&r, z, n);
		local_irq_restore(flags);
		preempt_enable();
		c1 = perf_event_read_value(ev, &en, &run);
		if (c1 - c0 < best)
			best = c1 - c0;
	}
	return best == U64_MAX ? -1 : (s64)best;
}

static long access_on_cpu(void *p)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.size = sizeof(attr),
		.pinned = 1,
	};
	struct access_arg *a = p;
	unsigned long n = a->iters;
	struct perf_event *ev;
	unsigned int k, m, o;
	u64 c1, c2;

	if (raw_smp_processor_id() != a->cpu) {
		a->err = -EAGAIN;
		return 0;
	}
	/* The PMU cycles counter of this CPU, where there is one. */
	ev = perf_event_create_kernel_counter(&attr, a->cpu, NULL, NULL, NULL);
	if (IS_ERR(ev)) {
		kout("I,pmu,%u,%ld\n", a->cpu, PTR_ERR(ev));
		ev = NULL;
	} else {
		kout("I,pmu,%u,0\n", a->cpu);
	}
	/* Calibration: 4 imuls (12 cycles) per chain step. */
	c1 = time_imul(n, a->tries);
	c2 = time_imul(2 * n, a->tries);
	kout("C,%u,%u,%lu,%llu,%llu\n", a->cpu, a->rep, 12 * n, c1, c2);
	/* Every online CPU has its unit and hybrid slot; never assume it. */
	if (!vm_live[a->cpu] || !hyb_tab[a->cpu]) {
		kout("E,cpu%u,no-unit\n", a->cpu);
		if (ev)
			perf_event_release_kernel(ev);
		return 0;
	}
	for (k = 0; k < ARRAY_SIZE(kinds); k++)
		for (m = 0; m < NR_MODES; m++)
			for (o = 0; o < NR_OPS; o++) {
				kloop_fn fn = kinds[k].fn[m][o];
				u64 t1 = time_batch(fn, a->cpu, n, a->tries);
				u64 t2 = time_batch(fn, a->cpu, 2 * n, a->tries);
				s64 p1 = pmu_batch(ev, fn, a->cpu, n, a->tries);
				s64 p2 = pmu_batch(ev, fn, a->cpu, 2 * n, a->tries);

				kout("A,%s,%s,%s,%u,%s,%s,%u,%lu,%llu,%llu,%lld,%lld\n",
				     kinds[k].strategy, kinds[k].access,
				     kinds[k].layout, a->cpu, mode_name[m],
				     op_name[o], a->rep, n, t1, t2, p1, p2);
			}
	if (ev)
		perf_event_release_kernel(ev);
	return 0;
}

static int kmod_cmd_access(unsigned long iters, unsigned int tries,
			   unsigned int reps)
{
	struct access_arg a = { .tries = tries };
	unsigned int cpu, rep;

	iters = clamp(round_up(iters, 8), 8UL, MAX_ITERS);
	a.iters = iters;
	a.tries = clamp(tries, 1U, 100U);
	reps = clamp(reps, 1U, 1000U);
	cpus_read_lock();
	for (rep = 0; rep < reps && !outover; rep++)
		for_each_online_cpu(cpu) {
			a.cpu = cpu;
			a.rep = rep;
			a.err = 0;
			work_on_cpu(cpu, access_on_cpu, &a);
			if (a.err)
				kout("E,cpu%u,not-on-cpu\n", cpu);
		}
	cpus_read_unlock();
	return 0;
}

/* ---- placement ------------------------------------------------------- */

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
		kout("P,%u,%s,%d,%s,-1,0,0,%s\n", cpu, phase, want, mem, na);
		return;
	}
	a = (unsigned long)p & PAGE_MASK;
	end = (unsigned long)p + len;
	for (; a < end; a += PAGE_SIZE) {
		struct page *pg = addr_page((void *)a);
		int nid;

		if (!pg) {
			kout("P,%u,%s,%d,%s,-1,0,0,no-page\n", cpu, phase, want, mem);
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
	kout("P,%u,%s,%d,%s,%d,%d,%d,ok\n", cpu, phase, want, mem, first,
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
		kout("M,%u,%s,%s,%lu,%d\n", cpu, phase, mem, b,
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
			kout("G,%u,%s,%s,%u,-1,-1\n", cpu, phase, mem, n);
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
	kout("G,%u,%s,%s,%u,%u,%u\n", cpu, phase, mem, n, npg, nmp);
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
		(unsigned long)per_cpu_ptr(&ks_static, cpu),
	};

	touch_line(cpu, phase, "kernel_static", a, ARRAY_SIZE(a));
}

static void touch_alloc_percpu(unsigned int cpu, const char *phase)
{
	unsigned long a[NVARS];
	unsigned int i;

	for (i = 0; i < NVARS; i++)
		a[i] = (unsigned long)per_cpu_ptr(k_vars[i], cpu);
	touch_line(cpu, phase, "alloc_percpu", a, NVARS);
}

static const char *cpu_phase(unsigned int cpu)
{
	if (!cpu_online(cpu))
		return "offline";
	if (!present_at_load[cpu])
		return "hotadded";
	if (boot_cpu[cpu] && !onlines[cpu])
		return "boot";
	return "late";
}

static int kmod_cmd_numa(void)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		const char *ph = cpu_phase(cpu);
		int want = cpu_to_node(cpu);
		struct kslot *h = READ_ONCE(hyb_tab[cpu]);

		kout("Q,%u,%s,%d,%d,%d,%u\n", cpu, ph, want,
		     cpu_present(cpu) ? 1 : 0, cpu_online(cpu) ? 1 : 0,
		     onlines[cpu]);
		place_line(cpu, ph, "static", per_cpu_ptr(&ks_static, cpu),
			   sizeof(struct kslot), want, NULL);
		place_line(cpu, ph, "alloc_percpu", per_cpu_ptr(k_ap, cpu),
			   sizeof(struct kslot), want, NULL);
		map_line(cpu, ph, "static", per_cpu_ptr(&ks_static, cpu));
		map_line(cpu, ph, "alloc_percpu", per_cpu_ptr(k_ap, cpu));
		touch_kernel_static(cpu, ph);
		touch_alloc_percpu(cpu, ph);
		if (vm_live[cpu]) {
			struct vunit *u = vm_unit(cpu);
			unsigned long i, bad = 0;

			place_line(cpu, ph, "vm_area", u, UNIT_SIZE, want, NULL);
			map_line(cpu, ph, "vm_area", u);
			for (i = TMPL_FIRST; i < UNIT_SIZE / sizeof(u64); i++)
				bad += u->words[i - TMPL_FIRST] != tmpl[i];
			kout("T,%u,%s,%lu\n", cpu, ph, bad);
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

/* ---- churn workers --------------------------------------------------- */

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
			this_cpu_inc(ks_static.cnt);
			w->done[C_STATIC]++;
			this_cpu_inc(k_ap->cnt);
			w->done[C_AP]++;
			if (smp_load_acquire(&vm_live[cpu])) {
				vm_unit(cpu)->vm.cnt++;
				w->done[C_VM]++;
			} else {
				w->skipped[C_VM]++;
			}
			h = smp_load_acquire(&hyb_tab[cpu]);
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
		per_cpu_ptr(&ks_static, cpu)->cnt = 0;
		per_cpu_ptr(k_ap, cpu)->cnt = 0;
		per_cpu_ptr(k_hyb_ap, cpu)->cnt = 0;
		if (vm_live[cpu]) {
			vm_unit(cpu)->vm.cnt = 0;
			vm_unit(cpu)->hyb.cnt = 0;
		}
	}
	folded_vm = folded_hyb = 0;
}

static u64 stat0_ok, stat0_bad, stat0_on, stat0_off;

static int kmod_cmd_churn_start(bool fold)
{
	unsigned int i, cpu;

	if (workers)
		return -EBUSY;
	WRITE_ONCE(fold_on_offline, fold);
	cpus_read_lock();
	nworkers = num_online_cpus();
	workers = kcalloc(nworkers, sizeof(*workers), GFP_KERNEL);
	if (!workers) {
		cpus_read_unlock();
		return -ENOMEM;
	}
	counters_zero();
	stat0_ok = tmpl_ok;
	stat0_bad = tmpl_bad;
	stat0_on = nr_online_cb;
	stat0_off = nr_offline_cb;
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
	kout("I,workers,%u\n", nworkers);
	return 0;
}

static int kmod_cmd_churn_stop(void)
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
		seen[C_STATIC] += per_cpu_ptr(&ks_static, cpu)->cnt;
		seen[C_AP] += per_cpu_ptr(k_ap, cpu)->cnt;
		if (boot_cpu[cpu])
			seen[C_HYB] += per_cpu_ptr(k_hyb_ap, cpu)->cnt;
		if (vm_live[cpu]) {
			seen[C_VM] += vm_unit(cpu)->vm.cnt;
			if (hyb_late[cpu])
				seen[C_HYB] += vm_unit(cpu)->hyb.cnt;
		}
	}
	kout("H,vm_area,folded,%llu\n", folded_vm);
	kout("H,hybrid,folded,%llu\n", folded_hyb);
	seen[C_VM] += folded_vm;
	seen[C_HYB] += folded_hyb;
	cpus_read_unlock();
	for (c = 0; c < NR_C; c++) {
		kout("H,%s,updates,%llu\n", c_name[c], done[c]);
		kout("H,%s,counted,%llu\n", c_name[c], seen[c]);
		kout("H,%s,lost,%lld\n", c_name[c], (s64)(done[c] - seen[c]));
		kout("H,%s,skipped,%llu\n", c_name[c], skipped[c]);
	}
	kout("H,-,workers,%u\n", nworkers);
	kout("H,-,onlines,%llu\n", nr_online_cb - stat0_on);
	kout("H,-,offlines,%llu\n", nr_offline_cb - stat0_off);
	kout("H,-,template_ok,%llu\n", tmpl_ok - stat0_ok);
	kout("H,-,template_bad,%llu\n", tmpl_bad - stat0_bad);
	kout("H,-,fold,%d\n", READ_ONCE(fold_on_offline) ? 1 : 0);
	WRITE_ONCE(fold_on_offline, true);
	kfree(workers);
	workers = NULL;
	nworkers = 0;
	return 0;
}

/* ---- info and debugfs ------------------------------------------------ */

static void kmod_cmd_info(void)
{
	unsigned int eax = 0, sig[3] = { 0 };
	char s[13];

	if (boot_cpu_has(X86_FEATURE_HYPERVISOR))
		cpuid(0x40000000, &eax, &sig[0], &sig[1], &sig[2]);
	memcpy(s, sig, 12);
	s[12] = 0;
	kout("I,hypervisor,%s\n", s[0] ? s : "none");
	kout("I,tsc_khz,%u\n", tsc_khz);
	kout("I,unit_size,%lu\n", UNIT_SIZE);
	kout("I,vm_base,%d\n", vm_base ? 1 : 0);
	kout("I,nr_cpu_ids,%u\n", nr_cpu_ids);
	kout("I,online_callbacks,%llu\n", nr_online_cb);
	kout("I,offline_callbacks,%llu\n", nr_offline_cb);
	kout("I,callbacks_off_cpu,%llu\n", cb_off_cpu);
	kout("I,map_failures,%llu\n", map_fail);
	kout("I,template_ok,%llu\n", tmpl_ok);
	kout("I,template_bad,%llu\n", tmpl_bad);
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
		kmod_cmd_info();
	else if (!strncmp(cmd, "access", 6))
		r = kmod_cmd_access(arg_ul(cmd, "iters=", 4096),
				    arg_ul(cmd, "tries=", 3), arg_ul(cmd, "reps=", 3));
	else if (!strncmp(cmd, "numa", 4))
		r = kmod_cmd_numa();
	else if (!strncmp(cmd, "churn_start", 11))
		r = kmod_cmd_churn_start(arg_ul(cmd, "fold=", 1) != 0);
	else if (!strncmp(cmd, "churn_stop", 10))
		r = kmod_cmd_churn_stop();
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
		free_percpu(k_vars[i]);
	vm_release();
	free_percpu(k_ap);
	free_percpu(k_hyb_ap);
	kfree(hyb_tab);
	kfree(vm_live);
	kfree(hyb_late);
	kfree(present_at_load);
	kfree(boot_cpu);
	kfree(onlines);
	vfree(tmpl);
	vfree(outbuf);
}

static int __init k_init(void)
{
	unsigned long i;
	unsigned int cpu;
	int r;

	k_ap = alloc_percpu(struct kslot);
	k_hyb_ap = alloc_percpu(struct kslot);
	hyb_tab = kcalloc(nr_cpu_ids, sizeof(*hyb_tab), GFP_KERNEL);
	vm_live = kcalloc(nr_cpu_ids, sizeof(*vm_live), GFP_KERNEL);
	hyb_late = kcalloc(nr_cpu_ids, sizeof(*hyb_late), GFP_KERNEL);
	present_at_load = kcalloc(nr_cpu_ids, sizeof(bool), GFP_KERNEL);
	boot_cpu = kcalloc(nr_cpu_ids, sizeof(bool), GFP_KERNEL);
	onlines = kcalloc(nr_cpu_ids, sizeof(*onlines), GFP_KERNEL);
	tmpl = vmalloc(UNIT_SIZE);
	outbuf = vmalloc(OUT_SIZE);
	r = -ENOMEM;
	if (!k_ap || !k_hyb_ap || !hyb_tab || !vm_live || !hyb_late ||
	    !present_at_load || !boot_cpu || !onlines || !tmpl || !outbuf)
		goto fail;
	for (i = 0; i < NVARS; i++) {
		k_vars[i] = alloc_percpu(u64);
		if (!k_vars[i])
			goto fail;
	}
	k_ap_var = &k_ap->var;
	/* The template: zero slots, then a pattern a fresh page never has. */
	memset(tmpl, 0, sizeof(struct vunit));
	for (i = TMPL_FIRST; i < UNIT_SIZE / sizeof(u64); i++)
		tmpl[i] = 0x9e3779b97f4a7c15ULL * (i + 1);
	r = vm_reserve();
	if (r)
		goto fail;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		present_at_load[cpu] = cpu_present(cpu);
		boot_cpu[cpu] = cpu_online(cpu);
		if (boot_cpu[cpu])
			hyb_tab[cpu] = per_cpu_ptr(k_hyb_ap, cpu);
	}
	r = cpuhp_setup_state_cpuslocked(CPUHP_AP_ONLINE_DYN, "pcpubench:online",
					 k_online, k_offline);
	if (r >= 0)
		setup_done = true;
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
	if (workers)
		kmod_cmd_churn_stop();
	mutex_unlock(&k_lock);
	cpuhp_remove_state(hp_state);	/* unmaps every unit */
	k_free();
	pr_info("pcpubench: unloaded\n");
}

module_init(k_init);
module_exit(k_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcpubench: kernel per-CPU access paths, placement and a hotplug-mapped per-CPU VM area");
