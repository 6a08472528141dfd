// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-kfacts.c - parse the kernel's own per-CPU boot lines (see
 * pcpu-kfacts.h for the formats). A line is split into a prefix, which is
 * skipped whatever it is (timestamp, kmsg record header, syslog priority,
 * "host kernel: "), and a message that starts at a marker: "setup_percpu:",
 * "percpu:" (or "PERCPU:") or "pcpu-alloc:", found at a word boundary.
 * Each message is tokenised on blanks and every token of a layout message
 * must parse completely, or the line counts as malformed and sets nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pcpu-kfacts.h"

static const char *const alloc_names[PCPU_KF_NR_ALLOCS] = {
	[PCPU_KF_ALLOC_UNKNOWN] = "unknown",
	[PCPU_KF_ALLOC_EMBED] = "embed",
	[PCPU_KF_ALLOC_PAGE] = "page",
	[PCPU_KF_ALLOC_REMAP] = "remap",
};

static const struct {
	const char *name, *unit, *what;
} fields[PCPU_KF_NR_FIELDS] = {
#define PCPU_KF_DESC(E, m, u, w) [PCPU_KF_##E] = { #m, u, w },
	PCPU_KF_FIELDS(PCPU_KF_DESC)
#undef PCPU_KF_DESC
};

const char *pcpu_kfacts_alloc_name(enum pcpu_kf_alloc a)
{
	if ((int)a < 0 || a >= PCPU_KF_NR_ALLOCS)
		return "unknown";
	return alloc_names[a];
}

const char *pcpu_kfacts_field_name(enum pcpu_kf_field f)
{
	return (int)f >= 0 && f < PCPU_KF_NR_FIELDS ? fields[f].name : NULL;
}

const char *pcpu_kfacts_field_unit(enum pcpu_kf_field f)
{
	return (int)f >= 0 && f < PCPU_KF_NR_FIELDS ? fields[f].unit : NULL;
}

const char *pcpu_kfacts_field_what(enum pcpu_kf_field f)
{
	return (int)f >= 0 && f < PCPU_KF_NR_FIELDS ? fields[f].what : NULL;
}

static unsigned long long *field_ptr(struct pcpu_kfacts *kf,
				     enum pcpu_kf_field f)
{
	switch (f) {
#define PCPU_KF_CASE(E, m, u, w) case PCPU_KF_##E: return &kf->m;
	PCPU_KF_FIELDS(PCPU_KF_CASE)
#undef PCPU_KF_CASE
	default:
		return NULL;
	}
}

void pcpu_kfacts_init(struct pcpu_kfacts *kf)
{
	if (!kf)
		return;
	memset(kf, 0, offsetof(struct pcpu_kfacts, units));
	kf->first_seq = -1;
	/* units[] is only valid up to nr_units_kept: no need to clear it */
}

int pcpu_kfacts_get(const struct pcpu_kfacts *kf, enum pcpu_kf_field f,
		    unsigned long long *val)
{
	if (!kf || !val || (int)f < 0 || f >= PCPU_KF_NR_FIELDS)
		return -EINVAL;
	if (!pcpu_kfacts_known(kf, f))
		return -ENODATA;
	*val = *field_ptr((struct pcpu_kfacts *)kf, f);
	return 0;
}

int pcpu_kfacts_group_of(const struct pcpu_kfacts *kf, int cpu)
{
	int i;

	if (!kf || cpu < 0)
		return -EINVAL;
	if (!pcpu_kfacts_known(kf, PCPU_KF_UNITS))
		return -ENOENT;
	for (i = 0; i < kf->nr_units_kept; i++)
		if (kf->units[i].cpu == cpu)
			return kf->units[i].group;
	return -ENOENT;
}

/* ---- tokens ----------------------------------------------------------- */

struct tok {
	const char *p;
	size_t n;
};

#define MAX_TOKS 64

/* Split [p, end) on blanks; returns the count (at most MAX_TOKS + 1). */
static int tokenize(const char *p, const char *end, struct tok *t)
{
	int n = 0;

	while (p < end) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end)
			break;
		if (n > MAX_TOKS)
			return n;
		t[n].p = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		t[n].n = p - t[n].p;
		n++;
	}
	return n;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->p, s, t->n);
}

/* Digits only, the whole of [p, p + n), no overflow. */
static bool parse_ull(const char *p, size_t n, unsigned long long *v)
{
	unsigned long long x = 0;
	size_t i;

	if (!n || n > 20)
		return false;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (p[i] < '0' || p[i] > '9')
			return false;
		d = p[i] - '0';
		if (x > (~0ULL - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

/* "s202200": letter @c then digits. */
static bool parse_tagged(const struct tok *t, char c, unsigned long long *v)
{
	return t->n >= 2 && t->p[0] == c && parse_ull(t->p + 1, t->n - 1, v);
}

/* "4K", "64K", "2M": a page size string (mm/percpu.c psize_str). */
static bool parse_psize(const struct tok *t, unsigned long long *v)
{
	char u;

	if (t->n < 2)
		return false;
	u = t->p[t->n - 1];
	if (!parse_ull(t->p, t->n - 1, v))
		return false;
	if (u == 'K' || u == 'k')
		*v <<= 10;
	else if (u == 'M' || u == 'm')
		*v <<= 20;
	else
		return false;
	return *v != 0;
}

/* An address token: "@ffff88085f800000", "@(____ptrval____)", "@c3f1b000". */
static bool is_addr(const struct tok *t)
{
	return t->n >= 2 && t->p[0] == '@';
}

/* ---- facts ------------------------------------------------------------ */

static void note(struct pcpu_kfacts *kf, const char *why, const char *msg,
		 size_t n)
{
	if (kf->note[0])
		return;
	if (n > 100)
		n = 100;
	snprintf(kf->note, sizeof(kf->note), "%s: \"%.*s\"", why, (int)n, msg);
}

static void setf(struct pcpu_kfacts *kf, enum pcpu_kf_field f,
		 unsigned long long v, const char *msg, size_t n)
{
	unsigned long long *p = field_ptr(kf, f);

	if (pcpu_kfacts_known(kf, f)) {
		if (*p != v) {
			kf->inconsistent++;
			note(kf, "disagrees with an earlier line", msg, n);
		}
		return;
	}
	*p = v;
	kf->known |= 1ULL << f;
}

/* A new boot in the same text: forget the facts, keep the text counters. */
static void new_boot(struct pcpu_kfacts *kf)
{
	char cmd[sizeof(kf->cmdline_alloc)];
	unsigned long long keep = kf->known & ((1ULL << PCPU_KF_MEMINFO_PERCPU) |
					       (1ULL << PCPU_KF_CMDLINE_ALLOC));
	unsigned long long percpu = kf->meminfo_percpu;

	memcpy(cmd, kf->cmdline_alloc, sizeof(cmd));
	kf->known = keep;
#define PCPU_KF_ZERO(E, m, u, w) kf->m = 0;
	PCPU_KF_FIELDS(PCPU_KF_ZERO)
#undef PCPU_KF_ZERO
	kf->meminfo_percpu = percpu;
	kf->allocator = PCPU_KF_ALLOC_UNKNOWN;
	kf->alloc_word[0] = '\0';
	kf->fallback = false;
	kf->fallback_err = 0;
	kf->nr_units_kept = 0;
	kf->units_truncated = false;
	memcpy(kf->cmdline_alloc, cmd, sizeof(cmd));
	kf->boots++;
}

static void set_alloc(struct pcpu_kfacts *kf, enum pcpu_kf_alloc a,
		      const struct tok *word)
{
	size_t n = word->n < sizeof(kf->alloc_word) - 1 ? word->n
			: sizeof(kf->alloc_word) - 1;


	if (pcpu_kfacts_known(kf, PCPU_KF_ALLOCATOR))
		new_boot(kf);	/* a second allocator line: the next boot */
	kf->allocator = a;
	memcpy(kf->alloc_word, word->p, n);
	kf->alloc_word[n] = '\0';
	kf->known |= 1ULL << PCPU_KF_ALLOCATOR;
}

/* ---- messages --------------------------------------------------------- */

enum msg_result { MSG_IGNORED, MSG_OK, MSG_BAD };

/* "NR_CPUS:256 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1" */
static enum msg_result parse_setup(struct pcpu_kfacts *kf, const struct tok *t,
				   int n, const char *msg, size_t len)
{
	static const struct {
		const char *key;
		enum pcpu_kf_field f;
	} keys[] = {
		{ "NR_CPUS:", PCPU_KF_NR_CPUS },
		{ "nr_cpumask_bits:", PCPU_KF_NR_CPUMASK_BITS },
		{ "nr_cpu_ids:", PCPU_KF_NR_CPU_IDS },
		{ "nr_node_ids:", PCPU_KF_NR_NODE_IDS },
	};
	unsigned long long v[4];
	bool seen[4] = { false };
	int i, k;

	if (n < 1 || t[0].n < 8 || memcmp(t[0].p, "NR_CPUS:", 8))
		return MSG_IGNORED;
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4; k++) {
			size_t kl = strlen(keys[k].key);

			if (t[i].n > kl && !memcmp(t[i].p, keys[k].key, kl) &&
			    !seen[k] && parse_ull(t[i].p + kl, t[i].n - kl, &v[k])) {
				seen[k] = true;
				break;
			}
		}
		if (k == 4)
			return MSG_BAD;
	}
	if (pcpu_kfacts_known(kf, PCPU_KF_NR_CPUS))
		new_boot(kf);
	for (k = 0; k < 4; k++)
		if (seen[k])
			setf(kf, keys[k].f, v[k], msg, len);
	return MSG_OK;
}

/* "... allocator failed (-22), falling back to page size" */
static enum msg_result parse_fallback(struct pcpu_kfacts *kf, const char *msg,
				      size_t len)
{
	const char *end = msg + len, *p;
	static const char fb[] = "falling back";
	int err = 0;

	for (p = msg; p + sizeof(fb) - 1 <= end; p++)
		if (!memcmp(p, fb, sizeof(fb) - 1))
			break;
	if (p + sizeof(fb) - 1 > end)
		return MSG_IGNORED;
	for (p = msg; p < end; p++)
		if (*p == '(') {
			if (sscanf(p, "(%d)", &err) != 1)
				err = 0;
			break;
		}
	kf->fallback = true;
	kf->fallback_err = err;
	kf->known |= 1ULL << PCPU_KF_FALLBACK;
	return MSG_OK;
}

/* s r d [u] from tokens t[0..n): each tag at most once, all tokens used. */
static bool parse_srdu(struct pcpu_kfacts *kf, const struct tok *t, int n,
		       bool want_u, unsigned long long out[4], bool got[4])
{
	static const char tags[4] = { 's', 'r', 'd', 'u' };
	int i, k;

	memset(got, 0, 4 * sizeof(*got));
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4; k++)
			if (!got[k] && parse_tagged(&t[i], tags[k], &out[k])) {
				got[k] = true;
				break;
			}
		if (k == 4)
			return false;
	}
	return got[0] && (!want_u || got[3]);
}

static void set_srdu(struct pcpu_kfacts *kf, const unsigned long long v[4],
		     const bool got[4], const char *msg, size_t len)
{
	static const enum pcpu_kf_field f[4] = {
		PCPU_KF_STATIC, PCPU_KF_RESERVED, PCPU_KF_DYNAMIC, PCPU_KF_UNIT
	};
	int k;

	for (k = 0; k < 4; k++)
		if (got[k])
			setf(kf, f[k], v[k], msg, len);
}

/* The message after "percpu: " / "PERCPU: ". */
static enum msg_result parse_percpu(struct pcpu_kfacts *kf, const struct tok *t,
				    int n, const char *msg, size_t len)
{
	unsigned long long pages, psize, v[4], s;
	bool got[4];
	int i;

	if (n < 1)
		return MSG_IGNORED;

	/* "Embedded 57 pages/cpu [@addr] s202200 r0 d31272 u1048576" */
	if (tok_is(&t[0], "Embedded") && n >= 3 && tok_is(&t[2], "pages/cpu")) {
		i = 3;
		if (i < n && is_addr(&t[i]))
			i++;
		if (!parse_ull(t[1].p, t[1].n, &pages) ||
		    !parse_srdu(kf, t + i, n - i, true, v, got))
			return MSG_BAD;
		set_alloc(kf, PCPU_KF_ALLOC_EMBED, &t[0]);
		setf(kf, PCPU_KF_PAGES_PER_CPU, pages, msg, len);
		set_srdu(kf, v, got, msg, len);
		return MSG_OK;
	}
	/* 2.6.30: "Embedded 26 pages at ffff..., static data 76672 bytes" */
	if (tok_is(&t[0], "Embedded") && n == 9 && tok_is(&t[2], "pages") &&
	    tok_is(&t[3], "at") && tok_is(&t[5], "static") &&
	    tok_is(&t[6], "data") && tok_is(&t[8], "bytes")) {
		if (!parse_ull(t[1].p, t[1].n, &pages) ||
		    !parse_ull(t[7].p, t[7].n, &s))
			return MSG_BAD;
		set_alloc(kf, PCPU_KF_ALLOC_EMBED, &t[0]);
		setf(kf, PCPU_KF_STATIC, s, msg, len);
		return MSG_OK;
	}
	/* "58 4K pages/cpu [@addr] s217088 r8192 d12288" (2.6.31: no d) */
	if (n >= 3 && tok_is(&t[2], "pages/cpu")) {
		i = 3;
		if (i < n && is_addr(&t[i]))
			i++;
		if (!parse_ull(t[0].p, t[0].n, &pages) ||
		    !parse_psize(&t[1], &psize) ||
		    !parse_srdu(kf, t + i, n - i, false, v, got) || got[3])
			return MSG_BAD;
		set_alloc(kf, PCPU_KF_ALLOC_PAGE, &t[1]);
		setf(kf, PCPU_KF_PAGES_PER_CPU, pages, msg, len);
		setf(kf, PCPU_KF_PAGE_SIZE, psize, msg, len);
		set_srdu(kf, v, got, msg, len);
		return MSG_OK;
	}
	/* 2.6.30/31: "Remapped at ADDR with large pages, static data S bytes" */
	if (tok_is(&t[0], "Remapped")) {
		if (n != 10 || !tok_is(&t[1], "at") || !tok_is(&t[3], "with") ||
		    !tok_is(&t[5], "pages,") || !tok_is(&t[7], "data") ||
		    !tok_is(&t[9], "bytes") || !parse_ull(t[8].p, t[8].n, &s))
			return MSG_BAD;
		set_alloc(kf, PCPU_KF_ALLOC_REMAP, &t[0]);
		setf(kf, PCPU_KF_STATIC, s, msg, len);
		return MSG_OK;
	}
	/* 2.6.30: "Allocated N 4k pages, static data S bytes" (N: static pages) */
	if (tok_is(&t[0], "Allocated")) {
		if (n != 8 || !tok_is(&t[2], "4k") || !tok_is(&t[3], "pages,") ||
		    !tok_is(&t[5], "data") || !tok_is(&t[7], "bytes") ||
		    !parse_ull(t[1].p, t[1].n, &pages) ||
		    !parse_ull(t[6].p, t[6].n, &s))
			return MSG_BAD;
		set_alloc(kf, PCPU_KF_ALLOC_PAGE, &t[2]);
		setf(kf, PCPU_KF_PAGE_SIZE, 4096, msg, len);
		setf(kf, PCPU_KF_STATIC, s, msg, len);
		return MSG_OK;
	}
	if (tok_is(&t[0], "Embedded"))
		return MSG_BAD;
	return parse_fallback(kf, msg, len);
}

static void add_unit(struct pcpu_kfacts *kf, int group, int cpu)
{
	kf->nr_units++;
	if (cpu < 0)
		kf->nr_empty_units++;
	if (group + 1 > (int)kf->nr_groups)
		kf->nr_groups = group + 1;
	if (kf->nr_units_kept >= PCPU_KF_MAX_UNITS) {
		kf->units_truncated = true;
		return;
	}
	kf->units[kf->nr_units_kept].group = group;
	kf->units[kf->nr_units_kept].cpu = cpu;
	kf->nr_units_kept++;
}

/* The message after "pcpu-alloc: ". */
static enum msg_result parse_alloc(struct pcpu_kfacts *kf, const struct tok *t,
				   int n, const char *msg, size_t len)
{
	unsigned long long v[4], a, atom, g = 0, c = 0;
	bool got[4];
	int i, k, group = -1, last_group;
	const char *star;

	if (n < 1)
		return MSG_IGNORED;
	if (t[0].p[0] != '[') {
		/* "s202200 r0 d31272 u1048576 alloc=1*2097152" */
		const struct tok *at = &t[n - 1];

		if (n != 5 || at->n < 9 || memcmp(at->p, "alloc=", 6))
			return MSG_BAD;
		star = memchr(at->p, '*', at->n);
		if (!star || !parse_ull(at->p + 6, star - at->p - 6, &a) ||
		    !parse_ull(star + 1, at->p + at->n - star - 1, &atom) ||
		    !parse_srdu(kf, t, n - 1, true, v, got) || !got[1] ||
		    !got[2] || !atom || (a && atom > ~0ULL / a))
			return MSG_BAD;
		set_srdu(kf, v, got, msg, len);
		setf(kf, PCPU_KF_ATOM, atom, msg, len);
		setf(kf, PCPU_KF_ALLOC_SIZE, a * atom, msg, len);
		/* the unit listing starts here */
		kf->known &= ~((1ULL << PCPU_KF_UNITS) | (1ULL << PCPU_KF_NR_GROUPS) |
			       (1ULL << PCPU_KF_NR_UNITS) |
			       (1ULL << PCPU_KF_NR_EMPTY_UNITS));
		kf->nr_units = kf->nr_empty_units = kf->nr_groups = 0;
		kf->nr_units_kept = 0;
		kf->units_truncated = false;
		return MSG_OK;
	}

	/* "[0] 00 01 02 03 [1] 04 -- --": check the whole line first */
	last_group = kf->nr_units ? kf->units[kf->nr_units_kept - 1].group : 0;
	if (kf->units_truncated)
		last_group = (int)kf->nr_groups - 1;
	for (i = 0; i < n; i++) {
		const struct tok *x = &t[i];

		if (x->p[0] == '[') {
			if (x->n < 3 || x->p[x->n - 1] != ']' ||
			    !parse_ull(x->p + 1, x->n - 2, &g) || g > 65535 ||
			    (int)g < last_group)
				return MSG_BAD;
			last_group = group = (int)g;
			continue;
		}
		if (group < 0)
			return MSG_BAD;
		for (k = 0; k < (int)x->n && x->p[k] == '-'; k++)
			;
		if (k == (int)x->n)
			continue;
		if (!parse_ull(x->p, x->n, &c) || c > 1 << 20)
			return MSG_BAD;
		if (pcpu_kfacts_group_of(kf, (int)c) >= 0)
			return MSG_BAD;	/* a CPU in two units */
		for (k = 0; k < i; k++)
			if (t[k].p[0] != '[' && t[k].p[0] != '-' &&
			    t[k].n == x->n && !memcmp(t[k].p, x->p, x->n))
				return MSG_BAD;
	}
	if (group < 0 || t[n - 1].p[0] == '[')
		return MSG_BAD;
	for (i = 0; i < n; i++) {
		const struct tok *x = &t[i];

		if (x->p[0] == '[') {
			parse_ull(x->p + 1, x->n - 2, &g);
			group = (int)g;
		} else if (x->p[0] == '-') {
			add_unit(kf, group, -1);
		} else {
			parse_ull(x->p, x->n, &c);
			add_unit(kf, group, (int)c);
		}
	}
	kf->known |= (1ULL << PCPU_KF_UNITS) | (1ULL << PCPU_KF_NR_GROUPS) |
		     (1ULL << PCPU_KF_NR_UNITS) | (1ULL << PCPU_KF_NR_EMPTY_UNITS);
	return MSG_OK;
}

/* ---- lines ------------------------------------------------------------ */

enum marker { MK_NONE, MK_SETUP, MK_PERCPU, MK_ALLOC };

static bool boundary(const char *line, const char *at)
{
	char c;

	if (at == line)
		return true;
	c = at[-1];
	return isspace((unsigned char)c) || c == ']' || c == ';' || c == '>' ||
	       c == ':';
}

/* Find the earliest marker at a word boundary; *msg after its ": ". */
static enum marker find_marker(const char *line, const char *end,
			       const char **msg)
{
	static const struct {
		const char *s;
		enum marker m;
		bool icase;
	} mk[] = {
		{ "setup_percpu:", MK_SETUP, false },
		{ "percpu:", MK_PERCPU, true },
		{ "pcpu-alloc:", MK_ALLOC, false },
	};
	const char *p;
	size_t k;

	for (p = line; p < end; p++) {
		if (!boundary(line, p))
			continue;
		for (k = 0; k < sizeof(mk) / sizeof(mk[0]); k++) {
			size_t n = strlen(mk[k].s);

			if ((size_t)(end - p) < n)
				continue;
			if (mk[k].icase ? strncasecmp(p, mk[k].s, n)
					: memcmp(p, mk[k].s, n))
				continue;
			*msg = p + n;
			return mk[k].m;
		}
	}
	return MK_NONE;
}

/* A /dev/kmsg record header "6,123,72053,-;": its sequence number. */
static bool kmsg_seq(const char *line, const char *end, long long *seq)
{
	const char *semi = memchr(line, ';', end - line);
	unsigned long long pri, s;
	const char *c1, *c2;

	if (!semi)
		return false;
	c1 = memchr(line, ',', semi - line);
	if (!c1 || !parse_ull(line, c1 - line, &pri))
		return false;
	c2 = memchr(c1 + 1, ',', semi - c1 - 1);
	if (!c2 || !parse_ull(c1 + 1, c2 - c1 - 1, &s) || s > (1ULL << 62))
		return false;
	*seq = (long long)s;
	return true;
}

static bool has_banner(const char *line, const char *end)
{
	static const char b[] = "Linux version ";
	const char *p;

	for (p = line; p + sizeof(b) - 1 <= end; p++)
		if (!memcmp(p, b, sizeof(b) - 1) && boundary(line, p))
			return true;
	return false;
}

static void parse_line(struct pcpu_kfacts *kf, const char *line,
		       const char *end)
{
	struct tok t[MAX_TOKS + 1];
	enum msg_result r = MSG_IGNORED;
	const char *msg = NULL;
	enum marker m;
	long long seq;
	int n;

	while (end > line && (end[-1] == '\r' || end[-1] == ' '))
		end--;
	if (kf->lines == 0 && kmsg_seq(line, end, &seq))
		kf->first_seq = seq;
	kf->lines++;
	if (!kf->banner_seen && has_banner(line, end))
		kf->banner_seen = true;

	m = find_marker(line, end, &msg);
	if (m == MK_NONE)
		return;
	n = tokenize(msg, end, t);
	if (n > MAX_TOKS) {
		r = MSG_BAD;
	} else {
		switch (m) {
		case MK_SETUP:
			r = parse_setup(kf, t, n, msg, end - msg);
			if (r == MSG_IGNORED)
				r = parse_fallback(kf, msg, end - msg);
			break;
		case MK_PERCPU:
			r = parse_percpu(kf, t, n, msg, end - msg);
			break;
		case MK_ALLOC:
			r = parse_alloc(kf, t, n, msg, end - msg);
			break;
		default:
			break;
		}
	}
	if (r == MSG_IGNORED)
		return;
	kf->percpu_lines++;
	if (!kf->boots)
		kf->boots = 1;
	if (r == MSG_BAD) {
		kf->malformed++;
		note(kf, "does not parse", msg, end - msg);
	}
}

static bool any_fact(const struct pcpu_kfacts *kf)
{
	return kf->known & ~((1ULL << PCPU_KF_MEMINFO_PERCPU) |
			     (1ULL << PCPU_KF_CMDLINE_ALLOC));
}

int pcpu_kfacts_parse_log(struct pcpu_kfacts *kf, const char *buf, size_t len)
{
	const char *p, *end, *nl;

	if (!kf || (!buf && len))
		return -EINVAL;
	p = buf;
	end = buf + len;
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl) {
			kf->truncated++;
			break;
		}
		parse_line(kf, p, nl);
		p = nl + 1;
	}
	if (any_fact(kf))
		return 0;
	return kf->percpu_lines ? -EBADMSG : -ENOENT;
}

int pcpu_kfacts_parse_meminfo(struct pcpu_kfacts *kf, const char *buf,
			      size_t len)
{
	const char *p, *end, *nl, *q;
	unsigned long long kb;

	if (!kf || (!buf && len))
		return -EINVAL;
	for (p = buf, end = buf + len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (nl - p < 8 || memcmp(p, "Percpu:", 7))
			continue;
		for (p += 7; p < nl && *p == ' '; p++)
			;
		for (q = p; q < nl && isdigit((unsigned char)*q); q++)
			;
		if (nl - q != 3 || memcmp(q, " kB", 3) ||
		    !parse_ull(p, q - p, &kb) || kb > (~0ULL >> 10))
			return -EBADMSG;
		kf->meminfo_percpu = kb << 10;
		kf->known |= 1ULL << PCPU_KF_MEMINFO_PERCPU;
		return 0;
	}
	return -ENOENT;
}

int pcpu_kfacts_parse_cmdline(struct pcpu_kfacts *kf, const char *buf,
			      size_t len)
{
	static const char key[] = "percpu_alloc=";
	const char *p, *end, *v, *ve;
	int ret = -ENOENT;

	if (!kf || (!buf && len))
		return -EINVAL;
	end = buf + len;
	for (p = buf; p + sizeof(key) - 1 <= end; p++) {
		if ((p != buf && !isspace((unsigned char)p[-1])) ||
		    memcmp(p, key, sizeof(key) - 1))
			continue;
		v = p + sizeof(key) - 1;
		for (ve = v; ve < end && !isspace((unsigned char)*ve); ve++)
			;
		if (ve == v || ve - v >= (long)sizeof(kf->cmdline_alloc)) {
			ret = -EBADMSG;
			continue;
		}
		memcpy(kf->cmdline_alloc, v, ve - v);
		kf->cmdline_alloc[ve - v] = '\0';
		kf->known |= 1ULL << PCPU_KF_CMDLINE_ALLOC;
		ret = 0;
	}
	return ret;
}
