// SPDX-License-Identifier: GPL-2.0
/*
 * cid-stability.c - the stability part of `pcpubench cid`: how often a
 * thread's id (mm_cid, and rseq cpu_id beside it) changes per second,
 * pinned, with two threads per CPU, re-pinned every 2 ms and beside
 * short-lived threads; the threads increment a cid-table counter, and
 * the TSC ticks of the first increment after an id change (the unit
 * moved: its lines and TLB entries did not follow) stand beside those
 * of a steady one.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "cid-cmd.h"
#include "pcpu-cid.h"
#include "pcpu-timing.h"
#include "pcpubench.h"

/* The stability conditions: id, name, what is done. */
#define CID_CONDS(X)                                                          \
	X(PINNED, "pinned", "one thread per allowed CPU, each pinned")       \
	X(OVERSUB, "oversub", "two threads per allowed CPU, none pinned")    \
	X(MIGRATE, "migrate", "one thread per allowed CPU, re-pinned to the next CPU every 2 ms") \
	X(CHURN, "churn", "one thread per allowed CPU, short threads created and joined beside them")

enum cid_cond {
#define CID_X(id, name, desc) CID_C_##id,
	CID_CONDS(CID_X)
#undef CID_X
	CID_NR_CONDS
};

static const char *const cid_cond_names[] = {
#define CID_X(id, name, desc) name,
	CID_CONDS(CID_X)
#undef CID_X
};

#define CID_SAMPLES 4096

struct spin_ctx {
	_Atomic int *stop;
	pthread_barrier_t *bar;
	int pin;		/* host CPU, or -1 */
	struct pcpu_cid_rt *c;	/* cid-table: timed increments; NULL: none */
	pcpu_off_t off;
	/* out */
	uint64_t cid_changes, cpu_changes;
	double secs;
	int err;
	/* TSC ticks of one increment: the first after the id changed (the
	 * unit moved), and every 256th otherwise (steady) */
	uint64_t chg[CID_SAMPLES], std[CID_SAMPLES];
	unsigned nchg, nstd;
};

/* One timed rseq-protected increment into @x's sample sets; one that
 * committed a unit (first use) is not a sample. */
static void spin_inc(struct spin_ctx *x, bool changed, bool steady)
{
	uint64_t first = 0, t0, t1;
	int r;

	t0 = pt_rdtscp();
	r = pcpu_cid_inc(x->c, x->off, NULL, &first);
	t1 = pt_rdtscp();
	if (r) {
		x->err = r;
		return;
	}
	if (first)
		return;
	if (changed && x->nchg < CID_SAMPLES)
		x->chg[x->nchg++] = t1 - t0;
	else if (steady && !changed && x->nstd < CID_SAMPLES)
		x->std[x->nstd++] = t1 - t0;
}

static void *spin_thread(void *arg)
{
	struct spin_ctx *x = arg;
	unsigned cid, cpu, v;
	uint64_t it = 0;
	bool pending = false;
	double t0;

	if (x->pin >= 0) {
		cpu_set_t s;

		CPU_ZERO(&s);
		CPU_SET(x->pin, &s);
		pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
	}
	x->err = pcpu_cid_thread_init();
	pthread_barrier_wait(x->bar);
	t0 = cid_now_s();
	cid = pcpu_cid_read();
	cpu = pcpu_cid_read_cpu();
	while (!x->err && !atomic_load_explicit(x->stop, memory_order_relaxed)) {
		v = pcpu_cid_read();
		x->cid_changes += v != cid;
		pending |= v != cid;
		cid = v;
		v = pcpu_cid_read_cpu();
		x->cpu_changes += v != cpu;
		cpu = v;
		if (x->c) {
			spin_inc(x, pending, (++it & 255) == 0);
			pending = false;
		}
	}
	x->secs = cid_now_s() - t0;
	pcpu_cid_thread_exit();
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of @n samples (sorted in place); NAN for none. */
static double median_u64(uint64_t *v, unsigned n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

static void *short_thread(void *arg)
{
	double t0 = cid_now_s();

	(void)arg;
	pcpu_cid_thread_init();
	while (cid_now_s() - t0 < 200e-6)
		(void)pcpu_cid_read();
	pcpu_cid_thread_exit();
	return NULL;
}

int cid_part_stability(struct pout *o, const struct cid_opts *op)
{
	const struct cid_set *all = &op->sets[0];
	/* cid rows carry the increment timings; cpu rows the changes only */
	const char *na_m[] = { "id_changes_per_sec", "change_inc_ticks",
			       "steady_inc_ticks", NULL };
	enum pcpu_cid_strategy_id idx_s[2] = { PCPU_CS_CID_TABLE, PCPU_CS_CPU_TABLE };
	unsigned cnd;
	char na[320], st[320];

	for (cnd = 0; cnd < CID_NR_CONDS; cnd++) {
		unsigned n = all->n * (cnd == CID_C_OVERSUB ? 2 : 1), i, k;
		struct spin_ctx *x;
		pthread_t th[CID_MAX_THREADS];
		pthread_barrier_t bar;
		struct pcpu_cid_rt *c = NULL;
		pcpu_off_t off = 0;
		char err[256];
		_Atomic int stop = 0;
		uint64_t started = 0, moves = 0;
		struct row_key key;
		double t0;

		if (pcpu_cid_unavailable()) {
			bc_cid_status(st, sizeof(st));
			for (k = 0; k < 2; k++) {
				cid_key_set(&key, CID_P_STABILITY, idx_s[k], n, all->label,
					0, cid_cond_names[cnd]);
				key.pv[P_STRAT] = "-";
				key.pv[P_POSSIBLE] = "-";
				na_m[1] = k ? NULL : "change_inc_ticks";
				cid_na_rows(o, &key, na_m, bc_na_status(na, sizeof(na),
					"no-mm-cid", pcpu_cid_unavailable()));
			}
			continue;
		}
		if (n > CID_MAX_THREADS)
			n = CID_MAX_THREADS;
		x = calloc(n, sizeof(*x));
		if (!x)
			return -ENOMEM;
		/* the threads update a cid-table counter: what an id change
		 * costs the next increment */
		if (pcpu_cid_rt_init(&c, PCPU_CS_CID_TABLE, op->possible, err,
				     sizeof(err)) ||
		    pcpu_alloc(pcpu_cid_rt_rt(c), 8, 8, NULL, true, &off)) {
			pcpu_cid_rt_fini(c);
			c = NULL;
		}
		pthread_barrier_init(&bar, NULL, n + 1);
		for (i = 0; i < n; i++) {
			x[i] = (struct spin_ctx){ .stop = &stop, .bar = &bar,
				.pin = cnd == CID_C_OVERSUB ? -1 :
				       all->cpus[i % all->n], .c = c, .off = off };
			if (cnd == CID_C_CHURN)
				x[i].pin = -1;
			if (pthread_create(&th[i], NULL, spin_thread, &x[i])) {
				fprintf(stderr, "pcpubench cid: cannot create a thread\n");
				exit(EXIT_FAIL);
			}
		}
		pthread_barrier_wait(&bar);
		t0 = cid_now_s();
		while (cid_now_s() - t0 < op->duration) {
			if (cnd == CID_C_MIGRATE && all->n > 1) {
				moves++;
				for (i = 0; i < n; i++) {
					cpu_set_t s;

					CPU_ZERO(&s);
					CPU_SET(all->cpus[(i + moves) % all->n], &s);
					pthread_setaffinity_np(th[i], sizeof(s), &s);
				}
				cid_sleep_s(0.002);
			} else if (cnd == CID_C_CHURN) {
				pthread_t sh;

				if (!pthread_create(&sh, NULL, short_thread, NULL)) {
					started++;
					pthread_join(sh, NULL);
				}
			} else {
				cid_sleep_s(0.01);
			}
		}
		atomic_store(&stop, 1);
		for (i = 0; i < n; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&bar);
		pcpu_cid_rt_fini(c);
		for (k = 0; k < 2; k++) {
			cid_key_set(&key, CID_P_STABILITY, idx_s[k], n, all->label, 0,
				cid_cond_names[cnd]);
			key.pv[P_STRAT] = "-";
			key.pv[P_POSSIBLE] = "-";
			for (i = 0; i < n; i++) {
				uint64_t ch = k ? x[i].cpu_changes : x[i].cid_changes;

				if (x[i].err || x[i].secs <= 0) {
					cid_row(&*o, &key, (int)i, "id_changes_per_sec", NAN,
					    bc_na_status(na, sizeof(na), "failed",
							 strerror(-x[i].err)));
					continue;
				}
				cid_row(o, &key, (int)i, "id_changes_per_sec",
				    (double)ch / x[i].secs, "ok");
			}
			for (i = 0; i < n && !k; i++) {
				double ch = median_u64(x[i].chg, x[i].nchg);
				double sd = median_u64(x[i].std, x[i].nstd);

				cid_row(o, &key, (int)i, "change_inc_ticks", ch, !c ?
				    "na:no-runtime(no cid-table runtime)" : isnan(ch) ?
				    "na:no-change(the id did not change)" : "ok");
				cid_row(o, &key, (int)i, "steady_inc_ticks", sd, !c ?
				    "na:no-runtime(no cid-table runtime)" : isnan(sd) ?
				    "na:no-sample(no steady increment timed)" : "ok");
			}
			if (cnd == CID_C_CHURN)
				cid_row(o, &key, -1, "threads_started", (double)started, "ok");
			if (cnd == CID_C_MIGRATE)
				cid_row(o, &key, -1, "affinity_changes", (double)(moves * n),
				    "ok");
		}
		free(x);
	}
	return 0;
}

