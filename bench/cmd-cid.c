// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-cid.c - `pcpubench cid`: per-CPU data indexed by the rseq
 * concurrency id (mm_cid) against the same data indexed by rseq cpu_id,
 * measured on this machine, in four parts:
 *
 *   mem        units committed (first use of an id commits one) and bytes,
 *              against threads and the allowed CPU set, with the units a
 *              layout for every possible CPU would commit beside them;
 *   stability  how often a thread's id changes per second, pinned, with
 *              more threads than CPUs, under forced migration and under
 *              thread churn, and what the first increment after a change
 *              costs against a steady one;
 *   churn      no lost update: threads come and go and the allowed CPU set
 *              shrinks and grows while every thread increments the
 *              id-indexed counter in rseq critical sections;
 *   cost       one rseq-protected increment, one pinned thread.
 *
 * The access cost of the lookup itself (path, throughput, cold) is
 * `pcpubench access --cpuid cid`, beside rseq cpu_id and %gs. Where the
 * kernel has no mm_cid every cid row is NA with the reason. CPUs are never
 * taken offline here: what a process sees of an offlined CPU is a smaller
 * allowed set, which is what the churn part applies (real hotplug is the
 * guest's, whose 6.1 kernel has no mm_cid).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"
#include "cid.h"
#include "cid-cmd.h"
#include "opts.h"
#include "pcpu-cid.h"
#include "pcpu-metrics.h"
#include "pcpu-timing.h"
#include "pcpubench.h"

const char *const cid_part_names[] = {
#define CID_X(id, name) name,
	CID_PARTS(CID_X)
#undef CID_X
};

static const struct opt_spec cid_spec[] = {
	OPT_OWN('P', "part", "LIST", "mem, stability, churn, cost or all (default all)"),
	OPT_C(STRATEGY, "cid-table, cid-vm, cpu-table, cpu-vm or all (default all)"),
	OPT_OWN('t', "threads", "LIST", "mem: thread counts (default 1,2,4,8)"),
	OPT_OWN('a', "allowed", "SETS", "mem: allowed CPU sets separated by ':', each 'all'\n"
					"or a host cpulist (default: all, then the first and\n"
					"the last allowed CPU alone); rows name the cpulist"),
	OPT_CX(POSSIBLE, "N", "possible ids of the runtimes (default 1024)", OPTF_COUNT,
	       1, PCPU_NR_CPUS),
	OPT_OWN('n', "ops", "N", "mem: increments per thread at least (default 1000)"),
	OPT_OWN('m', "mem-time", "S", "mem: seconds the threads run together per point\n"
				      "(default 0.05)"),
	OPT_OWN('d', "duration", "S", "seconds per stability condition and churn run\n"
				      "(default 0.5)"),
	OPT_CX(REPEAT, NULL, "cost: repetitions (default 9)", 0, 1, 1000),
	OPT_OUTPUT_END
};

static const struct opts_cmd cid_cmd = {
	.name = "cid",
	.spec = cid_spec,
	.head =
"usage: pcpubench cid [OPTIONS]\n\n"
"Per-CPU data indexed by the rseq concurrency id (mm_cid, Linux >= 6.3)\n"
"against the same data indexed by rseq cpu_id. Strategies (pcpubench\n"
"list): cid-table (a table of unit bases indexed by mm_cid) and cid-vm\n"
"(base + (mm_cid << shift) over a VM area), units committed on first use\n"
"of an id; cpu-table and cpu-vm, the controls, index the same by cpu_id.\n"
"Every update is one rseq critical section (the id is stable only inside\n"
"one). Parts:\n"
"  mem        units committed and bytes against threads (--threads) and\n"
"             the allowed CPU set (--allowed), beside the units a layout\n"
"             for every possible CPU commits (--possible)\n"
"  stability  id changes per second per thread: pinned, oversub (two\n"
"             threads per CPU), migrate (re-pinned every 2 ms), churn\n"
"             (short threads come and go beside); the threads increment\n"
"             a cid-table counter, and the TSC ticks of the first\n"
"             increment after an id change (the unit moved) stand beside\n"
"             those of a steady one\n"
"  churn      lost updates (must be 0) while threads come and go and the\n"
"             allowed set shrinks and grows (no CPU is taken offline)\n"
"  cost       ns per rseq-protected increment, one pinned thread\n"
"The lookup's own cost: pcpubench access --cpuid cid. Without mm_cid\n"
"every row is NA with the reason (exit 0).\n\n",
	.tail =
"\n"
"Exit: 0 ok (NA rows included), 1 a lost update or a failure, 2 usage,\n"
"3 output not written.\n",
};

/* ---- small helpers ---------------------------------------------------- */

double cid_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cid_sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

static void set_fill(struct cid_set *s)
{
	int c;

	s->n = 0;
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &s->set))
			s->cpus[s->n++] = c;
}

static void set_one(struct cid_set *s, int cpu)
{
	CPU_ZERO(&s->set);
	CPU_SET(cpu, &s->set);
	snprintf(s->label, sizeof(s->label), "%d", cpu);
	set_fill(s);
}

/* "all" or a cpulist, inside the process's allowed set. */
static int set_parse(struct cid_set *s, const char *str, const cpu_set_t *all)
{
	struct pcpu_cpuset cs;
	int c;

	snprintf(s->label, sizeof(s->label), "%s", str);
	if (!strcmp(str, "all")) {
		unsigned i;

		/* the label is the cpulist itself: rows say which CPUs */
		s->set = *all;
		set_fill(s);
		memset(&cs, 0, sizeof(cs));
		for (i = 0; i < s->n; i++)
			pcpu_cpuset_set(&cs, (unsigned)s->cpus[i]);
		if (pcpu_cpuset_format(&cs, s->label, sizeof(s->label)))
			snprintf(s->label, sizeof(s->label), "all");
		return 0;
	}
	if (pcpu_cpuset_parse(&cs, str))
		return -EINVAL;
	CPU_ZERO(&s->set);
	pcpu_for_each_cpu(c, &cs) {
		if (c >= CPU_SETSIZE || !CPU_ISSET(c, all))
			return -ERANGE;
		CPU_SET(c, &s->set);
	}
	set_fill(s);
	return s->n ? 0 : -EINVAL;
}

/* ---- threads that increment ------------------------------------------- */

struct inc_ctx {
	struct pcpu_cid_rt *c;
	pcpu_off_t off;
	unsigned long ops;	/* at least this many */
	_Atomic int *stop;	/* then until set (NULL: ops only) */
	pthread_barrier_t *bar;
	const cpu_set_t *set;	/* NULL: inherit */
	/* out */
	uint64_t done, aborts, first;
	int err;
};

static void *inc_thread(void *arg)
{
	struct inc_ctx *x = arg;
	unsigned long i;

	if (x->set)
		pthread_setaffinity_np(pthread_self(), sizeof(*x->set), x->set);
	x->err = pcpu_cid_thread_init();
	if (x->bar)
		pthread_barrier_wait(x->bar);
	for (i = 0; !x->err && (i < x->ops || (x->stop && !atomic_load_explicit(x->stop, memory_order_relaxed))); i++) {
		x->err = pcpu_cid_inc(x->c, x->off, &x->aborts, &x->first);
		if (!x->err)
			x->done++;
	}
	pcpu_cid_thread_exit();
	return NULL;
}

/* ---- output ---------------------------------------------------------- */

static const char *const params[NR_P] = { "part", "strategy", "index",
	"threads", "allowed", "possible", "condition" };

void cid_key_set(struct row_key *k, enum cid_part p,
		    enum pcpu_cid_strategy_id s, unsigned threads,
		    const char *allowed, unsigned possible, const char *cond)
{
	k->pv[P_PART] = cid_part_names[p];
	k->pv[P_STRAT] = s < PCPU_NR_CID_STRATEGIES ? pcpu_cid_strategy_name(s) : "-";
	k->pv[P_INDEX] = s < PCPU_NR_CID_STRATEGIES ?
		pcpu_cid_index_name(pcpu_cid_strategy_index(s)) : "-";
	snprintf(k->threads, sizeof(k->threads), "%u", threads);
	k->pv[P_THREADS] = k->threads;
	k->pv[P_ALLOWED] = allowed;
	snprintf(k->possible, sizeof(k->possible), "%u", possible);
	k->pv[P_POSSIBLE] = k->possible;
	k->pv[P_COND] = cond;
}

int cid_row(struct pout *o, const struct row_key *k, int rep,
	       const char *metric, double v, const char *status)
{
	const struct pcpu_metric *m = pcpu_metric_find("cid", metric);

	return pout_row(o, k->pv, rep, metric, v, m ? m->unit : "?", status);
}

/* The NA rows of a part whose runtime cannot run here. */
void cid_na_rows(struct pout *o, const struct row_key *k,
		    const char *const *metrics, const char *status)
{
	for (; *metrics; metrics++)
		cid_row(o, k, 0, *metrics, NAN, status);
}

/*
 * A runtime for @s with one counter; where it cannot be had, the NA rows
 * of @metrics under @k instead. Return: 0 (*c set); 1 NA rows written;
 * -errno (not the absence of mm_cid).
 */
static int rt_open(struct pout *o, struct row_key *k,
		   const char *const *metrics, const struct cid_opts *op,
		   enum pcpu_cid_strategy_id s, struct pcpu_cid_rt **c,
		   pcpu_off_t *off)
{
	char err[256] = "", na[320];
	int r = pcpu_cid_rt_init(c, s, op->possible, err, sizeof(err));

	if (r) {
		snprintf(k->possible, sizeof(k->possible), "%s", op->possible);
		cid_na_rows(o, k, metrics, bc_na_status(na, sizeof(na),
			r == -ENOTSUP ? "no-mm-cid" : "init",
			err[0] ? err : strerror(-r)));
		return r == -ENOTSUP ? 1 : r;
	}
	snprintf(k->possible, sizeof(k->possible), "%u",
		 pcpu_cpuset_count(pcpu_rt_possible(pcpu_cid_rt_rt(*c))));
	r = pcpu_alloc(pcpu_cid_rt_rt(*c), 8, 8, NULL, true, off);
	if (r)
		pcpu_cid_rt_fini(*c);
	return r;
}

/* ---- mem -------------------------------------------------------------- */

static const char *const mem_metrics[] = { "units_committed",
	"committed_bytes", "reserved_bytes", "id_span", "units_possible",
	"increments_done", "counter_sum", "lost_updates", NULL };

static int part_mem(struct pout *o, const struct cid_opts *op,
		    enum pcpu_cid_strategy_id s, unsigned *lost_total)
{
	size_t ti, si;
	int ret = 0;

	for (si = 0; si < op->nsets; si++) {
		for (ti = 0; ti < op->nthreads; ti++) {
			const struct cid_set *set = &op->sets[si];
			unsigned t = op->threads[ti], i;
			struct inc_ctx x[CID_MAX_THREADS];
			pthread_t th[CID_MAX_THREADS];
			pthread_barrier_t bar;
			_Atomic int stop;
			struct pcpu_cid_rt *c;
			struct pcpu_mem m;
			struct row_key k;
			uint64_t done = 0, sum = 0;
			pcpu_off_t off;
			char na[320];
			int r;

			cid_key_set(&k, CID_P_MEM, s, t, set->label, 0, "-");
			r = rt_open(o, &k, mem_metrics, op, s, &c, &off);
			if (r == 1)
				continue;
			if (r)
				return r;
			pthread_barrier_init(&bar, NULL, t + 1);
			atomic_store(&stop, 0);
			for (i = 0; i < t; i++) {
				x[i] = (struct inc_ctx){ .c = c, .off = off,
					.ops = op->ops, .stop = &stop, .bar = &bar,
					.set = &set->set };
				if (pthread_create(&th[i], NULL, inc_thread, &x[i])) {
					/* cannot happen with a few threads;
					 * the barrier would hang */
					fprintf(stderr, "pcpubench cid: cannot "
						"create a thread\n");
					exit(EXIT_FAIL);
				}
			}
			/* all run at once for --mem-time: the ids spread as far
			 * as the kernel lets them */
			pthread_barrier_wait(&bar);
			cid_sleep_s(op->mem_time);
			atomic_store(&stop, 1);
			for (i = 0; i < t; i++) {
				pthread_join(th[i], NULL);
				done += x[i].done;
				if (x[i].err && !r)
					r = x[i].err;
			}
			pthread_barrier_destroy(&bar);
			pcpu_counter_sum(pcpu_cid_rt_rt(c), off, &sum);
			pcpu_mem_account(pcpu_cid_rt_rt(c), &m);
			snprintf(k.possible, sizeof(k.possible), "%u", m.nr_possible);
			if (r) {
				cid_na_rows(o, &k, mem_metrics, bc_na_status(na,
					sizeof(na), "failed", strerror(-r)));
				ret = r;
			} else {
				cid_row(o, &k, 0, "units_committed", pcpu_cid_units(c), "ok");
				cid_row(o, &k, 0, "committed_bytes",
				    (double)m.committed_bytes, "ok");
				cid_row(o, &k, 0, "reserved_bytes",
				    (double)m.reserved_bytes, "ok");
				cid_row(o, &k, 0, "id_span", pcpu_cid_span(c), "ok");
				cid_row(o, &k, 0, "units_possible", m.nr_possible,
				    "derived");
				cid_row(o, &k, 0, "increments_done", (double)done, "ok");
				cid_row(o, &k, 0, "counter_sum", (double)sum, "ok");
				cid_row(o, &k, 0, "lost_updates",
				    (double)(done - sum), "ok");
				*lost_total += done != sum;
			}
			pcpu_cid_rt_fini(c);
		}
	}
	return ret;
}

/* ---- churn ------------------------------------------------------------ */

static const char *const churn_metrics[] = { "increments_done",
	"counter_sum", "lost_updates", "cs_aborts", "first_uses",
	"units_committed", "threads_started", "affinity_changes", NULL };

static int part_churn(struct pout *o, const struct cid_opts *op,
		      enum pcpu_cid_strategy_id s, unsigned *lost_total)
{
	const struct cid_set *all = &op->sets[0];
	/* The allowed sets cycled through: all, each CPU alone. */
	cpu_set_t cyc[CID_MAX_SETS];
	unsigned ncyc = 0, wave = all->n * 2 + 1, i;
	uint64_t done = 0, sum = 0, aborts = 0, first = 0, started = 0,
		 changes = 0;
	struct pcpu_cid_rt *c;
	struct row_key k;
	pcpu_off_t off;
	char na[320];
	double t0;
	int r, ret = 0;

	cid_key_set(&k, CID_P_CHURN, s, wave, all->label, 0, "threads+allowed");
	r = rt_open(o, &k, churn_metrics, op, s, &c, &off);
	if (r)
		return r == 1 ? 0 : r;
	cyc[ncyc++] = all->set;
	for (i = 0; i < all->n && ncyc < CID_MAX_SETS; i++) {
		CPU_ZERO(&cyc[ncyc]);
		CPU_SET(all->cpus[i], &cyc[ncyc]);
		ncyc++;
	}
	t0 = cid_now_s();
	while (cid_now_s() - t0 < op->duration && !ret) {
		struct inc_ctx x[CID_MAX_THREADS];
		pthread_t th[CID_MAX_THREADS];
		bool live[CID_MAX_THREADS] = { false };

		/* A wave: more threads than CPUs, each starting on the next
		 * allowed set; while they run, their sets are changed. */
		for (i = 0; i < wave; i++) {
			x[i] = (struct inc_ctx){ .c = c, .off = off, .ops = 20000,
				.set = &cyc[(started + i) % ncyc] };
			live[i] = !pthread_create(&th[i], NULL, inc_thread, &x[i]);
			started += live[i];
		}
		for (i = 0; i < wave; i++) {
			if (!live[i])
				continue;
			if (ncyc > 1 && !pthread_setaffinity_np(th[i],
					sizeof(cpu_set_t), &cyc[(started + i + 1) % ncyc]))
				changes++;
		}
		for (i = 0; i < wave; i++) {
			if (!live[i])
				continue;
			pthread_join(th[i], NULL);
			done += x[i].done;
			aborts += x[i].aborts;
			first += x[i].first;
			if (x[i].err)
				ret = x[i].err;
		}
	}
	pcpu_counter_sum(pcpu_cid_rt_rt(c), off, &sum);
	if (ret) {
		cid_na_rows(o, &k, churn_metrics, bc_na_status(na, sizeof(na),
			"failed", strerror(-ret)));
	} else {
		cid_row(o, &k, 0, "increments_done", (double)done, "ok");
		cid_row(o, &k, 0, "counter_sum", (double)sum, "ok");
		cid_row(o, &k, 0, "lost_updates", (double)(done - sum), "ok");
		cid_row(o, &k, 0, "cs_aborts", (double)aborts, "ok");
		cid_row(o, &k, 0, "first_uses", (double)first, "ok");
		cid_row(o, &k, 0, "units_committed", pcpu_cid_units(c), "ok");
		cid_row(o, &k, 0, "threads_started", (double)started, "ok");
		cid_row(o, &k, 0, "affinity_changes", (double)changes, "ok");
		*lost_total += done != sum;
	}
	pcpu_cid_rt_fini(c);
	return ret;
}

/* ---- cost ------------------------------------------------------------- */

/*
 * @n increments inlined per strategy, as a user's loop would have them;
 * an abort is retried in place, a first use (the id moved) committed.
 * Return: seconds; -1 when a first use failed.
 */
#define COST_LOOP(CALL)                                                       \
	do {                                                                  \
		for (i = 0; i < n; i++) {                                     \
			enum pcpu_cid_inc_ret r_;                             \
			while ((r_ = (CALL)) != PCPU_CID_DONE)                \
				if (r_ == PCPU_CID_FIRST_USE &&               \
				    pcpu_cid_first_use(c))                    \
					return -1;                            \
		}                                                             \
	} while (0)

static double cost_loop(struct pcpu_cid_rt *c, pcpu_off_t off, unsigned long n)
{
#if PCPU_HAVE_CID_CS
	enum pcpu_cid_strategy_id s = pcpu_cid_rt_strategy(c);
	struct pcpu_acc_ctx ctx;
	unsigned long i;
	uintptr_t bo;
	double t0;

	pcpu_rt_acc_ctx(pcpu_cid_rt_rt(c), &ctx);
	bo = ctx.base + off;
	t0 = cid_now_s();
	switch (s) {
	case PCPU_CS_CID_TABLE:
		COST_LOOP(pcpu_cid_table_inc_cid(ctx.table, off));
		break;
	case PCPU_CS_CPU_TABLE:
		COST_LOOP(pcpu_cid_table_inc_cpu(ctx.table, off));
		break;
	case PCPU_CS_CID_VM:
		COST_LOOP(pcpu_cid_shift_inc_cid(bo, ctx.shift, s));
		break;
	default:
		COST_LOOP(pcpu_cid_shift_inc_cpu(bo, ctx.shift, s));
		break;
	}
	return cid_now_s() - t0;
#else
	return -1;
#endif
}

static int part_cost(struct pout *o, const struct cid_opts *op,
		     enum pcpu_cid_strategy_id s, unsigned *lost_total)
{
	const char *na_m[] = { "ns_per_inc", "increments_done", "lost_updates",
			       NULL };
	const unsigned long n = 200000;
	struct pcpu_cid_rt *c;
	struct row_key k;
	pcpu_off_t off;
	char na[320];
	cpu_set_t old, one;
	unsigned rep;
	int r;

	cid_key_set(&k, CID_P_COST, s, 1, op->sets[0].label, 0, "pinned");
	r = rt_open(o, &k, na_m, op, s, &c, &off);
	if (r)
		return r == 1 ? 0 : r;
	k.pv[P_ALLOWED] = op->sets[1].label;
	sched_getaffinity(0, sizeof(old), &old);
	one = op->sets[1].set;
	sched_setaffinity(0, sizeof(one), &one);
	pcpu_cid_thread_init();
	r = pcpu_cid_inc(c, off, NULL, NULL);	/* the unit exists from now */
	for (rep = 0; rep < op->repeat && !r; rep++) {
		double t = cost_loop(c, off, n);

		if (t < 0)
			r = -ENOMEM;	/* a first use could not commit */
		else
			cid_row(o, &k, (int)rep, "ns_per_inc", t * 1e9 / (double)n, "ok");
	}
	if (!r) {
		uint64_t sum = 0, done = 1 + (uint64_t)op->repeat * n;

		pcpu_counter_sum(pcpu_cid_rt_rt(c), off, &sum);
		cid_row(o, &k, -1, "increments_done", (double)done, "ok");
		cid_row(o, &k, -1, "lost_updates", (double)(done - sum), "ok");
		*lost_total += done != sum;
	}
	sched_setaffinity(0, sizeof(old), &old);
	if (r)
		cid_na_rows(o, &k, na_m, bc_na_status(na, sizeof(na), "failed",
						  strerror(-r)));
	pcpu_cid_rt_fini(c);
	return r;
}

/* ---- options ------------------------------------------------------------ */

static int parse_list(const char *cmd, const char *opt, const char *s,
		      const char *const *names, size_t nnames, bool *out)
{
	char items[BC_MAX_LIST][64];
	int n = bc_split(s, items, BC_MAX_LIST), i;
	size_t k;

	if (n < 0)
		goto bad;
	memset(out, 0, nnames * sizeof(*out));
	for (i = 0; i < n; i++) {
		if (!strcmp(items[i], "all")) {
			for (k = 0; k < nnames; k++)
				out[k] = true;
			continue;
		}
		for (k = 0; k < nnames && strcmp(items[i], names[k]); k++)
			;
		if (k == nnames)
			goto bad;
		out[k] = true;
	}
	return 0;
bad:
	fprintf(stderr, "pcpubench %s: bad %s '%s' (", cmd, opt, s);
	for (k = 0; k < nnames; k++)
		fprintf(stderr, "%s, ", names[k]);
	fprintf(stderr, "all)\n");
	return -EINVAL;
}

/* One run of the command: its options and the lists they name. */
struct cid_run {
	struct cid_opts op;
	struct opts_common oc;
	const char *threads, *allowed;
};

/* cid's own options. Return: 0; -EINVAL (message printed). */
static int cid_own(void *ctx, int c, const char *arg)
{
	struct cid_run *cr = ctx;
	struct cid_opts *op = &cr->op;
	unsigned long v;
	double d;

	switch (c) {
	case 'P':
		return parse_list("cid", "--part", arg, cid_part_names,
				  CID_NR_PARTS, op->part);
	case 't': cr->threads = arg; return 0;
	case 'a': cr->allowed = arg; return 0;
	case 'n':
		if (bc_count("cid", "ops", arg, 1, 1000000000UL, &v))
			return -EINVAL;
		op->ops = v;
		return 0;
	default:	/* 'm', 'd' */
		if (bc_number("cid", c == 'm' ? "mem-time" : "duration", arg,
			      c == 'm' ? 0 : 0.001, 3600, &d))
			return -EINVAL;
		if (c == 'm')
			op->mem_time = d;
		else
			op->duration = d;
		return 0;
	}
}

/* Options. Return: as opts_parse(). */
static int cid_read_opts(struct cid_run *cr, int argc, char **argv)
{
	const char *snames[PCPU_NR_CID_STRATEGIES];
	struct cid_opts *op = &cr->op;
	int i, r;

	memset(op, 0, sizeof(*op));
	for (i = 0; i < CID_NR_PARTS; i++)
		op->part[i] = true;
	for (i = 0; i < PCPU_NR_CID_STRATEGIES; i++) {
		op->strat[i] = true;
		snames[i] = pcpu_cid_strategy_name((enum pcpu_cid_strategy_id)i);
	}
	op->ops = 1000;
	op->mem_time = 0.05;
	op->duration = 0.5;
	cr->threads = "1,2,4,8";
	opts_init(&cr->oc);
	cr->oc.cfg.possible = "1024";
	cr->oc.repeat = 9;
	r = opts_parse(&cid_cmd, argc, argv, &cr->oc, cid_own, cr);
	if (r)
		return r;
	if (cr->oc.strategy &&
	    parse_list("cid", "--strategy", cr->oc.strategy, snames,
		       PCPU_NR_CID_STRATEGIES, op->strat))
		return -EINVAL;
	op->possible = cr->oc.cfg.possible;
	op->repeat = (unsigned)cr->oc.repeat;
	op->out = cr->oc.out;
	return 0;
}

/* --threads. Return: 0; -EINVAL (message printed). */
static int cid_threads(struct cid_opts *op, const char *threads)
{
	char items[BC_MAX_LIST][64];
	int n = bc_split(threads, items, BC_MAX_LIST), i;
	unsigned long v;

	if (n < 0 || n > 16)
		goto bad;
	for (i = 0; i < n; i++) {
		if (bc_ulong(items[i], &v) || !v || v > CID_MAX_THREADS)
			goto bad;
		op->threads[op->nthreads++] = (unsigned)v;
	}
	return 0;
bad:
	fprintf(stderr, "pcpubench cid: bad --threads '%s' (a comma list of "
		"counts 1-%d)\n", threads, CID_MAX_THREADS);
	return -EINVAL;
}

/* --allowed, each set checked against @all. Return: 0; -EINVAL. */
static int cid_allowed(struct cid_opts *op, const char *allowed,
		       const cpu_set_t *all)
{
	char *dup = strdup(allowed), *save = NULL, *tok;

	op->nsets = 0;
	for (tok = dup ? strtok_r(dup, ":", &save) : NULL; tok;
	     tok = strtok_r(NULL, ":", &save)) {
		if (op->nsets == CID_MAX_SETS ||
		    set_parse(&op->sets[op->nsets], tok, all)) {
			fprintf(stderr, "pcpubench cid: bad --allowed set "
				"'%s' (all, or a cpulist of CPUs this "
				"process may run on)\n", tok);
			free(dup);
			return -EINVAL;
		}
		op->nsets++;
	}
	free(dup);
	if (!op->nsets) {
		fprintf(stderr, "pcpubench cid: empty --allowed\n");
		return -EINVAL;
	}
	return 0;
}

/* The thread counts and CPU sets. Return: 0; -EINVAL; -EIO. */
static int cid_plan(struct cid_run *cr)
{
	struct cid_opts *op = &cr->op;
	cpu_set_t all;

	if (cid_threads(op, cr->threads))
		return -EINVAL;
	if (sched_getaffinity(0, sizeof(all), &all)) {
		fprintf(stderr, "pcpubench cid: sched_getaffinity: %s\n",
			strerror(errno));
		return -EIO;
	}
	set_parse(&op->sets[op->nsets++], "all", &all);
	if (!cr->allowed) {
		const struct cid_set *a = &op->sets[0];

		set_one(&op->sets[op->nsets++], a->cpus[0]);
		if (a->n > 1)
			set_one(&op->sets[op->nsets++], a->cpus[a->n - 1]);
	} else if (cid_allowed(op, cr->allowed, &all)) {
		return -EINVAL;
	}
	/* cost runs pinned on the first CPU of the first set */
	if (op->nsets < 2)
		set_one(&op->sets[op->nsets++], op->sets[0].cpus[0]);
	return 0;
}

/* Every part of every strategy asked for. Return: 0; -errno. */
static int cid_run_parts(struct pout *o, const struct cid_opts *op,
			 unsigned *lost)
{
	unsigned s;
	int r = 0;

	for (s = 0; s < PCPU_NR_CID_STRATEGIES && !r; s++) {
		if (!op->strat[s])
			continue;
		if (op->part[CID_P_MEM])
			r = part_mem(o, op, (enum pcpu_cid_strategy_id)s, lost);
		if (!r && op->part[CID_P_CHURN])
			r = part_churn(o, op, (enum pcpu_cid_strategy_id)s, lost);
		if (!r && op->part[CID_P_COST])
			r = part_cost(o, op, (enum pcpu_cid_strategy_id)s, lost);
	}
	if (!r && op->part[CID_P_STABILITY])
		r = cid_part_stability(o, op);
	return r;
}

int cmd_cid(int argc, char **argv)
{
	static struct cid_run cr;
	unsigned lost = 0;
	struct pout *o;
	int r, ret;

	memset(&cr, 0, sizeof(cr));
	r = cid_read_opts(&cr, argc, argv);
	if (r)
		return opts_exit(r);
	r = cid_plan(&cr);
	if (r)
		return r == -EIO ? EXIT_FAIL : EXIT_USAGE;
	if (bc_dry_run_stop("cid"))
		return EXIT_OK;
	bc_cid_facts();		/* this thread set up before any other */
	ret = bc_out_open("cid", &o, cr.oc.fmt, cr.op.out, "cid", params, NR_P);
	if (ret)
		return ret;
	if (pcpu_cid_unavailable())
		fprintf(stderr, "pcpubench cid: %s: every row NA\n",
			bc_cid_facts()->reg == PCPU_CID_REG_NONE ?
			bc_cid_facts()->why : pcpu_cid_unavailable());
	r = cid_run_parts(o, &cr.op, &lost);
	if (r) {
		fprintf(stderr, "pcpubench cid: %s\n", strerror(-r));
		pout_abort(o);
		return bc_exit_code(r);
	}
	ret = bc_out_close("cid", o);
	if (!ret && lost) {
		fprintf(stderr, "pcpubench cid: LOST UPDATES in %u run(s)\n", lost);
		return EXIT_FAIL;
	}
	return ret;
}
