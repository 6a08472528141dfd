// SPDX-License-Identifier: GPL-2.0
/*
 * workload-run.c - `pcpubench workload`: the working set (a random chase,
 * one line per page), the runtimes of a pass, one repetition of every
 * (pages, accesses, strategy) point in a random order.
 */
#include "workload.h"

int wl_wset_make(struct wset *w, size_t pages)
{
	memset(w, 0, sizeof(*w));
	w->map = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->map == MAP_FAILED) {
		w->map = NULL;
		return -ENOMEM;
	}
	madvise(w->map, pages * 4096, MADV_NOHUGEPAGE);
	w->max_pages = pages;
	w->order = calloc(pages, sizeof(*w->order));
	return w->order ? 0 : -ENOMEM;
}

void wl_wset_free(struct wset *w)
{
	if (w->map)
		munmap(w->map, w->max_pages * 4096);
	free(w->order);
}

/*
 * Chain the first @p pages: one random line in each, random cyclic order
 * (the same for a given seed and P). Returns the first line's address.
 */
static uintptr_t wset_chain(struct wset *w, size_t p, uint64_t seed)
{
	uint64_t s = seed ^ (p * 0x9E3779B97F4A7C15ULL) ^ 0x5bd1e995;
	uintptr_t first, prev;
	size_t i;

	for (i = 0; i < p; i++)
		w->order[i] = (uint32_t)i;
	pcpu_rng_shuffle(w->order, p, sizeof(*w->order), &s);
#define WL_LINE(pg) ((uintptr_t)w->map + (uintptr_t)(pg) * 4096 +             \
		     (uintptr_t)((pg) * 2654435761u % 64) * 64)
	first = prev = WL_LINE(w->order[0]);
	for (i = 1; i < p; i++) {
		uintptr_t l = WL_LINE(w->order[i]);

		*(uintptr_t *)prev = l;
		prev = l;
	}
	*(uintptr_t *)prev = first;
#undef WL_LINE
	return first;
}

/* Bring up one strategy's runtime for @cpu at @page. */
static void live_up(struct wl_live *l, unsigned cpu, bool huge,
		    const struct pcpu_sysinfo *si)
{
	struct pcpu_config cfg;
	struct pcpu_backing_info bi;
	char err[256], online[32];
	const char *why;
	int r;

	snprintf(l->backing, sizeof(l->backing), "none");
	why = pcpu_strategy_unavailable((enum pcpu_strategy_id)l->st.id);
	if (why) {
		bc_na_status(l->na, sizeof(l->na), "unavailable", why);
		return;
	}
	if (!l->st.fn) {
		bc_na_status(l->na, sizeof(l->na), "no-loop", "no loop built here");
		return;
	}
	if (l->st.id == PCPU_S_TLS && huge) {
		bc_na_status(l->na, sizeof(l->na), "not-applicable",
			  "the tls block is thread memory: no 2m unit");
		return;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.strategy = (enum pcpu_strategy_id)l->st.id;
	cfg.possible = si->cpus_possible;
	snprintf(online, sizeof(online), "%u-%u", cpu, cpu);
	cfg.online = online;
	cfg.dyn_size = 2 * WL_REGION;
	cfg.backing = !huge ? PCPU_BACKING_4K :
		      si->hugetlb_2m_free >= 4 ? PCPU_BACKING_HUGETLB :
		      PCPU_BACKING_THP;
	err[0] = 0;
	r = pcpu_rt_init(&l->rt, &cfg, err, sizeof(err));
	if (r == -ENOMEM && cfg.backing == PCPU_BACKING_HUGETLB) {
		cfg.backing = PCPU_BACKING_THP;
		r = pcpu_rt_init(&l->rt, &cfg, err, sizeof(err));
	}
	if (r) {
		char m[320];

		snprintf(m, sizeof(m), "%s: %s", strerror(-r), err);
		bc_na_status(l->na, sizeof(l->na), "init-failed", m);
		l->rt = NULL;
		return;
	}
	/* pcpu_rt_init() finds glibc's rseq area */
	if (l->st.needs_rseq && !pcpu_rseq_cpu_offset) {
		bc_na_status(l->na, sizeof(l->na), "no-rseq",
			  "glibc's rseq area is not registered");
		goto drop;
	}
	if (pcpu_cpu_host_cpu(l->rt, cpu) != (int)cpu) {
		bc_na_status(l->na, sizeof(l->na), "cpu-map",
			  "logical CPU id is not the host id");
		goto drop;
	}
	r = pcpu_alloc(l->rt, WL_REGION, 4096, NULL, false, &l->region);
	if (!r)
		r = pcpu_thread_enter(l->rt, cpu);
	if (r) {
		bc_na_status(l->na, sizeof(l->na), "setup-failed", strerror(-r));
		goto drop;
	}
	if (!pcpu_cpu_backing(l->rt, cpu, &bi))
		snprintf(l->backing, sizeof(l->backing), "%s",
			 bi.obtained ? bi.obtained : "none");
	if (l->st.id == PCPU_S_TLS)
		snprintf(l->backing, sizeof(l->backing), "tls-block");
	return;
drop:
	pcpu_rt_fini(l->rt);
	l->rt = NULL;
}

void wl_live_down(struct wl_live *l)
{
	if (l->rt) {
		pcpu_thread_leave(l->rt);
		pcpu_rt_fini(l->rt);
		l->rt = NULL;
	}
}

/*
 * The placement draw (--placement drawn): a spacer of 1..WL_SPACER_MAX
 * random pages, mapped and touched before the repetition's runtimes come
 * up, unmapped after they went down. Their mappings then land below it,
 * at a new virtual address per repetition (without it the areas freed
 * at the end of one repetition come back at the same address in the
 * next: the address is drawn once per process; the pages themselves
 * differ anyway). The size is drawn in both modes, so fixed and drawn
 * visit points and strategies in the same order. Return: its length
 * (*@map NULL: fixed placement or no memory: none).
 */
#define WL_SPACER_MAX 2048
static size_t spacer_map(struct wl_ctx *c, void **map)
{
	size_t len = (1 + pcpu_rng_next(&c->rng) % WL_SPACER_MAX) * 4096, i;
	char *p;

	*map = NULL;
	if (c->o->place_fixed)
		return 0;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	madvise(p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
	*map = p;
	return len;
}

/* Unit offsets of the variables: evenly over the region, own lines. */
static void make_offs(struct wl_ctx *c, pcpu_off_t region, uintptr_t *offs)
{
	size_t n = c->o->vars, stride = (WL_REGION / n) & ~(size_t)63, i;

	if (!stride)
		stride = 64;
	for (i = 0; i < n; i++)
		offs[i] = region + i * stride +
			     (stride >= 4096 ? (i * 64) % 4096 : 0);
}

static void shuffle(size_t *v, size_t n, uint64_t *rng)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = i;
	pcpu_rng_shuffle(v, n, sizeof(*v), rng);
}

/*
 * One batch of @iters iterations: TSC ticks; *@why whether it ran alone
 * (bench-quiet.h; NULL @why: sizing, not judged).
 */
static uint64_t one_batch(al_wl_fn fn, struct al_wl_args *a, uint64_t iters,
			  enum pq_why *why)
{
	struct pq_mark qm;
	uint64_t t0, t1;

	if (why)
		pq_begin(&qm);
	t0 = pt_rdtsc();
	fn(a, iters);
	t1 = pt_rdtscp();
	if (why)
		*why = bq_check(&qm);
	return t1 - t0;
}

/* Sizing: the best of the tries, unjudged. */
static uint64_t time_batch(struct wl_ctx *c, al_wl_fn fn, struct al_wl_args *a,
			   uint64_t iters)
{
	uint64_t best = UINT64_MAX, t;
	int k;

	for (k = 0; k < c->o->tries; k++) {
		t = one_batch(fn, a, iters, NULL);
		best = t < best ? t : best;
	}
	return best;
}

/* A strategy's state within one point: its loop's arguments, its best. */
struct wl_slot {
	struct wl_live *l;
	struct al_wl_args a;
	uint64_t best, dbest;
	enum pq_why last;
	int left;		/* batches still to run: tries, plus retries */
	int retries;
};

/* Make @sl's runtime the thread's (segment, hybrid-segment: the GS base). */
static void slot_enter(struct wl_ctx *c, struct wl_slot *sl)
{
	if (sl->l->rt) {
		pcpu_thread_enter(sl->l->rt, c->cpu);
		pcpu_rt_acc_ctx(sl->l->rt, &sl->a.ctx);
	}
}

/*
 * The timed batches of one point, the strategies interleaved: round after
 * round, one batch of each strategy still owed one, in a fresh random
 * order per round; a sample is its strategy's best quiet batch. A slow
 * window from outside the process (another guest, the host) lasting a
 * few batches then costs every strategy of the point alike instead of
 * the one that happened to run in it. A disturbed batch (bench-quiet.h)
 * is retried, at most BQ_MAX_RETRIES times per sample.
 */
static void time_point(struct wl_ctx *c, struct wl_slot *sl, size_t n,
		       uint64_t iters, uint64_t *rng)
{
	size_t order[PCPU_NR_STRATEGIES + 2], i;
	int owed = 1;

	for (i = 0; i < n; i++) {
		sl[i].best = sl[i].dbest = UINT64_MAX;
		sl[i].last = PQ_QUIET;
		sl[i].left = c->o->tries;
		sl[i].retries = 0;
	}
	while (owed) {
		owed = 0;
		shuffle(order, n, rng);
		for (i = 0; i < n; i++) {
			struct wl_slot *x = &sl[order[i]];
			enum pq_why w;
			uint64_t t;

			if (x->left <= 0)
				continue;
			slot_enter(c, x);
			t = one_batch(x->l->st.fn, &x->a, iters, &w);
			x->left--;
			if (w == PQ_QUIET) {
				x->best = t < x->best ? t : x->best;
			} else {
				x->last = w;
				x->dbest = t < x->dbest ? t : x->dbest;
				if (bq_retry(&x->retries))
					x->left++;
			}
			owed |= x->left > 0;
		}
	}
}

/* Allocate a pass's samples (NaN until measured). */
int wl_pass_alloc(struct wl_ctx *c, struct wl_pass *ps)
{
	const struct wl_opts *o = c->o;
	size_t n = o->npages * o->nm * (o->nstrat + 1) * (size_t)o->repeat, k;

	ps->cyc = calloc(n, sizeof(double));
	ps->ns = calloc(n, sizeof(double));
	ps->ghz = calloc((size_t)o->repeat, sizeof(double));
	ps->iters = calloc(o->npages * o->nm, sizeof(*ps->iters));
	ps->dist = calloc(n, sizeof(*ps->dist));
	if (!ps->cyc || !ps->ns || !ps->ghz || !ps->iters || !ps->dist)
		return -ENOMEM;
	for (k = 0; k < n; k++)
		ps->cyc[k] = ps->ns[k] = NAN;
	return 0;
}

/*
 * One repetition of one pass: bring every runtime up at the pass's
 * backing, run each point with the strategies in a random order, take
 * them down again (one live runtime per strategy, so the 4k and the 2m
 * pass alternate repetition by repetition: drift between them cancels).
 */
int wl_run_rep(struct wl_ctx *c, struct wl_pass *ps, bool huge,
		   const struct pcpu_sysinfo *si, cpu_set_t *orig, int rep)
{
	const struct wl_opts *o = c->o;
	size_t np = o->npages, nm = o->nm, nl, si_, pi, mi, k;
	size_t porder[WL_MAX_LIST], morder[WL_MAX_LIST];
	size_t sorder[PCPU_NR_STRATEGIES + 2];
	struct wl_live *floor_rt = NULL, *oa = NULL;
	uint64_t *iters = ps->iters;
	double core_hz;
	void *spacer;
	size_t spacer_len = spacer_map(c, &spacer);
	int ret = 0;

	/* The floor first (its unit is offset-array's), then the list. */
	ps->nlive = 0;
	memset(ps->live, 0, sizeof(ps->live));
	wl_strat_fill(&ps->live[ps->nlive++].st, WL_PTR);
	for (k = 0; k < o->nstrat; k++)
		wl_strat_fill(&ps->live[ps->nlive++].st, o->strat[k]);
	nl = ps->nlive;
	sched_setaffinity(0, sizeof(*orig), orig);
	for (k = 1; k < nl; k++) {
		live_up(&ps->live[k], c->cpu, huge, si);
		if (ps->live[k].st.id == PCPU_S_OFFSET_ARRAY)
			oa = &ps->live[k];
	}
	if (!oa) {
		/* A private offset-array runtime holds the floor's unit. */
		floor_rt = &ps->live[nl];
		wl_strat_fill(&floor_rt->st, PCPU_S_OFFSET_ARRAY);
		live_up(floor_rt, c->cpu, huge, si);
		oa = floor_rt;
	}
	if (oa->rt) {
		ps->live[0].region = oa->region;
		snprintf(ps->live[0].backing, sizeof(ps->live[0].backing), "%s",
			 oa->backing);
	} else {
		snprintf(ps->live[0].na, sizeof(ps->live[0].na), "%s", oa->na);
		snprintf(ps->live[0].backing, sizeof(ps->live[0].backing),
			 "none");
	}
	if (pt_pin_self((int)c->cpu)) {
		ret = -EINVAL;
		goto out;
	}
	if (pt_core_hz_calibrate(&core_hz))
		core_hz = NAN;
	ps->ghz[rep] = core_hz / 1e9;
	shuffle(porder, np, &c->rng);
	for (pi = 0; pi < np; pi++) {
		size_t p = porder[pi];
		uintptr_t first = wset_chain(&c->ws, o->pages[p], o->seed);

		shuffle(morder, nm, &c->rng);
		for (mi = 0; mi < nm; mi++) {
			size_t m = morder[mi], pt = p * nm + m, n = 0;
			struct wl_slot sl[PCPU_NR_STRATEGIES + 2];

			shuffle(sorder, nl, &c->rng);
			for (si_ = 0; si_ < nl; si_++) {
				size_t s = sorder[si_];
				struct wl_live *l = &ps->live[s];
				struct al_wl_args *a = &sl[n].a;

				if (l->na[0])
					continue;
				sl[n].l = l;
				memset(a, 0, sizeof(*a));
				a->cur = first;
				a->zero = c->zero;
				make_offs(c, l->region, c->offs[s]);
				a->offs = c->offs[s];
				a->nvars = o->vars;
				a->m = o->m[m];
				a->work = o->work;
				if (!l->rt)	/* ptr: offset-array's unit */
					a->ctx.base = (uintptr_t)pcpu_ptr(oa->rt,
									 c->cpu, 0);
				slot_enter(c, &sl[n]);
				if (!iters[pt]) {
					/* size the batch; warms up */
					uint64_t it = 16, t;

					for (;;) {
						t = time_batch(c, l->st.fn, a, it);
						if ((double)t >= o->min_time *
						    c->tsc_hz || it >= (1ULL << 32))
							break;
						it *= 2;
					}
					iters[pt] = it;
				}
				l->st.fn(a, iters[pt] / 4 + 1);
				n++;
			}
			time_point(c, sl, n, iters[pt], &c->rng);
			for (k = 0; k < n; k++) {
				size_t s = (size_t)(sl[k].l - ps->live), at;
				uint64_t ticks = sl[k].best;

				at = (pt * nl + s) * (size_t)o->repeat + (size_t)rep;
				ps->dist[at] = 0;
				if (ticks == UINT64_MAX) {
					/* no quiet batch: the best disturbed */
					ticks = sl[k].dbest;
					ps->dist[at] = 1 + (int)sl[k].last;
					bq_counts.flagged++;
				}
				ps->ns[at] = (double)ticks / c->tsc_hz * 1e9 /
					     (double)iters[pt];
				ps->cyc[at] = (double)ticks / c->tsc_hz * core_hz /
					      (double)iters[pt];
			}
		}
	}
out:
	for (k = 0; k <= nl && k < PCPU_NR_STRATEGIES + 2; k++)
		wl_live_down(&ps->live[k]);
	if (spacer)
		munmap(spacer, spacer_len);
	return ret;
}
