// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-modules.c - `pcpubench modules`: modules' per-CPU memory under the
 * three placements of the 2006 thread, in the runtime (lib/runtime/
 * pcpu-modules.c): today's fixed reserve (reserve:K, the kernel's
 * r8192), the alignment slack of the static section (slack) and a
 * dedicated VM area (vm:online, vm:possible).
 *
 * For a stream of module section sizes (default: every module of the
 * Debian 6.1 kernel package with a .data..percpu section, the data file
 * bench/data/percpu-sizes-debian-6.1.csv compiled in) and each policy:
 * the stream loaded once (what fits, memory reserved and committed, for
 * possible against online CPUs, measured with mincore), then cycled until
 * the first refusal (how many loads the region takes), then load/unload
 * churn (the largest section that still fits, fragmentation). With
 * --access, per strategy: the cost of reading a module variable against
 * a boot variable (whole lookup path, and cold after K pages), and the
 * distinct 4 KiB pages each lookup touches.
 *
 * `--scan DIR` prints the data file of the .ko files under DIR (how the
 * Debian file was made: see its header).
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "access.h"
#include "bench-common.h"
#include "pcpu-access.h"
#include "pcpu-file.h"
#include "pcpu-kmods.h"
#include "pcpu-modules.h"
#include "pcpu-timing.h"
#include "pcpubench.h"

/* The Debian data file, compiled in (one copy of the data: the file). */
__asm__(".section .rodata.pcpu_modsizes,\"a\"\n"
	".global pcpu_debian_modsizes\n"
	"pcpu_debian_modsizes:\n"
	".incbin \"bench/data/percpu-sizes-debian-6.1.csv\"\n"
	".byte 0\n"
	".previous\n");
extern const char pcpu_debian_modsizes[];
#define DEBIAN_STREAM "debian-6.1"

/* A boot variable: in the static section, like the kernel's own. */
DEFINE_PCPU(uint64_t, mod_boot_var) = 0x626f6f74ULL;

#define MAX_SECTIONS 65536
#define MAX_LOADS 200000
#define COLD_SAMPLES 301

struct section {
	char name[48];
	size_t size, align;
};

struct stream {
	char name[64];
	struct section *s;
	size_t n;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: pcpubench modules [OPTIONS]\n"
"       pcpubench modules --scan DIR [--source TEXT]\n\n"
"Modules' per-CPU sections (a module's DEFINE_PER_CPU data) under three\n"
"placements: reserve:K (today's kernel: K bytes per unit fixed at init,\n"
"the boot line's r8192; refused when full: \"Could not allocate N bytes\n"
"percpu data\"), slack (the free space page-aligning the static section\n"
"leaves in each unit, then refused) and vm (a dedicated VM area with the\n"
"units' geometry, each section committed on load for online CPUs,\n"
"vm:online, or every possible one, vm:possible, on each CPU's node).\n"
"For a stream of section sizes, per policy: the stream loaded once\n"
"(sections and bytes that fit; bytes reserved and committed, measured,\n"
"for possible against online CPUs), then cycled until the first refusal\n"
"(loads_until_refusal, refused_bytes), then --churn rounds of unload and\n"
"load (largest_fit_bytes, free_bytes, fragmentation_pct). With --access,\n"
"per strategy and policy: a module variable against a boot variable,\n"
"the whole lookup path (path_ns) and cold after --cold K pages (cold_ns),\n"
"and the 4 KiB pages the lookup touches (pages_on_path).\n\n"
"  --policy LIST     reserve[:K], slack, vm[:online], vm:possible (default\n"
"                    reserve:8192,slack,vm:online,vm:possible)\n"
"  --sizes LIST|@F   the stream: sizes in bytes with an optional :ALIGN\n"
"                    (\"100,3000:64\"), or @FILE in the data file format\n"
"                    (module,percpu_bytes,align); default: every Debian 6.1\n"
"                    module with a per-CPU section (compiled in)\n"
"  --order O         file, random, ascending, descending (default random)\n"
"  --seed N          seed of the random order and the churn (default 1)\n"
"  --churn N         unload/load rounds (default 2000)\n"
"  --strategy LIST   strategies for the memory rows (default offset-array)\n"
"                    and, with --access, for the access rows (default\n"
"                    offset-array,segment,vm-area,hybrid,tls)\n"
"  --possible N|LIST possible CPUs (default 1024)\n"
"  --online N|LIST   online CPUs (default 16)\n"
"  --page P          the units' backing: 4k, thp (default 4k); the VM area\n"
"                    is 4 KiB pages\n"
"  --unit BYTES      unit size (the vm area per CPU has the unit's size)\n"
"  --access          also measure module-variable access\n"
"  --cold K          pages touched before each cold read (default 8192)\n"
"  --repeat N        repetitions of the access rows (default 5)\n"
"  --format F        text, csv, json (default: text on a terminal)\n"
"  -o, --output FILE write there (atomically) instead of stdout\n"
"  -h, --help        this text\n\n"
"Exit: 0 ok, 1 failure, 2 usage (a size 0, larger than the unit, an\n"
"alignment not a power of two, an unknown policy), 3 output not written,\n"
"4 cannot run here.\n");
}

/* ---- the stream --------------------------------------------------------- */

static bool pow2(size_t v)
{
	return v && !(v & (v - 1));
}

static int stream_add(struct stream *st, const char *name, unsigned long long size,
		      unsigned long long align, const char *where)
{
	struct section *s;

	if (!size || size > (256ULL << 20)) {
		fprintf(stderr, "pcpubench modules: %s: section size %llu is not in "
			"1..268435456\n", where, size);
		return -EINVAL;
	}
	if (!pow2((size_t)align) || align > PCPU_PAGE_SIZE) {
		fprintf(stderr, "pcpubench modules: %s: alignment %llu is not a "
			"power of two up to 4096\n", where, align);
		return -EINVAL;
	}
	if (st->n == MAX_SECTIONS) {
		fprintf(stderr, "pcpubench modules: %s: more than %d sections\n",
			where, MAX_SECTIONS);
		return -EINVAL;
	}
	if (!(st->n & 1023)) {
		s = realloc(st->s, (st->n + 1024) * sizeof(*s));
		if (!s)
			return -ENOMEM;
		st->s = s;
	}
	s = &st->s[st->n++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->size = (size_t)size;
	s->align = (size_t)align;
	return 0;
}

static int parse_num(const char *p, char **end, unsigned long long *v)
{
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(p, end, 10);
	return errno ? -EINVAL : 0;
}

/* The data file: '#' comments, a header "module,percpu_bytes,align". */
static int stream_parse_file(struct stream *st, const char *text, const char *what)
{
	const char *line = text;
	unsigned lineno = 0;
	bool header = false;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[256], where[160], *c1, *c2, *end;
		unsigned long long size, align;
		int ret;

		lineno++;
		if (len >= sizeof(buf)) {
			fprintf(stderr, "pcpubench modules: %s:%u: line too long\n",
				what, lineno);
			return -EINVAL;
		}
		memcpy(buf, line, len);
		buf[len] = '\0';
		line += len + (nl ? 1 : 0);
		if (!buf[0] || buf[0] == '#')
			continue;
		if (!header) {
			if (strcmp(buf, "module,percpu_bytes,align")) {
				fprintf(stderr, "pcpubench modules: %s:%u: expected the "
					"header module,percpu_bytes,align\n", what, lineno);
				return -EINVAL;
			}
			header = true;
			continue;
		}
		snprintf(where, sizeof(where), "%.100s:%u", what, lineno);
		c1 = strchr(buf, ',');
		c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (!c1 || !c2 || parse_num(c1 + 1, &end, &size) || end != c2 ||
		    parse_num(c2 + 1, &end, &align) || *end) {
			fprintf(stderr, "pcpubench modules: %s: not "
				"module,percpu_bytes,align\n", where);
			return -EINVAL;
		}
		*c1 = '\0';
		ret = stream_add(st, buf, size, align, where);
		if (ret)
			return ret;
	}
	if (!st->n) {
		fprintf(stderr, "pcpubench modules: %s: no sections\n", what);
		return -EINVAL;
	}
	return 0;
}

static int stream_load(struct stream *st, const char *arg)
{
	const char *p, *comma;
	int ret;

	memset(st, 0, sizeof(*st));
	if (!arg) {
		snprintf(st->name, sizeof(st->name), DEBIAN_STREAM);
		return stream_parse_file(st, pcpu_debian_modsizes, DEBIAN_STREAM);
	}
	if (arg[0] == '@') {
		/* the one bounded reader: a FIFO or device is refused unread */
		char *text, err[160] = "";
		int r = pcpu_file_read(arg + 1, 16u << 20, &text, NULL, err,
				       sizeof(err));

		if (r) {
			fprintf(stderr, "pcpubench modules: --sizes %.100s: %s\n",
				arg, err[0] ? err : strerror(-r));
			return -EINVAL;
		}
		snprintf(st->name, sizeof(st->name), "file:%.50s",
			 strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg + 1);
		ret = stream_parse_file(st, text, arg + 1);
		free(text);
		return ret;
	}
	/* Not bc_split(): a stream repeats sizes, in order. */
	snprintf(st->name, sizeof(st->name), "list");
	for (p = arg; ; p = comma + 1) {
		unsigned long long size, align = 8;
		char *end, where[96], tok[64];
		size_t len;

		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		snprintf(where, sizeof(where), "--sizes '%.*s'", (int)(len < 60 ? len : 60), p);
		if (!len || len >= sizeof(tok)) {
			fprintf(stderr, "pcpubench modules: %s: not SIZE or "
				"SIZE:ALIGN\n", where);
			return -EINVAL;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (parse_num(tok, &end, &size) ||
		    (*end == ':' && parse_num(end + 1, &end, &align)) || *end) {
			fprintf(stderr, "pcpubench modules: %s: not SIZE or "
				"SIZE:ALIGN\n", where);
			return -EINVAL;
		}
		ret = stream_add(st, tok, size, align, where);
		if (ret)
			return ret;
		if (!comma)
			break;
	}
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	const struct section *x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

static int order_apply(struct stream *st, const char *order, uint64_t seed)
{
	size_t i;

	if (!strcmp(order, "file"))
		return 0;
	if (!strcmp(order, "ascending") || !strcmp(order, "descending")) {
		qsort(st->s, st->n, sizeof(*st->s), cmp_size);
		if (order[0] == 'd')
			for (i = 0; i < st->n / 2; i++) {
				struct section t = st->s[i];

				st->s[i] = st->s[st->n - 1 - i];
				st->s[st->n - 1 - i] = t;
			}
		return 0;
	}
	if (!strcmp(order, "random")) {
		uint64_t r = seed * 2654435761ULL + 1;

		pcpu_rng_shuffle(st->s, st->n, sizeof(*st->s), &r);
		return 0;
	}
	return -EINVAL;
}

/* ---- --scan: the data file of a directory of .ko ------------------------ */

static struct stream *scan_st;
static unsigned scan_read, scan_bad;

static int scan_one(const char *path, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	size_t len = strlen(path), size, align;
	const char *base = path + ftw->base;
	char name[48];

	(void)sb;
	if (type != FTW_F || len < 4 || strcmp(path + len - 3, ".ko"))
		return 0;
	scan_read++;
	if (pcpu_ko_percpu(path, &size, &align)) {
		scan_bad++;
		fprintf(stderr, "pcpubench modules: --scan: %s: not an ELF64 "
			"module\n", path);
		return 0;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - 3), base);
	if (size && stream_add(scan_st, name, size, align, path))
		scan_bad++;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct section *)a)->name,
		      ((const struct section *)b)->name);
}

static int scan(const char *dir, const char *source)
{
	struct stream st = { 0 };
	size_t i;

	scan_st = &st;
	if (nftw(dir, scan_one, 32, FTW_PHYS)) {
		fprintf(stderr, "pcpubench modules: --scan %s: %s\n", dir,
			strerror(errno));
		free(st.s);
		return EXIT_USAGE;
	}
	if (scan_bad) {
		free(st.s);
		return EXIT_FAIL;
	}
	qsort(st.s, st.n, sizeof(*st.s), cmp_name);
	printf("# pcpubench module per-CPU section sizes (.data..percpu)\n");
	if (source)
		printf("# source: %s\n", source);
	printf("# made by: pcpubench modules --scan DIR (ELF section headers "
	       "of every *.ko)\n");
	printf("# modules read: %u; with a .data..percpu section: %zu\n",
	       scan_read, st.n);
	printf("module,percpu_bytes,align\n");
	for (i = 0; i < st.n; i++)
		printf("%s,%zu,%zu\n", st.s[i].name, st.s[i].size, st.s[i].align);
	free(st.s);
	return EXIT_OK;
}

/* ---- rows ------------------------------------------------------------------ */

enum { P_POLICY, P_STRATEGY, P_ACCESS, P_LAYOUT, P_STREAM, P_ORDER,
       P_POSSIBLE, P_ONLINE, P_PAGE, P_VAR, NR_P };
static const char *const params[NR_P] = { "policy", "strategy", "access",
	"layout", "stream", "order", "possible", "online", "page", "var" };

struct opts {
	const char *policies, *sizes, *order, *strategies, *possible, *online;
	const char *page, *out, *fmt, *scan, *source;
	unsigned long churn, cold, repeat, unit, seed;
	bool access;
};

static int row(struct pout *o, const char **pv, int rep, const char *m,
	       double v, const char *unit, const char *status)
{
	return pout_row(o, pv, rep, m, v, unit, status);
}

/* The stream's own distribution: count, median, max, top 20. */
static void stream_rows(struct pout *o, const char **pv, const struct stream *st)
{
	struct section *s = malloc(st->n * sizeof(*s));
	double sum = 0, top = 0, med;
	size_t i;

	if (!s)
		return;
	memcpy(s, st->s, st->n * sizeof(*s));
	qsort(s, st->n, sizeof(*s), cmp_size);
	for (i = 0; i < st->n; i++) {
		sum += (double)s[i].size;
		if (i + 20 >= st->n)
			top += (double)s[i].size;
	}
	med = st->n % 2 ? (double)s[st->n / 2].size :
	      ((double)s[st->n / 2 - 1].size + (double)s[st->n / 2].size) / 2;
	row(o, pv, 0, "stream_sections", (double)st->n, "sections", "ok");
	row(o, pv, 0, "stream_bytes", sum, "bytes", "ok");
	row(o, pv, 0, "stream_median_bytes", med, "bytes", "derived");
	row(o, pv, 0, "stream_largest_bytes", (double)s[st->n - 1].size, "bytes", "ok");
	row(o, pv, 0, "stream_top20_bytes", top, "bytes", "derived");
	free(s);
}

struct loaded {
	pcpu_off_t *off;
	size_t n;
};

/* One policy over one strategy: the memory and churn rows. */
static int run_policy(struct pout *o, const struct opts *op,
		      const struct stream *st, const struct pcpu_mod_policy *pol,
		      enum pcpu_strategy_id sid, struct pcpu_config *cfg,
		      const char **pv)
{
	struct loaded ld = { 0 };
	struct pcpu_mod_mem mm;
	struct pcpu_rt *rt;
	char err[320], na[400];
	size_t i, once = 0, loads = 0, refused = 0, churn_ref = 0;
	double once_bytes = 0;
	uint64_t rng = op->seed * 0x9e3779b97f4a7c15ULL + 7;
	int ret;

	cfg->strategy = sid;
	cfg->modules = pol;
	err[0] = '\0';
	ret = pcpu_rt_init(&rt, cfg, err, sizeof(err));
	if (ret == -ENOTSUP) {
		bc_na_status(na, sizeof(na), "not-supported", err);
		row(o, pv, 0, "loaded_sections", NAN, "sections", na);
		return 0;
	}
	if (ret) {
		fprintf(stderr, "pcpubench modules: %s: %s\n",
			pcpu_strategy_name(sid), err[0] ? err : strerror(-ret));
		return bc_rt_exit(ret, cfg);
	}
	ld.off = malloc(MAX_LOADS * sizeof(*ld.off));
	if (!ld.off) {
		pcpu_rt_fini(rt);
		return EXIT_FAIL;
	}
	/* The stream once. */
	for (i = 0; i < st->n; i++) {
		ret = pcpu_mod_load(rt, st->s[i].size, st->s[i].align, NULL,
				    &ld.off[ld.n]);
		if (ret == -EINVAL) {
			fprintf(stderr, "pcpubench modules: section %s of %zu bytes "
				"does not fit a %zu-byte unit\n", st->s[i].name,
				st->s[i].size, pcpu_rt_unit_size(rt));
			ret = EXIT_USAGE;
			goto out;
		}
		if (ret)
			break;
		ld.n++;
		once++;
		once_bytes += (double)st->s[i].size;
	}
	if (ret && ret != -ENOSPC) {
		fprintf(stderr, "pcpubench modules: load: %s\n", strerror(-ret));
		ret = bc_exit_code(ret);
		goto out;
	}
	pcpu_mod_account(rt, &mm);
	row(o, pv, 0, "region_bytes", (double)mm.region_bytes, "bytes", "ok");
	row(o, pv, 0, "loaded_sections", (double)once, "sections", "ok");
	row(o, pv, 0, "loaded_bytes", once_bytes, "bytes", "ok");
	row(o, pv, 0, "copies", (double)mm.nr_copies, "units", "ok");
	row(o, pv, 0, "reserved_bytes", (double)mm.reserved_bytes, "bytes", "ok");
	row(o, pv, 0, "committed_bytes", (double)mm.committed_bytes, "bytes", "ok");
	row(o, pv, 0, "committed_online_bytes", (double)mm.committed_online_bytes,
	    "bytes", "ok");
	if (once)
		row(o, pv, 0, "committed_per_section_bytes",
		    (double)mm.committed_bytes / (double)once, "bytes", "derived");
	else
		row(o, pv, 0, "committed_per_section_bytes", NAN, "bytes",
		    "na:no-section-loaded");
	/* Cycled until the first refusal. */
	loads = once;
	for (i = once % st->n; !refused && loads < MAX_LOADS; i = (i + 1) % st->n) {
		ret = pcpu_mod_load(rt, st->s[i].size, st->s[i].align, NULL,
				    &ld.off[ld.n]);
		if (ret == -ENOSPC) {
			refused = st->s[i].size;
			break;
		}
		if (ret) {
			fprintf(stderr, "pcpubench modules: load: %s\n", strerror(-ret));
			ret = bc_exit_code(ret);
			goto out;
		}
		ld.n++;
		loads++;
	}
	row(o, pv, 0, "loads_until_refusal", (double)loads, "loads",
	    refused ? "ok" : "na:no-refusal-within-200000-loads");
	row(o, pv, 0, "refused_bytes", refused ? (double)refused : NAN, "bytes",
	    refused ? "ok" : "na:no-refusal-within-200000-loads");
	/* Churn: unload a random section, load a random one of the stream. */
	for (i = 0; i < op->churn && ld.n; i++) {
		size_t k = (size_t)(pcpu_rng_next(&rng) % ld.n);
		const struct section *s = &st->s[pcpu_rng_next(&rng) % st->n];

		if (pcpu_mod_unload(rt, ld.off[k]))
			break;
		ld.off[k] = ld.off[--ld.n];
		if (pcpu_mod_load(rt, s->size, s->align, NULL, &ld.off[ld.n]))
			churn_ref++;
		else
			ld.n++;
	}
	pcpu_mod_account(rt, &mm);
	row(o, pv, 0, "churn_refusals", (double)churn_ref, "loads", "ok");
	row(o, pv, 0, "largest_fit_bytes", (double)mm.largest_free, "bytes", "ok");
	row(o, pv, 0, "free_bytes", (double)(mm.region_bytes - mm.used_bytes),
	    "bytes", "ok");
	if (mm.region_bytes > mm.used_bytes)
		row(o, pv, 0, "fragmentation_pct", 100.0 * (1.0 -
		    (double)mm.largest_free / (double)(mm.region_bytes - mm.used_bytes)),
		    "pct", "derived");
	else
		row(o, pv, 0, "fragmentation_pct", NAN, "pct", "na:region-full");
	ret = 0;
out:
	pcpu_rt_fini(rt);
	free(ld.off);
	return ret;
}

/* ---- access: a module variable against a boot variable ------------------- */

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Distinct 4 KiB pages the lookup of @off touches on logical CPU @cpu. */
static double path_pages(struct pcpu_rt *rt, enum pcpu_access_id m, unsigned cpu,
			 pcpu_off_t off, uintptr_t also, char *st, size_t stlen)
{
	uintptr_t a[5];
	size_t n = 0, i, j, d = 0;
	struct pcpu_acc_ctx ctx;

	pcpu_rt_acc_ctx(rt, &ctx);
	snprintf(st, stlen, "ok");
	if (m == PCPU_A_TABLE || m == PCPU_A_SHIFT)
		a[n++] = (uintptr_t)&pcpu_tls_cpu;
	if (m == PCPU_A_TABLE)
		a[n++] = (uintptr_t)&ctx.table[cpu];
	if (m == PCPU_A_TLS)
		a[n++] = (uintptr_t)PCPU_PTR_TLS(off);
	else if (m == PCPU_A_SHIFT)
		a[n++] = (uintptr_t)PCPU_PTR_SHIFT(ctx.base, ctx.shift, cpu, off);
	else	/* table and segment: the unit's base + off */
		a[n++] = ctx.table && m == PCPU_A_TABLE ?
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

struct acc_ctx {
	double tsc_hz, core_hz;
	uintptr_t *pool;
	size_t pool_pages;
	void *pool_map;
	uint64_t rng;
};

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
static double time_cold(struct acc_ctx *c, al_cold_fn fn, al_cold_fn empty,
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

static int run_access(struct pout *o, const struct opts *op, struct acc_ctx *c,
		      const struct pcpu_mod_policy *pol, enum pcpu_strategy_id sid,
		      struct pcpu_config *cfg, const char **pv)
{
	static const char *const vars[2] = { "boot", "module" };
	enum pcpu_access_id m = pcpu_strategy_access(sid);
	enum al_cpuid cid;
	struct pcpu_rt *rt;
	pcpu_off_t off[2];
	char err[320], na[400], st[64];
	uint64_t init = 0x6d6f64ULL;
	double path[2][64], cold[2][64];
	unsigned cpu;
	int ret, r, v;

	cid = al_cpuid_default(m);
	cfg->strategy = sid;
	cfg->modules = pol;
	err[0] = '\0';
	ret = pcpu_rt_init(&rt, cfg, err, sizeof(err));
	if (ret == -ENOTSUP) {
		bc_na_status(na, sizeof(na), "not-supported", err);
		for (v = 0; v < 2; v++) {
			pv[P_VAR] = vars[v];
			row(o, pv, 0, "path_ns", NAN, "ns", na);
		}
		return 0;
	}
	if (ret) {
		fprintf(stderr, "pcpubench modules: %s: %s\n",
			pcpu_strategy_name(sid), err[0] ? err : strerror(-ret));
		return bc_rt_exit(ret, cfg);
	}
	off[0] = PCPU_OFF(mod_boot_var);
	ret = pcpu_mod_load(rt, 64, 64, &init, &off[1]);
	if (ret) {
		bc_na_status(na, sizeof(na), "cannot-load", strerror(-ret));
		for (v = 0; v < 2; v++) {
			pv[P_VAR] = vars[v];
			row(o, pv, 0, "path_ns", NAN, "ns", na);
		}
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
	for (r = 0; r < (int)op->repeat; r++) {
		for (v = 0; v < 2; v++) {
			int vv = (r & 1) ? 1 - v : v;	/* alternate the order */
			struct pcpu_acc_ctx ctx;
			struct al_args a;
			uintptr_t offs[1] = { off[vv] };

			memset(&a, 0, sizeof(a));
			pcpu_rt_acc_ctx(rt, &ctx);
			a.ctx = ctx;
			a.offs = offs;
			a.next = offs;
			a.nvars = 1;
			a.first = offs[0];
			path[vv][r] = time_path(al_lookup(m, cid, AL_OP_READ,
							  AL_MODE_PATH, 0), &a) /
				      c->tsc_hz * 1e9;
			cold[vv][r] = c->pool ? time_cold(c, al_cold_lookup(m, cid),
					al_cold_lookup(AL_A_EMPTY, AL_CPUID_IMPLICIT),
					&a, op->cold) / c->tsc_hz * 1e9 : NAN;
		}
	}
	for (v = 0; v < 2; v++) {
		double pages;

		pv[P_VAR] = vars[v];
		pages = path_pages(rt, m, cpu, off[v], 0, st, sizeof(st));
		for (r = 0; r < (int)op->repeat; r++) {
			row(o, pv, r, "path_ns", path[v][r], "ns", "ok");
			row(o, pv, r, "path_cycles", path[v][r] * c->core_hz / 1e9,
			    "cycles", "estimated");
			if (c->pool) {
				row(o, pv, r, "cold_ns", cold[v][r], "ns", "ok");
				row(o, pv, r, "cold_cycles", cold[v][r] * c->core_hz / 1e9,
				    "cycles", "estimated");
			}
		}
		row(o, pv, 0, "pages_on_path", pages, "pages", st);
		if (v == 1) {
			/* A path that also reads a boot variable: does the
			 * module's copy cost a page (a TLB entry) more? */
			uintptr_t bv = m == PCPU_A_TLS ?
				(uintptr_t)PCPU_PTR_TLS(off[0]) :
				(uintptr_t)pcpu_ptr(rt, cpu, off[0]);

			pages = path_pages(rt, m, cpu, off[1], bv, st, sizeof(st));
			row(o, pv, 0, "pages_with_boot_var", pages, "pages", st);
		}
	}
	pv[P_VAR] = "-";
	pcpu_thread_leave(rt);
	pcpu_rt_fini(rt);
	return 0;
}

static int acc_setup(struct acc_ctx *c, const struct opts *op)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->rng = op->seed * 0x2545f4914f6cdd1dULL + 3;
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

static void acc_free(struct acc_ctx *c)
{
	if (c->pool) {
		munmap(c->pool_map, c->pool_pages * PCPU_PAGE_SIZE);
		free(c->pool);
	}
}

int cmd_modules(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "policy", required_argument, NULL, 'P' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "order", required_argument, NULL, 'O' },
		{ "seed", required_argument, NULL, 'S' },
		{ "churn", required_argument, NULL, 'c' },
		{ "strategy", required_argument, NULL, 's' },
		{ "possible", required_argument, NULL, 'p' },
		{ "online", required_argument, NULL, 'n' },
		{ "page", required_argument, NULL, 'g' },
		{ "unit", required_argument, NULL, 'u' },
		{ "access", no_argument, NULL, 'a' },
		{ "cold", required_argument, NULL, 'k' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "scan", required_argument, NULL, 'D' },
		{ "source", required_argument, NULL, 'E' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct opts op = { .policies = "reserve:8192,slack,vm:online,vm:possible",
			   .order = "random", .possible = "1024", .online = "16",
			   .page = "4k", .churn = 2000, .cold = 8192, .repeat = 5,
			   .seed = 1 };
	struct pcpu_mod_policy pols[BC_MAX_LIST];
	char ptok[BC_MAX_LIST][64], pname[BC_MAX_LIST][64];
	enum pcpu_strategy_id ids[PCPU_NR_STRATEGIES];
	struct pcpu_config cfg = { 0 };
	struct stream st;
	struct acc_ctx ac;
	enum pout_format f;
	struct pout *o;
	const char *pv[NR_P];
	char err[256], pos[256], onl[64];
	int c, np, ns, i, j, ret = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'P': op.policies = optarg; break;
		case 'z': op.sizes = optarg; break;
		case 'O': op.order = optarg; break;
		case 's': op.strategies = optarg; break;
		case 'p': op.possible = optarg; break;
		case 'n': op.online = optarg; break;
		case 'g': op.page = optarg; break;
		case 'a': op.access = true; break;
		case 'D': op.scan = optarg; break;
		case 'E': op.source = optarg; break;
		case 'f': op.fmt = optarg; break;
		case 'o': op.out = optarg; break;
		case 'S':
			if (bc_count("modules", "--seed", optarg, 0, ~0UL, &op.seed))
				return EXIT_USAGE;
			break;
		case 'c':
			if (bc_count("modules", "--churn", optarg, 0, 10000000, &op.churn))
				return EXIT_USAGE;
			break;
		case 'k':
			if (bc_count("modules", "--cold", optarg, 0, 1 << 20, &op.cold))
				return EXIT_USAGE;
			break;
		case 'r':
			if (bc_count("modules", "--repeat", optarg, 1, 64, &op.repeat))
				return EXIT_USAGE;
			break;
		case 'u':
			if (bc_count("modules", "--unit", optarg, 4096, 256UL << 20,
				     &op.unit))
				return EXIT_USAGE;
			break;
		default:
			return bc_help_or_bad(c, usage);
		}
	}
	if (bc_no_extra_args("modules", argc, argv, optind))
		return EXIT_USAGE;
	if (op.scan) {
		if (bc_dry_run_stop("modules"))
			return EXIT_OK;
		return scan(op.scan, op.source);
	}
	np = bc_split(op.policies, ptok, BC_MAX_LIST);
	if (np <= 0) {
		fprintf(stderr, "pcpubench modules: --policy '%s': not a list\n",
			op.policies);
		return EXIT_USAGE;
	}
	for (i = 0; i < np; i++) {
		if (pcpu_mod_policy_parse(ptok[i], &pols[i])) {
			fprintf(stderr, "pcpubench modules: --policy '%s': not "
				"reserve[:K] (K a multiple of 4), slack, vm, "
				"vm:online or vm:possible\n", ptok[i]);
			return EXIT_USAGE;
		}
		pcpu_mod_policy_format(&pols[i], pname[i], sizeof(pname[i]));
	}
	if (strcmp(op.order, "file") && strcmp(op.order, "random") &&
	    strcmp(op.order, "ascending") && strcmp(op.order, "descending")) {
		fprintf(stderr, "pcpubench modules: --order '%s': not file, random, "
			"ascending or descending\n", op.order);
		return EXIT_USAGE;
	}
	if (!op.strategies)
		op.strategies = op.access ? "offset-array,segment,vm-area,hybrid,tls" :
			        "offset-array";
	ns = bc_strategy_pairs("modules", op.strategies, ids, PCPU_NR_STRATEGIES,
			       PCPU_L_DEFAULT);
	if (ns < 0)
		return EXIT_USAGE;
	if (pcpu_backing_lookup(op.page, &cfg.backing) ||
	    cfg.backing == PCPU_BACKING_HUGETLB) {
		fprintf(stderr, "pcpubench modules: --page '%s': not 4k or thp\n",
			op.page);
		return EXIT_USAGE;
	}
	f = bc_default_format(op.out);
	if (op.fmt && pout_format_parse(op.fmt, &f)) {
		fprintf(stderr, "pcpubench modules: unknown format '%s' (text, csv, "
			"json)\n", op.fmt);
		return EXIT_USAGE;
	}
	ret = stream_load(&st, op.sizes);
	if (ret)
		return ret == -EINVAL ? EXIT_USAGE : bc_exit_code(ret);
	if (order_apply(&st, op.order, op.seed)) {
		free(st.s);
		return EXIT_USAGE;
	}
	cfg.possible = op.possible;
	cfg.online = op.online;
	cfg.unit_size = op.unit;
	{
		/* --possible/--online checked here, before any output */
		struct pcpu_rt *rt;

		cfg.strategy = ids[0];
		err[0] = '\0';
		ret = pcpu_rt_init(&rt, &cfg, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "pcpubench modules: %s\n",
				err[0] ? err : strerror(-ret));
			free(st.s);
			return bc_rt_exit(ret, &cfg);
		}
		bc_cpuset_param(pcpu_rt_possible(rt), pos, sizeof(pos));
		{
			struct pcpu_cpuset on;

			pcpu_rt_online_set(rt, &on);
			snprintf(onl, sizeof(onl), "%u", pcpu_cpuset_count(&on));
		}
		for (i = 0; (size_t)i < st.n && ret == 0; i++)
			if (st.s[i].size > pcpu_rt_unit_size(rt)) {
				fprintf(stderr, "pcpubench modules: section %s of %zu "
					"bytes is larger than the %zu-byte unit\n",
					st.s[i].name, st.s[i].size,
					pcpu_rt_unit_size(rt));
				ret = -EINVAL;
			}
		pcpu_rt_fini(rt);
		if (ret) {
			free(st.s);
			return EXIT_USAGE;
		}
	}
	if (bc_dry_run_stop("modules")) {
		free(st.s);
		return EXIT_OK;
	}
	memset(&ac, 0, sizeof(ac));
	if (op.access && acc_setup(&ac, &op)) {
		fprintf(stderr, "pcpubench modules: --access: no TSC rate or no "
			"memory for the cold pool\n");
		free(st.s);
		return EXIT_SKIP;
	}
	ret = bc_out_open("modules", &o, f, op.out, "modules", params, NR_P);
	if (ret) {
		acc_free(&ac);
		free(st.s);
		return ret;
	}
	pout_meta(o, "stream", st.name);
	pout_meta(o, "order", op.order);
	{
		char b[32];

		snprintf(b, sizeof(b), "%lu", op.seed);
		pout_meta(o, "seed", b);
		if (op.access) {
			snprintf(b, sizeof(b), "%.3f", ac.core_hz / 1e9);
			pout_meta(o, "core_clock_ghz", b);
			snprintf(b, sizeof(b), "%lu", op.cold);
			pout_meta(o, "cold_pages", b);
		}
	}
	pout_meta(o, "cycles_source", pt_cycles_source());
	for (i = 0; i < np; i++) {
		for (j = 0; j < ns; j++) {
			char key[160];

			if (!op.access && j)
				break;
			snprintf(key, sizeof(key), "access_needs.%s.%.60s",
				 pcpu_strategy_name(ids[j]), pname[i]);
			pout_meta(o, key, pcpu_mod_access_needs(
				pcpu_strategy_access(ids[j]),
				pcpu_strategy_layout(ids[j]), pols[i].kind));
		}
	}
	for (i = 0; i < NR_P; i++)
		pv[i] = "-";
	pv[P_STREAM] = st.name;
	pv[P_ORDER] = op.order;
	stream_rows(o, pv, &st);
	pv[P_POSSIBLE] = pos;
	pv[P_ONLINE] = onl;
	pv[P_PAGE] = op.page;
	for (i = 0; i < np && !ret; i++) {
		pv[P_POLICY] = pname[i];
		pv[P_STRATEGY] = pcpu_strategy_name(ids[0]);
		pv[P_ACCESS] = pcpu_access_name(pcpu_strategy_access(ids[0]));
		pv[P_LAYOUT] = pcpu_layout_name(pcpu_strategy_layout(ids[0]));
		ret = run_policy(o, &op, &st, &pols[i], ids[0], &cfg, pv);
	}
	pv[P_STREAM] = "-";
	pv[P_ORDER] = "-";
	for (i = 0; op.access && i < np && !ret; i++) {
		for (j = 0; j < ns && !ret; j++) {
			pv[P_POLICY] = pname[i];
			pv[P_STRATEGY] = pcpu_strategy_name(ids[j]);
			pv[P_ACCESS] = pcpu_access_name(pcpu_strategy_access(ids[j]));
			pv[P_LAYOUT] = pcpu_layout_name(pcpu_strategy_layout(ids[j]));
			ret = run_access(o, &op, &ac, &pols[i], ids[j], &cfg, pv);
		}
	}
	acc_free(&ac);
	free(st.s);
	if (ret) {
		pout_abort(o);
		return ret;
	}
	return bc_out_close("modules", o);
}
