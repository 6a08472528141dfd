// SPDX-License-Identifier: GPL-2.0
/*
 * modules-stream.c - the stream of module per-CPU section sizes of
 * `pcpubench modules` (--sizes, --order; the Debian 6.1 data file
 * compiled in) and `modules --scan DIR`, which makes such a data file
 * from a directory of .ko files.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "modules-cmd.h"
#include "pcpu-file.h"
#include "pcpu-kmods.h"
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

int mod_stream_load(struct stream *st, const char *arg)
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

int mod_order_apply(struct stream *st, const char *order, uint64_t seed)
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

void mod_stream_rows(struct pout *o, const char **pv, const struct stream *st)
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
	pout_row(o, pv, 0, "stream_sections", (double)st->n, "sections", "ok");
	pout_row(o, pv, 0, "stream_bytes", sum, "bytes", "ok");
	pout_row(o, pv, 0, "stream_median_bytes", med, "bytes", "derived");
	pout_row(o, pv, 0, "stream_largest_bytes", (double)s[st->n - 1].size, "bytes", "ok");
	pout_row(o, pv, 0, "stream_top20_bytes", top, "bytes", "derived");
	free(s);
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
	if (pcpu_kmods_ko_percpu(path, &size, &align)) {
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

int mod_scan(const char *dir, const char *source)
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
