// SPDX-License-Identifier: GPL-2.0
/*
 * modules-access.c - the access rows of `pcpubench modules --access`: a
 * module variable against a boot variable, per strategy and policy: the
 * whole lookup path, a cold read after K touched pages, and the distinct
 * 4 KiB pages the lookup touches.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "access.h"
#include "bench-common.h"
#include "modules-cmd.h"
#include "pcpu-access.h"
#include "pcpu-timing.h"
#include "pcpubench.h"

/* A boot variable: in the static section, like the kernel's own. */
DEFINE_PCPU(uint64_t, mod_boot_var) = 0x626f6f74ULL;

/* ---- access: a module variable against a boot variable ------------------- */

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Distinct 4 KiB pages the lookup of @off touches on logical CPU @cpu. */
static double path_pages(struct pcpu_rt *rt, enum al_method m, unsigned cpu,
			 pcpu_off_t off, uintptr_t also, char *st, size_t stlen)
{
	uintptr_t a[5];
	size_t n = 0, i, j, d = 0;
	struct pcpu_acc_ctx ctx;

	pcpu_rt_acc_ctx(rt, &ctx);
	snprintf(st, stlen, "ok");
	if (m == AL_METHOD_TABLE || m == AL_METHOD_SHIFT)
		a[n++] = (uintptr_t)&pcpu_tls_cpu;
	if (m == AL_METHOD_TABLE)
		a[n++] = (uintptr_t)&ctx.table[cpu];
	if (m == AL_METHOD_TLS)
		a[n++] = (uintptr_t)PCPU_PTR_TLS(off);
	else if (m == AL_METHOD_SHIFT)
		a[n++] = (uintptr_t)PCPU_PTR_SHIFT(ctx.base, ctx.shift, cpu, off);
	else	/* table and segment: the unit's base + off */
		a[n++] = ctx.table && m == AL_METHOD_TABLE ?
			 ctx.table[cpu] + off :
			 (uintptr_t)pcpu_ptr(rt, cpu, 0) + off;
	if (also)
		a[n++] = also;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (a[j] >> 12 == a[i] >> 12)
				break;
		d += j == i;
	}
	return (double)d;
}

/* path: best of 5 of N and 2N, ticks per op. */
static double time_path(al_fn fn, struct al_args *a)
{
	uint64_t n = 1 << 16, best1 = UINT64_MAX, best2 = UINT64_MAX, t0, t1;
	int t;

	fn(a, n);	/* warm */
	for (t = 0; t < 5; t++) {
		t0 = pt_rdtsc();
		fn(a, n);
		t1 = pt_rdtscp();
		if (t1 - t0 < best1)
			best1 = t1 - t0;
		t0 = pt_rdtsc();
		fn(a, 2 * n);
		t1 = pt_rdtscp();
		if (t1 - t0 < best2)
			best2 = t1 - t0;
	}
	return ((double)best2 - (double)best1) / (double)n;
}

/* cold: trimmed mean of isolated reads after K touched pages, minus the
 * same with the empty path. */
static double time_cold(struct mod_acc *c, al_cold_fn fn, al_cold_fn empty,
			struct al_args *a, size_t k)
{
	static uint64_t v[COLD_SAMPLES], e[COLD_SAMPLES];
	size_t i, lo = COLD_SAMPLES / 10, hi = COLD_SAMPLES - lo;
	double sv = 0, se = 0;

	a->ntouch = k;
	for (i = 0; i < COLD_SAMPLES; i++) {
		size_t start = (size_t)(pcpu_rng_next(&c->rng) %
					(c->pool_pages - k + 1));

		a->touch = c->pool + start;
		e[i] = empty(a);
		a->touch = c->pool + start;
		v[i] = fn(a);
	}
	qsort(v, COLD_SAMPLES, sizeof(*v), cmp_u64);
	qsort(e, COLD_SAMPLES, sizeof(*e), cmp_u64);
	for (i = lo; i < hi; i++) {
		sv += (double)v[i];
		se += (double)e[i];
	}
	return (sv - se) / (double)(hi - lo);
}

int mod_run_access(struct pout *o, const struct mod_opts *op, struct mod_acc *c,
		   const struct pcpu_mod_policy *pol, enum pcpu_strategy_id sid,
		   struct pcpu_config *cfg, const char **pv)
{
	static const char *const vars[2] = { "boot", "module" };
	enum al_method m;
	enum al_cpuid cid;
	const char *lay;
	struct pcpu_rt *rt;
	pcpu_off_t off[2];
	char err[320], na[400], st[64];
	uint64_t init = 0x6d6f64ULL;
	double path[2][64], cold[2][64];
	unsigned cpu;
	int ret, r, v;

	if (al_strategy_method(sid, &m, &lay))
		return 0;
	cid = m == AL_METHOD_TABLE || m == AL_METHOD_SHIFT ? AL_CPUID_TLS :
	      AL_CPUID_IMPLICIT;
	cfg->strategy = sid;
	cfg->modules = pol;
	ret = bc_rt_start("modules", pcpu_strategy_name(sid), &rt, cfg, true,
			  na, sizeof(na), err, sizeof(err));
	if (ret)
		return ret;
	off[0] = PCPU_OFF(mod_boot_var);
	if (rt) {
		ret = pcpu_mod_load(rt, 64, 64, &init, &off[1]);
		if (ret)
			bc_na_status(na, sizeof(na), "cannot-load", strerror(-ret));
	}
	if (!rt || ret) {
		for (v = 0; v < 2; v++) {
			pv[P_VAR] = vars[v];
			pout_row(o, pv, 0, "path_ns", NAN, "ns", na);
		}
		if (rt)
			pcpu_rt_fini(rt);
		return 0;
	}
	cpu = (unsigned)pcpu_cpuset_next(pcpu_rt_possible(rt), 0);
	pcpu_thread_bind(rt, cpu);
	ret = pcpu_thread_enter(rt, cpu);
	if (ret) {
		fprintf(stderr, "pcpubench modules: cannot enter CPU %u: %s\n", cpu,
			strerror(-ret));
		pcpu_rt_fini(rt);
		return EXIT_FAIL;
	}
	for (r = 0; r < (int)op->oc.repeat; r++) {
		for (v = 0; v < 2; v++) {
			int vv = (r & 1) ? 1 - v : v;	/* alternate the order */
			struct pcpu_acc_ctx ctx;
			struct al_args a;
			uintptr_t offs[1] = { off[vv] };

			memset(&a, 0, sizeof(a));
			pcpu_rt_acc_ctx(rt, &ctx);
			a.table = ctx.table;
			a.shift_base = ctx.base;
			a.shift = ctx.shift;
			a.offs = offs;
			a.next = offs;
			a.nvars = 1;
			a.first = offs[0];
			path[vv][r] = time_path(al_lookup(m, cid, AL_OP_READ,
							  AL_MODE_PATH, 0), &a) /
				      c->tsc_hz * 1e9;
			cold[vv][r] = c->pool ? time_cold(c, al_cold_lookup(m, cid),
					al_cold_lookup(AL_NR_METHODS, AL_CPUID_IMPLICIT),
					&a, op->cold) / c->tsc_hz * 1e9 : NAN;
		}
	}
	for (v = 0; v < 2; v++) {
		double pages;

		pv[P_VAR] = vars[v];
		pages = path_pages(rt, m, cpu, off[v], 0, st, sizeof(st));
		for (r = 0; r < (int)op->oc.repeat; r++) {
			pout_row(o, pv, r, "path_ns", path[v][r], "ns", "ok");
			pout_row(o, pv, r, "path_cycles", path[v][r] * c->core_hz / 1e9,
			    "cycles", "estimated");
			if (c->pool) {
				pout_row(o, pv, r, "cold_ns", cold[v][r], "ns", "ok");
				pout_row(o, pv, r, "cold_cycles", cold[v][r] * c->core_hz / 1e9,
				    "cycles", "estimated");
			}
		}
		pout_row(o, pv, 0, "pages_on_path", pages, "pages", st);
		if (v == 1) {
			/* A path that also reads a boot variable: does the
			 * module's copy cost a page (a TLB entry) more? */
			uintptr_t bv = m == AL_METHOD_TLS ?
				(uintptr_t)PCPU_PTR_TLS(off[0]) :
				(uintptr_t)pcpu_ptr(rt, cpu, off[0]);

			pages = path_pages(rt, m, cpu, off[1], bv, st, sizeof(st));
			pout_row(o, pv, 0, "pages_with_boot_var", pages, "pages", st);
		}
	}
	pv[P_VAR] = "-";
	pcpu_thread_leave(rt);
	pcpu_rt_fini(rt);
	return 0;
}

int mod_acc_setup(struct mod_acc *c, const struct mod_opts *op)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->rng = op->oc.seed * 0x2545f4914f6cdd1dULL + 3;
	if (pt_tsc_hz(&c->tsc_hz) || c->tsc_hz <= 0)
		return -ENOTSUP;
	if (pt_core_hz_calibrate(&c->core_hz) || c->core_hz <= 0)
		c->core_hz = c->tsc_hz;
	if (!op->cold)
		return 0;
	c->pool_pages = op->cold * 2 > 4096 ? op->cold * 2 : 4096;
	c->pool_map = mmap(NULL, c->pool_pages * PCPU_PAGE_SIZE, PROT_READ |
			   PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			   -1, 0);
	c->pool = malloc(c->pool_pages * sizeof(*c->pool));
	if (c->pool_map == MAP_FAILED || !c->pool) {
		if (c->pool_map != MAP_FAILED)
			munmap(c->pool_map, c->pool_pages * PCPU_PAGE_SIZE);
		free(c->pool);
		c->pool = NULL;
		return -ENOMEM;
	}
	/* one line per page, a different one each page */
	for (i = 0; i < c->pool_pages; i++)
		c->pool[i] = (uintptr_t)c->pool_map + i * PCPU_PAGE_SIZE +
			     (i * 64) % PCPU_PAGE_SIZE;
	return 0;
}

void mod_acc_free(struct mod_acc *c)
{
	if (c->pool) {
		munmap(c->pool_map, c->pool_pages * PCPU_PAGE_SIZE);
		free(c->pool);
	}
}
