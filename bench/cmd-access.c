// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-access.c - `pcpubench access`: what one per-CPU access costs.
 *
 * A strategy is an access method over a layout (pcpu_strategy_access(),
 * pcpu_strategy_layout()); the loops are generated per method from the
 * accessors of pcpu-access.h by the one loop template (access-loops.h).
 * Modes: throughput (independent accesses), latency (the data chained),
 * path (the whole lookup chained through an opaque zero). Every run adds
 * the floor ptr (the unit's address held in a register) and a
 * cycles_over_floor for every row. --cold K times isolated fenced reads
 * after K random pages (pages_on_path counted from the lookup's own
 * addresses). The TLB calibration read is named in the metadata, which
 * also goes to FILE.meta.json beside a CSV written with -o.
 *
 * For every requested strategy a runtime is brought up with the host's
 * CPUs as possible CPUs (so a logical id is a host id and the id from rseq
 * indexes the tables directly), the thread is pinned and enters its CPU.
 * Points are the product of the lists given (strategy x CPU-id source x
 * op x mode x vars x pressure), per page size and placement. Each point
 * runs its generated loop (access-loops.h: no call or switch per access)
 * for N and for 2N operations, --tries times, one try per round, a
 * sample's tries --repeat rounds apart (access-run.c); the least
 * (t - fixed cost) / ops of its batches is one sample (access-measure.c).
 * Rounds visit the points in a new random order each
 * time (seeded; the seed is in the metadata), with the core clock
 * calibrated every round when no PMU cycles counter exists.
 * Every sample is a row; aggregation happens when reading.
 */
#include "access-cmd.h"

/*
 * Plan: the measuring CPU and the TSC, the counters, the cold K list and
 * the pools (pressure working sets, the cold pool). *@stop on --dry-run.
 * Return: EXIT_OK, or the exit code (message printed).
 */
static int access_plan(struct run_ctx *c, const struct opts *o, bool *stop)
{
	struct pcnt_spec spec;
	char err[512];
	size_t i;
	int r, ret;

	c->cpu = o->cpu >= 0 ? (unsigned)o->cpu : (unsigned)bc_default_cpu();
	if (sched_getaffinity(0, sizeof(c->orig_affinity), &c->orig_affinity))
		return EXIT_FAIL;
	if (pt_pin_self((int)c->cpu)) {
		fprintf(stderr, "pcpubench access: cannot run on CPU %u (not "
			"allowed or offline)\n", c->cpu);
		return o->cpu >= 0 ? EXIT_USAGE : EXIT_SKIP;
	}
	if (pt_tsc_hz(&c->tsc_hz)) {
		fprintf(stderr, "pcpubench access: cannot measure the TSC rate\n");
		return EXIT_SKIP;
	}
	err[0] = 0;
	if (pcnt_spec_parse(&spec, o->events, err, sizeof(err))) {
		fprintf(stderr, "pcpubench access: --events: %s\n", err);
		return EXIT_USAGE;
	}
	if (o->out && (ret = bc_out_check("access", o->out)))
		return ret;
	if (bc_dry_run_stop("access")) {
		*stop = true;
		return EXIT_OK;
	}
	r = pcnt_open(&c->cs, &spec, 0, -1);
	if (r) {
		fprintf(stderr, "pcpubench access: counters: %s\n", strerror(-r));
		return EXIT_FAIL;
	}
	c->nev = pcnt_count(c->cs);
	c->pmu_cycles = pcnt_has_cycles(c->cs, &c->cyc_idx);
	acc_load_walk_penalty(c);
	pt_cycles_source_set_pmu(c->pmu_cycles);
	pcnt_enable(c->cs);
	c->vs = calloc(o->nvars, sizeof(*c->vs));
	c->pb = calloc(o->npressure, sizeof(*c->pb));
	if (!c->vs || !c->pb)
		return EXIT_FAIL;
	acc_cold_setup(c);
	if (c->ncold && (acc_pressure_make(&c->pool, COLD_POOL_PAGES, o->seed ^ 0xC01D) ||
			!(c->cold_buf = calloc((size_t)o->cold_samples,
					      sizeof(uint64_t))))) {
		fprintf(stderr, "pcpubench access: cannot allocate the %d-page "
			"cold pool\n", COLD_POOL_PAGES);
		return EXIT_FAIL;
	}
	for (i = 0; i < o->npressure; i++)
		if (acc_pressure_make(&c->pb[i], o->pressure[i], o->seed + i)) {
			fprintf(stderr, "pcpubench access: cannot allocate "
				"%zu pressure pages\n", o->pressure[i]);
			return EXIT_FAIL;
		}
	return EXIT_OK;
}

/* The metadata: everything the rows depend on that is not a row. */
static void access_meta(struct run_ctx *c, const struct opts *o,
			struct pout *out)
{
	double known;
	char b[128];
	size_t i;

	snprintf(b, sizeof(b), "%llu", (unsigned long long)o->seed);
	acc_meta_str(out, "seed", b);
	bq_meta(out, "access", 0);
	acc_meta_str(out, "cycles_source", pt_cycles_source());
	acc_meta_num(out, "tsc_hz", c->tsc_hz, "%.0f");
	if (!pt_tsc_known_hz(&known))
		acc_meta_num(out, "tsc_known_hz", known, "%.0f");
	else
		acc_meta_str(out, "tsc_known_hz", "not exposed by the kernel");
	acc_meta_str(out, "pfm_pmu", pcnt_pfm_pmu());
	acc_meta_str(out, "events", o->events);
	acc_meta_str(out, "perf_backend", pcnt_backend_name());
	{
		char plan[1024];

		struct pcnt_capacity cap;

		pcnt_plan_text(c->cs, plan, sizeof(plan));
		acc_meta_str(out, "counter_passes", plan);
		pcnt_capacity(&cap);
		snprintf(plan, sizeof(plan), "%u general-purpose (%s), %u fixed; "
			 "NMI watchdog %s", cap.gp, cap.source, cap.fixed,
			 cap.watchdog ? "holds one" : "holds none");
		acc_meta_str(out, "counters", plan);
		for (i = 0; i < c->nev; i++) {
			char k[PCNT_NAME_LEN + 16];

			snprintf(k, sizeof(k), "event_%s", pcnt_event(c->cs, i)->name);
			acc_meta_str(out, k, pcnt_event(c->cs, i)->path);
		}
	}
	if (o->cpuid_cid)
		acc_meta_str(out, "cpuid_cid", "cid: rseq mm_cid (the concurrency "
			 "id) from the area of rseq_mm_cid, indexing the same "
			 "table or area");
	acc_meta_str(out, "cpuid_sources", "rseq: glibc's rseq area cpu_id; "
		 "getcpu: sched_getcpu() (rseq not registered); tls: id kept "
		 "in a thread-local; implicit: none needed (segment, tls)");
	snprintf(b, sizeof(b), "%d", o->repeat);
	acc_meta_str(out, "repeat", b);
	snprintf(b, sizeof(b), "%d", o->tries);
	acc_meta_str(out, "tries", b);
	if (o->iters)
		snprintf(b, sizeof(b), "%llu", (unsigned long long)o->iters);
	else
		snprintf(b, sizeof(b), "auto: min-time %g s", o->min_time);
	acc_meta_str(out, "iters", b);
	acc_meta_str(out, "method", "per sample: tries of an N and a 2N batch, "
		 "one per round, a sample's tries repeat rounds apart; the "
		 "least (t - fixed cost) / ops of its batches; TSC to ns "
		 "with tsc_hz; cycles from cycles_source");
	acc_meta_str(out, "build_flags", PCPU_BUILD_FLAGS);
	acc_meta_str(out, "cc", PCPU_CC_VERSION);
	acc_meta_str(out, "revision", PCPU_GIT_REV);
	/* The one outside input: the TLB calibration. */
	acc_meta_str(out, "calibration_path", c->cal_path[0] ? c->cal_path : "none");
	acc_meta_str(out, "calibration_status", c->cal_status);
	acc_meta_str(out, "calibration_date", c->cal_ok ? c->cal.date : "NA");
	acc_meta_str(out, "calibration_host", c->cal_ok ? c->cal.host : "NA");
	acc_meta_str(out, "calibration_revision", !c->cal_ok ? "NA" :
		 c->cal.revision[0] ? c->cal.revision :
		 "unknown (written before revisions were recorded)");
	acc_meta_str(out, "modes", "throughput: independent accesses; latency: the "
		 "data chain (value read -> next offset); path: the whole "
		 "lookup chained (previous result via an opaque zero -> first "
		 "load of the path: CPU id, or the offset for segment/tls/ptr)");
	acc_meta_str(out, "phases", o->late ? "boot: the CPU online at init; "
		 "late: the runtime started with another CPU (or none) online, "
		 "the region allocated, then the CPU brought online; "
		 "interleaved repetition by repetition (boot, late)" :
		 "boot: the CPU online at init");
	acc_meta_str(out, "floor", "ptr: the unit's address computed once and held "
		 "in a register (borrowed from the first live strategy's unit); "
		 "cycles_over_floor = cycles minus ptr's, same op/mode/vars/"
		 "pressure/K, per repetition");
	if (c->ncold) {
		char kl[MAX_LIST * 12] = "";
		size_t q, len = 0;

		for (q = 0; q < c->ncold; q++)
			len += (size_t)snprintf(kl + len, sizeof(kl) - len,
						"%s%zu", q ? "," : "", c->cold[q]);
		acc_meta_str(out, "cold_pages_list", kl);
		acc_meta_str(out, "cold_pages_source", c->cold_src);
		snprintf(b, sizeof(b), "%d pages of 4 KiB, one line each, "
			 "random order", COLD_POOL_PAGES);
		acc_meta_str(out, "cold_pool", b);
		snprintf(b, sizeof(b), "%d per repetition, %.0f%% trimmed each "
			 "end", o->cold_samples, COLD_TRIM * 100);
		acc_meta_str(out, "cold_samples", b);
		acc_meta_str(out, "cold_method", "per sample: read one line in each "
			 "of K random pool pages; mfence; lfence; rdtscp; one "
			 "whole-path read; rdtscp; the trimmed mean minus that of "
			 "the same fenced empty path; TSC to cycles with the "
			 "calibrated core clock");
	}
}

/*
 * Run: every placement, phase and page size, each one configuration
 * (acc_run_config()), its rows written as it ends.
 * Return: EXIT_OK; EXIT_FAIL; the output's exit code when it failed
 * (then *@out is closed and NULL).
 */
static int access_run(struct run_ctx *c, const struct opts *o,
		      struct pout **out)
{
	double **cyc4k = NULL, t_start;
	size_t i, pl, pg, npts_prev = 0, maxpts, nchunk;
	struct opts o1;
	int r, ret = EXIT_OK, progress = 0;

	maxpts = acc_max_points(o);
	cyc4k = calloc(maxpts ? maxpts : 1, sizeof(*cyc4k));
	if (!cyc4k)
		return EXIT_FAIL;
	t_start = pt_now();
	/*
	 * With --late the phases are interleaved repetition by repetition:
	 * per placement, repetition r runs boot then late (each call one
	 * repetition, from its own runtimes), so what drifts over the run
	 * (the machine's load, the clock) falls on both phases alike.
	 */
	o1 = *o;
	o1.repeat = 1;
	c->nrep = o->repeat;
	nchunk = o->late ? (size_t)o->repeat : 1;
	for (pl = 0; pl < o->nplacement * (o->late ? 2 : 1) * nchunk; pl++) {
		size_t pli = o->late ? pl / (2 * nchunk) : pl;

		for (i = 0; i < maxpts; i++) {
			free(cyc4k[i]);
			cyc4k[i] = NULL;
		}
		c->o = o->late ? &o1 : o;
		for (pg = 0; pg < o->npage; pg++) {
			struct config_run cr = {
				.page_name = o->page[pg] == PAGE_4K ? "4k" : "2m",
				.page = o->page[pg],
				.placement = o->placement[pli],
				.late = o->late ? (int)(pl % 2) : 0,
				.rep_base = o->late ? (int)((pl / 2) % nchunk) : 0,
			};

			r = acc_run_config(c, &cr, *out, cyc4k, &npts_prev, t_start,
				       &progress);
			if (r && bc_exit_code(r) == EXIT_IO) {
				/* the output failed (disk full): exit 3 with
				 * the file named, as every command */
				ret = bc_out_close("access", *out);
				*out = NULL;
				goto done;
			}
			if (r) {
				fprintf(stderr, "pcpubench access: %s\n",
					strerror(-r));
				ret = EXIT_FAIL;
				goto done;
			}
		}
		c->o = o;
	}
	if (progress)
		fprintf(stderr, "\r%72s\r", "");
done:
	for (i = 0; i < maxpts; i++)
		free(cyc4k[i]);
	free(cyc4k);
	return ret;
}

static void access_free(struct run_ctx *c, struct opts *o)
{
	size_t i;

	for (i = 0; c->pb && i < o->npressure; i++)
		acc_pressure_free(&c->pb[i]);
	free(c->pb);
	free(c->vs);
	acc_pressure_free(&c->pool);
	free(c->cold_buf);
	pcnt_close(c->cs);
	acc_opts_free(o);
}

/* pcpubench access: options -> plan -> run (each configuration emits its
 * rows) -> close the output. */
int cmd_access(int argc, char **argv)
{
	struct opts o;
	struct run_ctx c;
	struct pout *out = NULL;
	const char *pnames[NCOLS];
	bool stop = false;
	size_t i;
	int r, ret;

	r = acc_parse_opts(argc, argv, &o);
	if (r) {
		acc_opts_free(&o);
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	}
	memset(&c, 0, sizeof(c));
	c.o = &o;
	ret = access_plan(&c, &o, &stop);
	if (ret || stop)
		goto done;
	for (i = 0; i < NCOLS; i++)
		pnames[i] = acc_col_names[i];
	ret = bc_out_open("access", &out, o.fmt, o.out, "access", pnames, NCOLS);
	if (ret)
		goto done;
	access_meta(&c, &o, out);
	ret = access_run(&c, &o, &out);
	if (ret || !out)
		goto done;
	bq_meta(out, "access", 1);
	r = bc_out_close("access", out);
	out = NULL;
	if (r)
		ret = r;
done:
	if (out)
		pout_abort(out);
	access_free(&c, &o);
	return ret;
}
