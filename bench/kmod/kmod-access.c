// SPDX-License-Identifier: GPL-2.0
/*
 * kmod-access.c - the pcpubench module's access loops and the command that
 * times them ("access iters=N tries=T reps=R"): each strategy's read, write
 * and inc in the throughput, latency and path modes, on every online CPU,
 * timed with rdtsc_ordered() (and the PMU's cycles where there is one) for
 * N and 2N operations, each point judged undisturbed or measured again
 * (kmod-quiet.h). See kmod-main.c for the whole module.
 */
#include "pcpubench_kmod.h"
#include "kmod-quiet.h"

#define MAX_ITERS (1UL << 22)

static u64 __percpu *k_ap_var;		/* &pk_ap->var */

/* The opaque zero of the latency and path chains. */
static u64 k_zero;

/* At load, once pk_ap is allocated. */
void pk_access_setup(void)
{
	k_ap_var = &pk_ap->var;
}

/* ---- the access loops ------------------------------------------------ */

#define CPU_ID(dp) this_cpu_read(*(int __percpu *)((unsigned long)&cpu_number + (dp)))

/* Address of this CPU's variable; @dp feeds the first load of the path. */
#define SEG_ADDR(dp) ((u64 __percpu *)((unsigned long)&pk_static.var + (dp)))
#define OFF_ADDR(dp) per_cpu_ptr(&pk_static.var, CPU_ID(dp))
#define APS_ADDR(dp) ((u64 __percpu *)READ_ONCE(*(u64 __percpu **)      \
				((unsigned long)&k_ap_var + (dp))))
#define APT_ADDR(dp) per_cpu_ptr(READ_ONCE(k_ap_var), CPU_ID(dp))
#define VM_ADDR(dp) ((u64 *)(READ_ONCE(pk_vm_base) +                           \
			     ((unsigned long)CPU_ID(dp) << UNIT_SHIFT)))
#define HYB_ADDR(dp) ((u64 *)READ_ONCE(READ_ONCE(pk_hyb_tab)[CPU_ID(dp)]))

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
	this_cpu_write(pk_static.var, 0);
	this_cpu_write(pk_ap->var, 0);
	if (pk_vm_live[cpu])
		pk_vm_unit(cpu)->vm.var = 0;
	if (pk_hyb_tab[cpu])
		pk_hyb_tab[cpu]->var = 0;
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

/* ---- the quiet check (kmod-quiet.h) ------------------------------------ */

#define KQ_ENUM(e, s) KQ_##e,
#define KQ_NAME(e, s) s,
enum kq_why { KQ_WHYS(KQ_ENUM) };
static const char *const kq_name[] = { KQ_WHYS(KQ_NAME) };

/* The command's rules (set by pk_cmd_access) and its counts. */
static struct {
	unsigned long redo, budget_pct, budget_min, sat_min, sat_pct, force;
	unsigned long batches, disturbed, retries, flagged;
} kq;

/* The best and the second best of a batch's runs (U64_MAX: none). */
struct kbest {
	u64 best, second;
};

static void kb_add(struct kbest *b, u64 v)
{
	if (v < b->best) {
		b->second = b->best;
		b->best = v;
	} else if (v < b->second) {
		b->second = v;
	}
}

/* Steal time the kernel has accounted to @cpu (ns). */
static u64 kq_steal(unsigned int cpu)
{
	return READ_ONCE(kcpustat_cpu(cpu).cpustat[CPUTIME_STEAL]);
}

/*
 * T(2N) = @b against T(N) = @a, each less the empty section @c (the cost
 * of the clock reads, large where the hypervisor traps RDTSC): inside the
 * band, give or take the slack.
 */
static bool kq_in_band(u64 a, u64 b, u64 c)
{
	u64 s = 100ULL * KQ_SLACK_TICKS;

	a = a > c ? a - c : 0;
	b = b > c ? b - c : 0;
	return 100 * b + s >= KQ_BAND_LO_PCT * a && 100 * b <= KQ_BAND_HI_PCT * a + s;
}

static bool kq_agree(const struct kbest *b)
{
	if (b->second == U64_MAX)
		return true;	/* one run: nothing to compare */
	return b->second - b->best <= max_t(u64, b->best * KQ_AGREE_PCT / 100,
					    KQ_SLACK_TICKS);
}

/* A disturbed point may be measured again (counted when it may). */
static bool kq_may_retry(unsigned int attempts)
{
	if (attempts > kq.redo)
		return false;
	if (kq.retries * 100 >= kq.budget_pct * kq.batches + 100 * kq.budget_min)
		return false;
	/* Most attempts so far disturbed: the CPU is taken, do not wait on it. */
	if (kq.batches >= kq.sat_min && kq.disturbed * 100 > kq.sat_pct * kq.batches)
		return false;
	kq.retries++;
	return true;
}

/* One point: N and 2N batches, best of tries each, judged and retried. */
struct kpoint {
	kloop_fn fn;			/* NULL: the imul calibration */
	struct perf_event *ev;		/* PMU cycles, or NULL */
	unsigned int cpu, tries;
	unsigned long n;
	struct kbest t0, t1, t2;	/* TSC ticks: empty section, N, 2N */
	struct kbest c1, c2;		/* PMU cycles of N and 2N */
	s64 p1, p2;			/* their best, or -1 (no PMU) */
	unsigned int attempts;
	enum kq_why why;
};

static enum kq_why kq_judge(const struct kpoint *p, u64 stolen)
{
	if (kq.batches < kq.force)
		return KQ_FORCED;
	if (stolen)
		return KQ_STEAL;
	if (!kq_in_band(p->t1.best, p->t2.best, p->t0.best))
		return KQ_BAND;
	if (!kq_agree(&p->t1) || !kq_agree(&p->t2) ||
	    (p->p1 >= 0 && (!kq_agree(&p->c1) || !kq_agree(&p->c2))))
		return KQ_AGREE;
	return KQ_QUIET;
}

/* Runs of one batch of @n into @b, in TSC ticks. */
static void time_batch(kloop_fn fn, unsigned int cpu, unsigned long n,
		       unsigned int tries, struct kbest *b)
{
	u64 t0, t1, z;
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
		kb_add(b, t1 - t0);
	}
}

/* Runs of the imul chain of @n into @b; @n 0: an empty section, what the
 * clock reads cost. */
static void time_imul(unsigned long n, unsigned int tries, struct kbest *b)
{
	u64 t0, t1;
	unsigned long flags;
	unsigned int t;

	for (t = 0; t < tries; t++) {
		preempt_disable();
		local_irq_save(flags);
		t0 = rdtsc_ordered();
		if (n)
			imul_chain(n);
		t1 = rdtsc_ordered();
		local_irq_restore(flags);
		preempt_enable();
		kb_add(b, t1 - t0);
	}
}

/*
 * Runs of one batch of @n in PMU core cycles into @b; its best, or -1 (no
 * counter). The counter is read (perf_event_read_value() may sleep) just
 * outside the section with preemption and interrupts off; the N / 2N
 * difference cancels that.
 */
static s64 pmu_batch(struct perf_event *ev, kloop_fn fn, unsigned int cpu,
		     unsigned long n, unsigned int tries, struct kbest *b)
{
	u64 c0, c1, en, run, z;
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
		kb_add(b, c1 - c0);
	}
	return b->best == U64_MAX ? -1 : (s64)b->best;
}

static void kq_measure(struct kpoint *p)
{
	u64 s0;

	/* One untimed run first: no try pays for cold code alone. */
	p->t1.best = p->t1.second = U64_MAX;
	if (p->fn)
		time_batch(p->fn, p->cpu, p->n, 1, &p->t1);
	else
		time_imul(p->n, 1, &p->t1);
	for (p->attempts = 1;; p->attempts++) {
		p->t0.best = p->t0.second = U64_MAX;
		p->c2 = p->c1 = p->t2 = p->t1 = p->t0;
		s0 = kq_steal(p->cpu);
		time_imul(0, p->tries, &p->t0);
		if (p->fn) {
			time_batch(p->fn, p->cpu, p->n, p->tries, &p->t1);
			time_batch(p->fn, p->cpu, 2 * p->n, p->tries, &p->t2);
			p->p1 = pmu_batch(p->ev, p->fn, p->cpu, p->n, p->tries, &p->c1);
			p->p2 = pmu_batch(p->ev, p->fn, p->cpu, 2 * p->n, p->tries,
					  &p->c2);
		} else {
			time_imul(p->n, p->tries, &p->t1);
			time_imul(2 * p->n, p->tries, &p->t2);
			p->p1 = p->p2 = -1;
		}
		p->why = kq_judge(p, kq_steal(p->cpu) - s0);
		kq.batches++;
		if (p->why == KQ_QUIET)
			return;
		kq.disturbed++;
		if (!kq_may_retry(p->attempts))
			break;
	}
	kq.flagged++;
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
	struct kpoint pt = { .cpu = a->cpu, .tries = a->tries };
	unsigned long n = a->iters;
	struct perf_event *ev;
	unsigned int k, m, o;

	if (raw_smp_processor_id() != a->cpu) {
		a->err = -EAGAIN;
		return 0;
	}
	/* The PMU cycles counter of this CPU, where there is one. */
	ev = perf_event_create_kernel_counter(&attr, a->cpu, NULL, NULL, NULL);
	if (IS_ERR(ev)) {
		pk_out("I,pmu,%u,%ld\n", a->cpu, PTR_ERR(ev));
		ev = NULL;
	} else {
		pk_out("I,pmu,%u,0\n", a->cpu);
	}
	/* Steal accounted since boot: 0 where there is no steal clock. */
	pk_out("I,steal,%u,%llu\n", a->cpu, kq_steal(a->cpu));
	/* Calibration: 4 imuls (12 cycles) per chain step. */
	pt.n = n;
	kq_measure(&pt);
	pk_out("C,%u,%u,%lu,%llu,%llu,%u,%s\n", a->cpu, a->rep, 12 * n,
	       pt.t1.best, pt.t2.best, pt.attempts, kq_name[pt.why]);
	/* Every online CPU has its unit and hybrid slot; never assume it. */
	if (!pk_vm_live[a->cpu] || !pk_hyb_tab[a->cpu]) {
		pk_out("E,cpu%u,no-unit\n", a->cpu);
		if (ev)
			perf_event_release_kernel(ev);
		return 0;
	}
	pt.ev = ev;
	for (k = 0; k < ARRAY_SIZE(kinds); k++)
		for (m = 0; m < NR_MODES; m++)
			for (o = 0; o < NR_OPS; o++) {
				pt.fn = kinds[k].fn[m][o];
				kq_measure(&pt);
				pk_out("A,%s,%s,%s,%u,%s,%s,%u,%lu,%llu,%llu,%lld,%lld,%u,%s\n",
				       kinds[k].strategy, kinds[k].access,
				       kinds[k].layout, a->cpu, mode_name[m],
				       op_name[o], a->rep, n, pt.t1.best, pt.t2.best,
				       pt.p1, pt.p2, pt.attempts, kq_name[pt.why]);
			}
	if (ev)
		perf_event_release_kernel(ev);
	return 0;
}

int pk_cmd_access(unsigned long iters, unsigned int tries, unsigned int reps,
		  const struct pk_quiet_rules *q)
{
	struct access_arg a = { .tries = tries };
	unsigned int cpu, rep;

	memset(&kq, 0, sizeof(kq));
	kq.redo = q->redo;
	kq.budget_pct = q->budget_pct;
	kq.budget_min = q->budget_min;
	kq.sat_min = q->sat_min;
	kq.sat_pct = q->sat_pct;
	kq.force = q->force;

	iters = clamp(round_up(iters, 8), 8UL, MAX_ITERS);
	a.iters = iters;
	a.tries = clamp(tries, 1U, 100U);
	reps = clamp(reps, 1U, 1000U);
	cpus_read_lock();
	for (rep = 0; rep < reps && !pk_out_full(); rep++)
		for_each_online_cpu(cpu) {
			a.cpu = cpu;
			a.rep = rep;
			a.err = 0;
			work_on_cpu(cpu, access_on_cpu, &a);
			if (a.err)
				pk_out("E,cpu%u,not-on-cpu\n", cpu);
		}
	cpus_read_unlock();
	pk_out("S,%lu,%lu,%lu,%lu\n", kq.batches, kq.disturbed, kq.retries,
	       kq.flagged);
	return 0;
}
