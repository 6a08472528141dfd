// SPDX-License-Identifier: GPL-2.0
/*
 * access-run.c - `pcpubench access`: one configuration (page size,
 * placement, phase): bring up the runtimes, plan the points, run the
 * repetitions, emit the rows.
 */
#include "access-cmd.h"

static int progress_on(const struct opts *o)
{
	return !o->quiet && isatty(2);
}

/* Bring up @s's runtime for this configuration, or say why not (s->na). */
static void strat_up(struct run_ctx *c, const struct config_run *cr,
		     struct strat_rt *s, const struct pcpu_sysinfo *si_,
		     const char *online)
{
	struct pcpu_config cfg;
	struct pcpu_backing_info bi;
	const char *why;
	char err[256];
	int r;

	snprintf(s->backing, sizeof(s->backing), "none");
	s->method = pcpu_strategy_access(s->id);
	s->layout = pcpu_layout_name(pcpu_strategy_layout(s->id));
	why = pcpu_strategy_unavailable(s->id);
	if (why) {
		acc_na_reason(s->na, sizeof(s->na), "unavailable", why);
		return;
	}
	if (s->id == PCPU_S_TLS && cr->page == PAGE_2M) {
		acc_na_reason(s->na, sizeof(s->na), "not-applicable",
			  "the tls block is thread memory: no 2m unit");
		return;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.strategy = s->id;
	cfg.possible = si_->cpus_possible;
	cfg.present = NULL;
	/* Only the measuring CPU online (as a cpulist: "N-N"). */
	cfg.online = online;
	cfg.dyn_size = DYN_SIZE;
	cfg.backing = cr->page == PAGE_4K ? PCPU_BACKING_4K :
		      si_->hugetlb_2m_free >= 4 ? PCPU_BACKING_HUGETLB :
		      PCPU_BACKING_THP;
	pcpu_placement_parse(cr->placement, &cfg.placement);
	err[0] = 0;
	r = pcpu_rt_init(&s->rt, &cfg, err, sizeof(err));
	if (r == -ENOMEM && cfg.backing == PCPU_BACKING_HUGETLB) {
		cfg.backing = PCPU_BACKING_THP;
		r = pcpu_rt_init(&s->rt, &cfg, err, sizeof(err));
	}
	if (r) {
		char m[300];

		snprintf(m, sizeof(m), "pcpu_rt_init: %s: %s",
			 strerror(-r), err);
		acc_na_reason(s->na, sizeof(s->na), "init-failed", m);
		s->rt = NULL;
		return;
	}
	r = pcpu_alloc(s->rt, REGION_SIZE, 4096, NULL, false, &s->region);
	/* Late: online after init and after the allocation. */
	if (!r && cr->late)
		r = pcpu_cpu_online(s->rt, c->cpu);
	if (!r && pcpu_cpu_host_cpu(s->rt, c->cpu) != (int)c->cpu) {
		acc_na_reason(s->na, sizeof(s->na), "cpu-map",
			  "logical CPU id is not the host id");
		goto drop;
	}
	if (!r)
		r = pcpu_thread_enter(s->rt, c->cpu);
	if (r) {
		acc_na_reason(s->na, sizeof(s->na), "setup-failed",
			  strerror(-r));
		goto drop;
	}
	/* What backs the unit, and where its pages are. */
	if (!pcpu_cpu_backing(s->rt, c->cpu, &bi)) {
		snprintf(s->backing, sizeof(s->backing), "%s",
			 bi.obtained ? bi.obtained : "none");
		s->huge_fraction = bi.rss_bytes ?
			(double)(bi.thp_bytes + bi.hugetlb_bytes) /
			(double)bi.rss_bytes : 0;
		snprintf(s->backing_status, sizeof(s->backing_status), "ok");
	} else {
		s->huge_fraction = NAN;
		snprintf(s->backing_status, sizeof(s->backing_status),
			 "na:smaps(could not read /proc/self/smaps)");
	}
	if (s->id == PCPU_S_TLS)
		snprintf(s->backing, sizeof(s->backing), "tls-block");
	return;
drop:
	pcpu_rt_fini(s->rt);
	s->rt = NULL;
}

/*
 * Plan the points: per strategy (then the floor, index nstrat) and CPU-id
 * source, the product of ops, modes, vars and pressures, the minimal loop
 * beside ptr's read throughput, and the cold reads; each point gets its
 * loop, or the reason it has none (p->na).
 * Return: 0; -EOVERFLOW more than @cap points; -ENOMEM.
 */
static int plan_points(struct run_ctx *c, struct strat_rt *srt,
		       struct point *pts, size_t cap, size_t *npts)
{
	const struct opts *o = c->o;
	size_t si, vi, pi, oi, mi, ki;

	for (si = 0; si <= o->nstrat; si++) {
		enum al_cpuid cids[3];
		size_t ncid = 0, ci;
		enum pcpu_strategy_id id = srt[si].id;
		enum pcpu_access_id meth = srt[si].method;

		if (al_cpuid_default(meth) == AL_CPUID_IMPLICIT) {
			cids[ncid++] = AL_CPUID_IMPLICIT;
		} else {
			if (o->cpuid_rseq)
				cids[ncid++] = pcpu_rseq_cpu_offset ?
					AL_CPUID_RSEQ : AL_CPUID_GETCPU;
			if (o->cpuid_tls)
				cids[ncid++] = AL_CPUID_TLS;
			if (o->cpuid_cid)
				cids[ncid++] = AL_CPUID_CID;
		}
		for (ci = 0; ci < ncid; ci++)
		for (oi = 0; oi < o->nop + 1; oi++)
		for (mi = 0; mi < o->nmode + 1; mi++)
		for (vi = 0; vi < o->nvars; vi++)
		for (pi = 0; pi < o->npressure; pi++)
		for (ki = 0; ki < c->ncold + 2; ki++) {
			struct point *p;
			/*
			 * ki 0: the loop point; ki 1: the minimal loop beside
			 * ptr read throughput; ki >= 2: cold read K. The
			 * extra op and mode index (nop, nmode) is the cold
			 * read, once per strategy and CPU-id source.
			 */
			int is_cold = oi == o->nop && mi == o->nmode &&
				      vi == 0 && pi == 0 && ki >= 2;
			int is_min = ki == 1 && id == ACC_S_FLOOR &&
				     oi < o->nop && mi < o->nmode &&
				     o->op[oi] == AL_OP_READ &&
				     o->mode[mi] == AL_MODE_TPUT &&
				     o->vars[vi] == 1 && o->pressure[pi] == 0;

			if (!is_cold && !is_min &&
			    (ki || oi == o->nop || mi == o->nmode))
				continue;
			if (*npts >= cap) {
				return -EOVERFLOW;
			}
			p = &pts[(*npts)++];
			p->strat_idx = si;
			p->strat = id;
			p->method = meth;
			p->cpuid = cids[ci];
			p->op = is_cold ? AL_OP_READ : o->op[oi];
			p->mode = is_cold ? AL_MODE_LAT : o->mode[mi];
			p->vars = is_cold ? 1 : o->vars[vi];
			p->pressure = is_cold ? 0 : o->pressure[pi];
			p->minimal = is_min;
			p->cold = is_cold;
			p->cold_k = is_cold ? c->cold[ki - 2] : 0;
			p->cyc = calloc(o->repeat, sizeof(double));
			p->ns = calloc(o->repeat, sizeof(double));
			p->ghz = calloc(o->repeat, sizeof(double));
			p->qflag = calloc(o->repeat, sizeof(*p->qflag));
			p->qtries = calloc(o->repeat, sizeof(*p->qtries));
			p->ts = calloc(o->repeat, sizeof(*p->ts));
			p->ev = calloc((size_t)o->repeat * (c->nev ? c->nev : 1),
				       sizeof(*p->ev));
			if (!p->cyc || !p->ns || !p->ghz || !p->ev ||
			    !p->qflag || !p->qtries || !p->ts) {
				return -ENOMEM;
			}
			if (srt[si].na[0]) {
				snprintf(p->na, sizeof(p->na), "%s", srt[si].na);
				continue;
			}
			if (p->cpuid == AL_CPUID_CID &&
			    bc_cid_access_na(srt[si].rt, p->na, sizeof(p->na)))
				continue;
			if (p->cold) {
				p->cold_fn = al_cold_lookup(meth, p->cpuid);
				if (!p->cold_fn)
					acc_na_reason(p->na, sizeof(p->na), "no-loop",
						  "no cold read built for this "
						  "combination");
				else
					acc_path_pages(c, &srt[si], p);
				continue;
			}
			p->fn = p->minimal ? al_minimal_loop :
				al_lookup(meth, p->cpuid, p->op, p->mode,
					  p->pressure > 0);
			if (!p->fn)
				acc_na_reason(p->na, sizeof(p->na), "no-loop",
					  p->mode == AL_MODE_PATH && p->pressure ?
					  "path mode has no pressure variant" :
					  "no loop built for this combination");
		}
	}
	return 0;
}

/* The core clock of repetition @rep: the median of its @tries rounds'
 * calibrations (those that failed, NaN, left out). */
static double rep_hz(const double *hz, int rep, int tries)
{
	struct pstats ps;

	if (pstats_compute(hz + (size_t)rep * tries, (size_t)tries, &ps))
		return NAN;
	return ps.median;
}

/* Warm up and size each point, then the rounds of the repetitions, each
 * in a new random order. Return: 0; -ENOMEM. */
static int run_reps(struct run_ctx *c, const struct config_run *cr,
		     struct strat_rt *srt, struct point *pts, size_t npts,
		     size_t *order, uint64_t *rng_, double t_start,
		     int *progress_shown)
{
	const struct opts *o = c->o;
	uint64_t rng = *rng_;
	size_t i, j, vi, pi;
	int rep, k, nround = o->repeat * o->tries;
	double *hz = calloc((size_t)nround, sizeof(*hz));
	int *rord = calloc((size_t)o->repeat, sizeof(*rord));

	if (!hz || !rord) {
		free(hz);
		free(rord);
		return -ENOMEM;
	}

	/* Warm up and size each point. */
	for (i = 0; i < npts; i++) {
		struct point *p = &pts[i];
		struct al_args a;

		if (p->na[0] || p->cold)
			continue;
		for (vi = 0; o->vars[vi] != p->vars; vi++)
			;
		for (pi = 0; o->pressure[pi] != p->pressure; pi++)
			;
		acc_varset_make(&c->vs[vi], srt[p->strat_idx].region, p->vars);
		acc_varset_prime(&srt[p->strat_idx], c->cpu, &c->vs[vi]);
		/* segment and hybrid-segment share the thread's GS base. */
		if (srt[p->strat_idx].rt)
			pcpu_thread_enter(srt[p->strat_idx].rt, c->cpu);
		acc_args_for(c, p, vi, pi, &a);
		p->n = acc_pick_n(c, p, &a);
	}

	/*
	 * Rounds: every point once per round (one try of its sample), in a
	 * new random order each round; repeat x tries rounds, interleaved so
	 * that round k is try k / repeat of one repetition, each repetition
	 * once per group of repeat rounds. A sample's tries thus lie about
	 * repeat rounds apart, spread over the whole run: a
	 * slow spell of seconds the guest cannot see (the host's SMT sibling,
	 * another tenant; no context switch here) slows some tries of every
	 * sample and the best of them escapes it, where tries run back to
	 * back would all have fallen in it. The core clock is calibrated
	 * every round; a sample takes the median of its rounds'.
	 */
	for (k = 0; k < nround; k++) {
		int t = k / o->repeat;

		/*
		 * Each group of repeat rounds takes the repetitions in a new
		 * random order (with more than one try): a disturbance that
		 * comes back every repeat rounds does not fall on the same
		 * repetition's tries every time.
		 */
		if (k % o->repeat == 0) {
			for (i = 0; i < (size_t)o->repeat; i++)
				rord[i] = (int)i;
			if (o->tries > 1)
				pcpu_rng_shuffle(rord, (size_t)o->repeat,
						 sizeof(*rord), &rng);
		}
		rep = rord[k % o->repeat];
		if (pt_core_hz_calibrate(&hz[(size_t)rep * o->tries + t]))
			hz[(size_t)rep * o->tries + t] = NAN;
		for (i = 0; i < npts; i++)
			order[i] = i;
		pcpu_rng_shuffle(order, npts, sizeof(*order), &rng);
		for (j = 0; j < npts; j++) {
			struct point *p = &pts[order[j]];
			struct al_args a;

			if (p->na[0] || p->cold)
				continue;
			for (vi = 0; o->vars[vi] != p->vars; vi++)
				;
			for (pi = 0; o->pressure[pi] != p->pressure; pi++)
				;
			acc_varset_make(&c->vs[vi], srt[p->strat_idx].region,
				    p->vars);
			acc_varset_prime(&srt[p->strat_idx], c->cpu, &c->vs[vi]);
			if (srt[p->strat_idx].rt)
				pcpu_thread_enter(srt[p->strat_idx].rt, c->cpu);
			acc_args_for(c, p, vi, pi, &a);
			acc_measure_try(c, p, &a, rep);
			if (t == o->tries - 1)
				acc_measure_end(c, p, &a, rep_hz(hz, rep,
						o->tries), rep);
		}
		if (c->ncold && t == 0)
			acc_cold_rep(c, pts, npts, order,
				     hz[(size_t)rep * o->tries], rep, &rng);
		if (progress_on(o) && pt_now() - t_start > 2.0) {
			fprintf(stderr, "\r[access] %spage %s placement %s: "
				"repetition %d/%d, try %d/%d, %zu points   ",
				cr->late ? "late " : "",
				cr->page_name, cr->placement,
				cr->rep_base + rep + 1,
				c->nrep, t + 1, o->tries, npts);
			*progress_shown = 1;
		}
	}
	free(hz);
	free(rord);
	*rng_ = rng;
	return 0;
}

/* NUMA locality of the variables' pages, per strategy and vars; the
 * floor's unit is its host's. */
static void locality(struct run_ctx *c, struct strat_rt *srt)
{
	const struct opts *o = c->o;
	size_t si, vi;

	/* NUMA locality of the variables' pages, per strategy and vars. */
	for (si = 0; si < o->nstrat; si++) {
		struct strat_rt *s = &srt[si];

		for (vi = 0; vi < o->nvars; vi++) {
			size_t unit_pages, k, local = 0, known = 0;
			int *nodes, got, hn;
			struct varset v;

			s->local_frac[vi] = NAN;
			if (s->na[0]) {
				snprintf(s->local_status[vi], PCNT_STATUS_LEN,
					 "%s", s->na);
				continue;
			}
			if (s->id == PCPU_S_TLS) {
				snprintf(s->local_status[vi], PCNT_STATUS_LEN,
					 "na:tls-block(thread memory; not a "
					 "per-CPU unit)");
				continue;
			}
			unit_pages = pcpu_rt_unit_size(s->rt) / 4096;
			nodes = calloc(unit_pages, sizeof(int));
			hn = pcpu_cpu_host_node(s->rt, c->cpu);
			got = nodes ? pcpu_cpu_page_nodes(s->rt, c->cpu, nodes,
							  unit_pages) : -ENOMEM;
			if (got < 0) {
				char m[96];

				snprintf(m, sizeof(m), "page node query: %s",
					 strerror(-got));
				acc_na_reason(s->local_status[vi], PCNT_STATUS_LEN,
					  "no-placement", m);
				free(nodes);
				continue;
			}
			acc_varset_make(&v, s->region, o->vars[vi]);
			for (k = 0; k < v.n; k++) {
				size_t pg = v.offs[k] / 4096;

				if (pg >= (size_t)got || nodes[pg] < 0)
					continue;
				known++;
				local += nodes[pg] == hn;
			}
			free(nodes);
			if (!known) {
				snprintf(s->local_status[vi], PCNT_STATUS_LEN,
					 "na:not-resident(no page of the "
					 "variables is resident)");
				continue;
			}
			s->local_frac[vi] = (double)local / (double)known;
			snprintf(s->local_status[vi], PCNT_STATUS_LEN, "derived");
		}
	}
	/* The floor's unit is its host's. */
	for (vi = 0; vi < o->nvars; vi++) {
		struct strat_rt *f = &srt[o->nstrat];

		if (f->host >= 0) {
			f->local_frac[vi] = srt[f->host].local_frac[vi];
			memcpy(f->local_status[vi],
			       srt[f->host].local_status[vi], PCNT_STATUS_LEN);
		} else {
			f->local_frac[vi] = NAN;
			snprintf(f->local_status[vi], PCNT_STATUS_LEN, "%s",
				 f->na[0] ? f->na : "na:no-unit(no strategy "
				 "unit to borrow)");
		}
	}
}

/* The rows of a point's repetitions (a point with no loop: NA rows). */
static int emit_point_reps(struct run_ctx *c, struct pout *out,
			   struct rowctx *rc_, const struct point *pts,
			   size_t npts, const struct point *p,
			   const struct point *fl, const struct strat_rt *s,
			   size_t vi)
{
	const struct opts *o = c->o;
	struct rowctx rc = *rc_;
	int rep, ret = 0;

	for (rep = 0; rep < o->repeat; rep++) {
		size_t e;
		char qb[PCNT_STATUS_LEN];
		const char *qst;

		if (p->na[0]) {
			ret = acc_emit(out, &rc, rep, "cycles_per_op", NAN,
				   "cycles", p->na);
			if (!ret)
				ret = acc_emit_floor(out, &rc, rep, p, fl);
			if (!ret)
				ret = acc_emit(out, &rc, rep, "ns_per_op",
					   NAN, "ns", p->na);
			if (ret)
				return ret;
			continue;
		}
		qst = acc_qstatus(p, rep, qb, sizeof(qb));
		ret = acc_emit(out, &rc, rep, "cycles_per_op", p->cyc[rep],
			   "cycles", qst ? qst : acc_sanity(pts, npts, p, rep));
		ret = ret ? ret : acc_emit_floor(out, &rc, rep, p, fl);
		ret = ret ? ret : acc_emit(out, &rc, rep, "ns_per_op",
				       p->ns[rep], "ns", qst ? qst : "ok");
		ret = ret ? ret : acc_emit(out, &rc, rep, "core_clock",
				       p->ghz[rep], "GHz", "ok");
		ret = ret ? ret : acc_emit(out, &rc, rep, "batch_ops",
				       (double)p->n, "ops", "ok");
		for (e = 0; !ret && e < c->nev; e++) {
			const struct pcnt_result *r =
				&p->ev[(size_t)rep * c->nev + e];
			char m[PCNT_NAME_LEN + 16];

			pcnt_metric_name(m, sizeof(m),
					 pcnt_event(c->cs, e)->name,
					 "_per_op");
			ret = acc_emit(out, &rc, rep, m, r->value,
				   "events/op", r->status);
			ret = ret ? ret : acc_emit_counter_marks(out, &rc,
					rep, c->cs, e, r);
		}
		ret = ret ? ret : acc_emit(out, &rc, rep,
				       "huge_page_fraction",
				       s->huge_fraction, "fraction",
				       s->backing_status);
		ret = ret ? ret : acc_emit(out, &rc, rep,
				       "numa_local_fraction",
				       s->local_frac[vi], "fraction",
				       s->local_status[vi]);
		ret = ret ? ret : acc_emit(out, &rc, rep,
				       "remote_accesses_per_op",
				       1.0 - s->local_frac[vi],
				       "accesses/op",
				       s->local_status[vi]);
		if (ret)
			return ret;
	}
	return 0;
}

/* tlb_cost: 4k minus 2m, rep by rep, when both were run. */
static int emit_tlb_cost(struct run_ctx *c, const struct config_run *cr,
			 struct pout *out, struct rowctx *rc_,
			 const struct point *p, const struct strat_rt *s,
			 double **cyc4k, size_t i)
{
	const struct opts *o = c->o;
	struct rowctx rc = *rc_;
	int rep, ret = 0;

	if (cr->page == PAGE_4K && cyc4k) {
		if (!cyc4k[i])
			cyc4k[i] = calloc(o->repeat, sizeof(double));
		if (cyc4k[i])
			for (rep = 0; rep < o->repeat; rep++)
				cyc4k[i][rep] = p->na[0] ||
					p->qflag[rep] ? NAN :
					p->cyc[rep];
	} else if (cr->page == PAGE_2M && cyc4k && cyc4k[i]) {
		for (rep = 0; rep < o->repeat; rep++) {
			char st[PCNT_STATUS_LEN];
			double v = cyc4k[i][rep] - p->cyc[rep];

			if (p->na[0])
				snprintf(st, sizeof(st), "%s", p->na);
			else if (acc_qstatus(p, rep, st, sizeof(st)))
				;
			else if (!isfinite(cyc4k[i][rep]))
				snprintf(st, sizeof(st),
					 "na:no-4k-run(the 4k point "
					 "was not measured or its "
					 "sample was flagged)");
			else if (strcmp(s->backing, "thp") &&
				 strcmp(s->backing, "hugetlb") &&
				 strcmp(s->backing, "thp-partial"))
				acc_na_reason(st, sizeof(st), "no-2m-pages",
					  s->backing);
			else if (!strcmp(s->backing, "thp-partial"))
				snprintf(st, sizeof(st),
					 "flagged:partial-2m-backing");
			else
				snprintf(st, sizeof(st), "ok");
			ret = acc_emit(out, &rc, rep, "tlb_cost", v,
				   "cycles", st);
			if (ret)
				return ret;
			/*
			 * Estimated dTLB misses per op: the measured
			 * cost over the calibrated miss penalty (the
			 * walk), from `pcpubench tlb` (its calibration).
			 */
			if (POUT_IS_NA(st))
				;
			else if (c->walk_cycles > 0)
				snprintf(st, sizeof(st), "estimated");
			else
				snprintf(st, sizeof(st), "%s",
					 c->walk_why);
			ret = acc_emit(out, &rc, rep, "dtlb_misses_per_op_est",
				   v / c->walk_cycles, "events/op", st);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* The rows of every point of this configuration. */
static int emit_rows(struct run_ctx *c, const struct config_run *cr,
		     struct pout *out, struct strat_rt *srt,
		     const struct point *pts, size_t npts, double **cyc4k)
{
	const struct opts *o = c->o;
	size_t i, vi;
	int ret;

	for (i = 0; i < npts; i++) {
		const struct point *p = &pts[i];
		struct strat_rt *s = &srt[p->strat_idx];
		struct rowctx rc;
		const struct point *fl = acc_floor_of(pts, npts, p);

		for (vi = 0; o->vars[vi] != p->vars; vi++)
			;
		acc_row_params(&rc, p, cr->page_name, cr->placement,
			       cr->late ? "late" : "boot", s->backing, c->cpu);
		rc.rep_base = cr->rep_base;
		if (p->cold || p->minimal) {
			ret = acc_emit_special(out, &rc, p, fl, o->repeat);
			if (ret)
				return ret;
			continue;
		}
		ret = emit_point_reps(c, out, &rc, pts, npts, p, fl, s, vi);
		if (!ret)
			ret = emit_tlb_cost(c, cr, out, &rc, p, s, cyc4k, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* Phase late: another allowed CPU is the boot CPU (none when this is the
 * only one: a count of 0); c->cpu comes later. */
static void config_online(struct run_ctx *c, const struct config_run *cr,
			  const struct pcpu_sysinfo *si_, char *online,
			  size_t len)
{
	struct pcpu_cpuset ps;
	unsigned b;

	snprintf(online, len, "%u-%u", c->cpu, c->cpu);
	if (!cr->late)
		return;
	snprintf(online, len, "0");
	if (pcpu_cpuset_parse(&ps, si_->cpus_possible))
		memset(&ps, 0, sizeof(ps));
	for (b = 0; b < CPU_SETSIZE; b++)
		if (b != c->cpu && pcpu_cpuset_test(&ps, b) &&
		    CPU_ISSET(b, &c->orig_affinity)) {
			snprintf(online, len, "%u-%u", b, b);
			break;
		}
}

static void points_free(struct point *pts, size_t npts)
{
	size_t i;

	for (i = 0; pts && i < npts; i++) {
		free(pts[i].cyc);
		free(pts[i].ns);
		free(pts[i].ghz);
		free(pts[i].qflag);
		free(pts[i].qtries);
		free(pts[i].ts);
		free(pts[i].ev);
	}
	free(pts);
}

/*
 * acc_run_config() - one configuration (page size, placement, phase):
 * bring up a runtime per strategy, plan the points, run the repetitions,
 * emit the rows.
 * Return: 0; -errno (an output error as the output layer returned it).
 */
int acc_run_config(struct run_ctx *c, const struct config_run *cr,
		   struct pout *out, double **cyc4k, size_t *npts_prev,
		   double t_start, int *progress_shown)
{
	const struct opts *o = c->o;
	struct strat_rt srt[PCPU_NR_STRATEGIES + 1];
	struct point *pts = NULL;
	size_t npts = 0, cap, si;
	size_t *order = NULL;
	int ret = 0;
	uint64_t rng = o->seed ^ (cr->page * 0x9E3779B97F4A7C15ULL) ^ 1 ^
		       ((uint64_t)cr->rep_base * 0xD1B54A32D192ED03ULL);
	struct pcpu_sysinfo si_;
	char online[32];

	pcpu_sysinfo_read(&si_);
	config_online(c, cr, &si_, online, sizeof(online));
	memset(srt, 0, sizeof(srt));
	c->srt = srt;

	/*
	 * Bring up one runtime per strategy. The topology lists the CPUs this
	 * process may run on, so unpin while doing so; pin again after.
	 */
	sched_setaffinity(0, sizeof(c->orig_affinity), &c->orig_affinity);
	for (si = 0; si < o->nstrat; si++) {
		srt[si].id = o->strat[si];
		strat_up(c, cr, &srt[si], &si_, online);
	}
	acc_floor_setup(c, srt, o->nstrat);
	if (pt_pin_self((int)c->cpu)) {
		ret = -EINVAL;
		goto out;
	}

	/* Points: the strategies, then the floor ptr (index nstrat). */
	cap = acc_max_points(o);
	pts = calloc(cap ? cap : 1, sizeof(*pts));
	order = calloc(cap ? cap : 1, sizeof(*order));
	if (!pts || !order) {
		ret = -ENOMEM;
		goto out;
	}
	ret = plan_points(c, srt, pts, cap, &npts);
	if (ret)
		goto out;
	ret = run_reps(c, cr, srt, pts, npts, order, &rng, t_start,
		       progress_shown);
	if (ret)
		goto out;
	locality(c, srt);
	ret = emit_rows(c, cr, out, srt, pts, npts, cyc4k);
	if (ret)
		goto out;
	if (o->fmt == POUT_TEXT && !cr->rep_base)
		acc_cold_summary(c, out, pts, npts, cr->page_name);
	*npts_prev = npts;
out:
	points_free(pts, npts);
	free(order);
	for (si = 0; si < o->nstrat; si++)
		if (srt[si].rt) {
			pcpu_thread_leave(srt[si].rt);
			pcpu_rt_fini(srt[si].rt);
		}
	return ret;
}
