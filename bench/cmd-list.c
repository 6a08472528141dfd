// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-list.c - `pcpubench list`: the strategies (access method over
 * layout, and why one is unavailable here), the layouts, the access
 * methods, the access x layout matrix with the reason for every pair that
 * does not exist, the late-node policies, the workloads, and the counter
 * events known. Every name comes from the lists in lib/ and bench/.
 * `list --metrics` prints the metric list of lib/toolkit/pcpu-metrics.h (text,
 * or --format json for run.sh's metrics.json and the report).
 */
#include <stdio.h>
#include <string.h>

#include "pcpu.h"
#include "pcpu-counters.h"
#include "access.h"
#include "pcpu-metrics.h"
#include "bench-common.h"
#include "opts.h"
#include "pcpubench.h"
#include "cid.h"

static const struct opt_spec list_spec[] = {
	OPT_OWN_FLAG('m', "metrics",
"instead, every metric every benchmark emits: bench,\n"
"metric, unit, kind (ok, derived, estimated), zero\n"
"(an invariant that must be 0) and its meaning;\n"
"\"<event>\" in a name stands for a counter event\n"
"(page_walks, page-faults, pmu_cycles ...)"),
	OPT_CX(FORMAT, NULL, "text (default) or json (run.sh keeps it as\n"
			     "metrics.json in a results directory)", OPTF_NO_CSV, 0, 0),
	OPT_C(HELP, NULL),
	OPT_END
};

static const struct opts_cmd list_cmd = {
	.name = "list",
	.spec = list_spec,
	.head =
"usage: pcpubench list [--metrics [--format text|json]] [--help]\n\n"
"Prints the strategies (each an access method over a layout,\n"
"with \"unavailable: <reason>\" where a strategy cannot run\n"
"here), the layouts (where and when units live), the access\n"
"methods (how the hot path finds a unit), the access x layout\n"
"matrix (--layout takes any pair marked ok; the others with\n"
"their reason), the late-node policies (--late-node), the\n"
"workloads (the subcommands and\n"
"their operations), the page backings, the placements, and the\n"
"counter events known (default set, native set, libpfm4 PMU\n"
"table in use).\n\n",
};

/* The metric list, as text or one JSON object. */
static int list_metrics(enum pout_format f)
{
	size_t i;

	if (f == POUT_JSON) {
		printf("{\n  \"schema_version\": %d,\n  \"tool\": \"pcpubench\",\n"
		       "  \"metrics\": [", POUT_SCHEMA_VERSION);
		for (i = 0; i < pcpu_nmetrics; i++) {
			const struct pcpu_metric *m = &pcpu_metrics[i];

			printf("%s\n    {\"bench\": ", i ? "," : "");
			pout_json_str(stdout, m->bench);
			printf(", \"metric\": ");
			pout_json_str(stdout, m->name);
			printf(", \"unit\": ");
			pout_json_str(stdout, m->unit);
			printf(", \"kind\": \"%s\", \"zero\": %s, \"meaning\": ",
			       pcpu_metric_kind_name(m->kind),
			       m->zero ? "true" : "false");
			pout_json_str(stdout, m->meaning);
			putchar('}');
		}
		printf("\n  ]\n}\n");
		return EXIT_OK;
	}
	printf("%-13s %-32s %-11s %-9s %s\n", "bench", "metric", "unit", "kind",
	       "meaning");
	for (i = 0; i < pcpu_nmetrics; i++) {
		const struct pcpu_metric *m = &pcpu_metrics[i];

		printf("%-13s %-32s %-11s %-9s %s%s\n", m->bench, m->name, m->unit,
		       pcpu_metric_kind_name(m->kind),
		       m->zero ? "[must be 0] " : "", m->meaning);
	}
	return EXIT_OK;
}

/*
 * An access x layout table: "ok" where @invalid gives NULL, else a
 * numbered note ("(<prefix>N)") listed below the table.
 */
static void print_pairs(const char *(*invalid)(enum pcpu_access_id,
					      enum pcpu_layout_id),
			const char *prefix)
{
	const char *notes[PCPU_NR_ACCESSES * PCPU_NR_LAYOUTS];
	unsigned nn = 0, a, l, k;

	printf("  %-8s", "");
	for (l = PCPU_L_DEFAULT + 1; l < PCPU_NR_LAYOUTS; l++)
		printf(" %-7s", pcpu_layout_name((enum pcpu_layout_id)l));
	printf("\n");
	for (a = 0; a < PCPU_NR_ACCESSES; a++) {
		printf("  %-8s", pcpu_access_name((enum pcpu_access_id)a));
		for (l = PCPU_L_DEFAULT + 1; l < PCPU_NR_LAYOUTS; l++) {
			const char *why = invalid((enum pcpu_access_id)a,
						  (enum pcpu_layout_id)l);
			char cell[16];

			if (!why) {
				printf(" %-7s", "ok");
				continue;
			}
			for (k = 0; k < nn && strcmp(notes[k], why); k++)
				;
			if (k == nn)
				notes[nn++] = why;
			snprintf(cell, sizeof(cell), "(%s%u)", prefix, k + 1);
			printf(" %-7s", cell);
		}
		printf("\n");
	}
	for (k = 0; k < nn; k++)
		printf("  (%s%u) %s\n", prefix, k + 1, notes[k]);
}

/*
 * The strategies over the rseq concurrency id (pcpubench cid; access
 * --cpuid cid) and why cid indexing has no other access x layout pair.
 */
static void list_cid(void)
{
	const char *why;
	unsigned i;

	bc_cid_facts();
	why = pcpu_cid_unavailable();
	printf("\nid source cid (rseq mm_cid, the concurrency id: pcpubench cid;\n"
	       "access --cpuid cid)%s%s:\n", why ? ": unavailable: " : "",
	       why ? why : "");
	for (i = 0; i < PCPU_NR_CID_STRATEGIES; i++) {
		enum pcpu_cid_strategy_id s = (enum pcpu_cid_strategy_id)i;
		char pair[64];

		snprintf(pair, sizeof(pair), "%s/%s by %s",
			 pcpu_access_name(pcpu_cid_strategy_access(s)),
			 pcpu_layout_name(pcpu_cid_strategy_layout(s)),
			 pcpu_cid_index_name(pcpu_cid_strategy_index(s)));
		printf("  %-10s %-17s %s\n", pcpu_cid_strategy_name(s), pair,
		       pcpu_cid_strategy_desc(s));
	}
	printf("  cid x layout (ok: a strategy above; (cN): why not below):\n");
	print_pairs(pcpu_cid_pair_invalid, "c");
}

/* --metrics. Return: 1 set; 0. */
static int list_own(void *ctx, int c, const char *arg)
{
	*(bool *)ctx = true;
	return 0;
}

/* The strategies, layouts, access methods and their pairs. */
static void list_strategies(void)
{
	unsigned i;

	printf("strategies (access over layout):\n");
	for (i = 0; i < PCPU_NR_STRATEGIES; i++) {
		enum pcpu_strategy_id s = (enum pcpu_strategy_id)i;
		const char *why = pcpu_strategy_unavailable(s);
		char pair[64];

		snprintf(pair, sizeof(pair), "%s/%s",
			 pcpu_access_name(pcpu_strategy_access(s)),
			 pcpu_layout_name(pcpu_strategy_layout(s)));
		printf("  %-15s %-15s %s%s\n", pcpu_strategy_name(s), pair,
		       why ? "unavailable: " : "", why ? why : pcpu_strategy_desc(s));
	}
	printf("\nlayouts (where and when units live):\n");
	for (i = PCPU_L_DEFAULT + 1; i < PCPU_NR_LAYOUTS; i++)
		printf("  %-8s %s\n", pcpu_layout_name((enum pcpu_layout_id)i),
		       pcpu_layout_desc((enum pcpu_layout_id)i));
	printf("\naccess methods (how the hot path finds the unit):\n");
	for (i = 0; i < PCPU_NR_ACCESSES; i++) {
		const char *why = pcpu_access_unavailable((enum pcpu_access_id)i);

		printf("  %-8s %s%s\n", pcpu_access_name((enum pcpu_access_id)i),
		       why ? "unavailable: " : "",
		       why ? why : pcpu_access_desc((enum pcpu_access_id)i));
	}
	printf("\naccess x layout (--layout; ok, or (n): why not below):\n");
	print_pairs(pcpu_pair_invalid, "");
	list_cid();
}

/* The late-node policies, the workloads, backings, placements, events. */
static void list_rest(void)
{
	unsigned i;

	printf("\nlate-node policies (--late-node: what init knows about the node\n"
	       "of a CPU absent at init; present CPUs get their real node):\n");
	for (i = 0; i < PCPU_NR_LATE_NODES; i++) {
		struct pcpu_late_node ln = { .kind = (enum pcpu_late_node_kind)i };
		char name[32];

		pcpu_late_node_format(&ln, name, sizeof(name));
		if (i == PCPU_LATE_NODE)
			snprintf(name, sizeof(name), "node:N");
		printf("  %-11s %s%s\n", name, pcpu_late_node_desc(ln.kind),
		       i == 0 ? " [default]" : "");
	}
	printf("\nworkloads:\n");
#define LIST_X_CMD(name, desc) \
	if (strcmp(#name, "list") && strcmp(#name, "info")) \
		printf("  %-13s %s\n", #name, desc);
	PCPUBENCH_COMMANDS(LIST_X_CMD)
#undef LIST_X_CMD
	printf("  access ops:  ");
#define LIST_X_AL(id, name) printf(" %s", name);
	AL_OPS(LIST_X_AL)
	printf(" (inc: 64-bit add 1); modes");
	AL_MODES(LIST_X_AL)
#undef LIST_X_AL
	printf(", and cold (--cold K: one isolated access after K pages)\n");
	printf("\nbackings:\n");
#define LIST_X_BACKING(id, name, desc) printf("  %-13s %s\n", name, desc);
	PCPU_BACKINGS(LIST_X_BACKING)
#undef LIST_X_BACKING
	printf("  (2m is an alias of thp)\n");
	printf("\nplacements:\n  local, interleave, node:N\n");
	printf("\ncounter events:\n");
	printf("  default:      %s\n", pcnt_default_list());
	printf("  native:       %s\n", pcnt_native_list());
	printf("  libpfm4 PMU:  %s\n", pcnt_pfm_pmu());
	printf("  also:         sw, none, no-split (one group, must fit), "
	       "raw rXXXX,\n"
	       "                perf-style names of the event tables "
	       "(events/), libpfm4\n"
	       "                names (upper case), generic cycles, "
	       "instructions, dTLB-loads,\n"
	       "                dTLB-load-misses, dTLB-store-misses, "
	       "node-loads, node-load-misses\n");
	printf("  (pcpubench info shows which of them can be read here, and "
	       "how)\n");
}

int cmd_list(int argc, char **argv)
{
	struct opts_common oc;
	bool metrics = false;
	int r;

	opts_init(&oc);
	r = opts_parse(&list_cmd, argc, argv, &oc, list_own, &metrics);
	if (r)
		return opts_exit(r);
	if (opts_given(&oc, OPT_FORMAT) && !metrics) {
		fprintf(stderr, "pcpubench list: --format goes with --metrics\n");
		return EXIT_USAGE;
	}
	if (bc_dry_run_stop("list"))
		return EXIT_OK;
	if (metrics)
		return list_metrics(opts_given(&oc, OPT_FORMAT) ? oc.fmt : POUT_TEXT);
	list_strategies();
	list_rest();
	return EXIT_OK;
}
