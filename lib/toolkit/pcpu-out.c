// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-out.c - the tidy row writer (see pcpu-out.h).
 *
 * CSV rows stream as they come (RFC 4180 quoting). JSON writes the meta
 * block at the first row (or at close) and then streams the rows. TEXT
 * keeps every row and prints, at close, one aligned line per
 * (parameters, metric): median, min, q1, q3, robust CV, n, unit, status
 * (pcpu-out-text.c).
 * Writing to a named file goes through a temporary file renamed at close,
 * so a reader never sees half a result. Only a regular file (or a name
 * that does not exist yet) is replaced that way; a symlink to a regular
 * file has its target replaced. "-", /dev/stdout, /dev/stderr, /dev/fd/N
 * and /dev/null are written in place (the user's clear intent); any
 * other existing object (device node, FIFO, socket, directory, dangling
 * symlink) is refused, never replaced. The first error of any write
 * (or a refused row) is kept and returned again by pout_close(), so no
 * failure is lost by a caller that does not check every row.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "pcpu-version.h"
#include "pcpu-metrics.h"
#include "pcpu-out-priv.h"
#include "pcpu-wfile.h"

static struct pout_settings settings;

void pout_init(const struct pout_settings *s)
{
	if (s)
		settings = *s;
	else
		memset(&settings, 0, sizeof(settings));
}

static const char *const fmt_names[] = { "text", "csv", "json" };

int pout_format_parse(const char *s, enum pout_format *f)
{
	unsigned i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < 3; i++)
		if (!strcmp(s, fmt_names[i])) {
			*f = (enum pout_format)i;
			return 0;
		}
	return -EINVAL;
}

const char *pout_format_name(enum pout_format f)
{
	return (unsigned)f < 3 ? fmt_names[f] : "?";
}

int pout_status_valid(const char *st)
{
	const char *p;

	if (!st || !*st)
		return 0;
	for (p = st; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r' ||
		    (unsigned char)*p < 0x20)
			return 0;
	if (!strcmp(st, "ok") || !strcmp(st, "multiplexed") ||
	    !strcmp(st, "estimated") || !strcmp(st, "derived"))
		return 1;
	if (!strncmp(st, "na:", 3) && st[3])
		return 1;
	if (!strncmp(st, "flagged:", 8) && st[8])
		return 1;
	return 0;
}

static int name_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	return !strpbrk(s, ",\"\n\r");
}

static void csv_field(FILE *f, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void pout_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Integers exactly, others with 9 significant digits. */
static void fmt_value(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.9g", v);
}

static char *xstrdup(const char *s)
{
	return strdup(s ? s : "");
}

/*
 * Keep the first error and a line saying what it was; return @err. A
 * refused row (-EINVAL) is remembered, later rows are still written; any
 * other error (a write) stops the output.
 */
static int set_err(struct pout *o, int err, const char *fmt, const char *arg)
{
	if (err != -EINVAL && !o->werr)
		o->werr = err;
	if (!o->err) {
		o->err = err;
		snprintf(o->errmsg, sizeof(o->errmsg), fmt, arg ? arg : "",
			 strerror(-err));
	}
	return err;
}

/* The errno of a failed stdio write: EIO when stdio left none. */
static int write_errno(void)
{
	return errno && errno != EINTR ? -errno : -EIO;
}

/*
 * A path written in place: "-" and /dev/stdout (stdout itself), and
 * /dev/stderr, /dev/fd/N, /proc/self/fd/N, /dev/null (opened, not
 * created, never renamed). Return: the fd to dup (or -1 for /dev/null,
 * -2 for stdout), or -3 when @path is an ordinary name.
 */
static int inplace_fd(const char *path)
{
	char *end;
	long n;
	const char *p = NULL;

	if (!strcmp(path, "-") || !strcmp(path, "/dev/stdout"))
		return -2;
	if (!strcmp(path, "/dev/stderr"))
		return STDERR_FILENO;
	if (!strcmp(path, "/dev/null"))
		return -1;
	if (!strncmp(path, "/dev/fd/", 8))
		p = path + 8;
	else if (!strncmp(path, "/proc/self/fd/", 14))
		p = path + 14;
	if (!p || *p < '0' || *p > '9')
		return -3;
	errno = 0;
	n = strtol(p, &end, 10);
	if (errno || *end || n < 0 || n > INT_MAX)
		return -3;
	return n == STDOUT_FILENO ? -2 : (int)n;
}

/**
 * pout_path_check() - see pcpu-out.h.
 * Return: 0; 1; -EEXIST; -ENOENT; -ENOMEM; -errno from lstat().
 */
int pout_path_check(const char *path)
{
	if (!path || (*path && inplace_fd(path) != -3))
		return 1;
	return pcpu_wfile_check(path);
}

/**
 * pout_open() - see pcpu-out.h.
 * Return: 0; -EINVAL; -ENOMEM; -errno creating the temporary file.
 */
int pout_open(struct pout **out, enum pout_format fmt, const char *path,
	      const char *bench, const char *const *param_names,
	      size_t nparams)
{
	struct pout *o;
	size_t i;
	int ret = -ENOMEM;

	if (!out || (unsigned)fmt > POUT_JSON || !name_ok(bench) ||
	    (nparams && !param_names))
		return -EINVAL;
	for (i = 0; i < nparams; i++)
		if (!name_ok(param_names[i]))
			return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->fmt = fmt;
	o->bench = xstrdup(bench);
	o->checked = pcpu_metric_bench_known(bench);
	o->strict = settings.strict_units;
	o->np = nparams;
	o->pnames = calloc(nparams + 1, sizeof(char *));
	if (!o->bench || !o->pnames)
		goto err;
	for (i = 0; i < nparams; i++)
		if (!(o->pnames[i] = xstrdup(param_names[i])))
			goto err;
	if (!path || inplace_fd(path) == -2) {
		o->f = stdout;
		o->inplace = 1;
	} else if (inplace_fd(path) != -3) {
		int src = inplace_fd(path), fd;

		fd = src == -1 ? open("/dev/null", O_WRONLY | O_CLOEXEC) :
				 fcntl(src, F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			ret = -errno;
			goto err;
		}
		o->f = fdopen(fd, "w");
		if (!o->f) {
			ret = -errno;
			close(fd);
			goto err;
		}
		o->inplace = 1;
	} else {
		ret = pcpu_wfile_open(&o->w, path, &o->f);
		if (ret)
			goto err;
		ret = -ENOMEM;
		o->path = strdup(pcpu_wfile_target(o->w));
		o->tmp = strdup(pcpu_wfile_tmp(o->w));
		if (!o->path || !o->tmp)
			goto err;
	}
	*out = o;
	return 0;
err:
	pout_abort(o);
	return ret;
}

int pout_meta(struct pout *o, const char *key, const char *value)
{
	struct pout_kv *kv;

	if (!o || !key || !*key)
		return -EINVAL;
	if (o->fmt == POUT_TEXT) {
		fprintf(o->f, "# %s: %s\n", key, value ? value : "");
		return 0;
	}
	if (o->started && o->fmt == POUT_JSON)
		return -EALREADY;
	kv = realloc(o->meta, (o->nmeta + 1) * sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	o->meta = kv;
	kv[o->nmeta].key = xstrdup(key);
	kv[o->nmeta].value = xstrdup(value);
	if (!kv[o->nmeta].key || !kv[o->nmeta].value) {
		free(kv[o->nmeta].key);
		free(kv[o->nmeta].value);
		return -ENOMEM;
	}
	o->nmeta++;
	return 0;
}

static void json_meta_pair(FILE *f, int *first, const char *k, const char *v)
{
	fputs(*first ? "\n    " : ",\n    ", f);
	*first = 0;
	pout_json_str(f, k);
	fputs(": ", f);
	pout_json_str(f, v);
}

/* The meta block: the fixed keys, then the caller's, in order. */
static void meta_block(const struct pout *o, FILE *f)
{
	struct utsname u;
	char tbuf[64];
	time_t now = time(NULL);
	struct tm tm;
	int first = 0;
	size_t i;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	gmtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "{\n    \"schema_version\": %d", POUT_SCHEMA_VERSION);
	json_meta_pair(f, &first, "bench", o->bench);
	json_meta_pair(f, &first, "tool", "pcpubench");
	json_meta_pair(f, &first, "version", PCPU_GIT_REV);
	json_meta_pair(f, &first, "time", tbuf);
	json_meta_pair(f, &first, "host", u.nodename);
	json_meta_pair(f, &first, "kernel", u.release);
	for (i = 0; i < o->nmeta; i++)
		json_meta_pair(f, &first, o->meta[i].key, o->meta[i].value);
	fputs("\n  }", f);
}

static void start(struct pout *o)
{
	size_t i;

	if (o->started)
		return;
	o->started = 1;
	if (o->fmt == POUT_CSV) {
		fputs("bench", o->f);
		for (i = 0; i < o->np; i++) {
			fputc(',', o->f);
			csv_field(o->f, o->pnames[i]);
		}
		fputs(",rep,metric,value,unit,status\n", o->f);
	} else if (o->fmt == POUT_JSON) {
		fprintf(o->f, "{\n  \"schema_version\": %d,\n  \"meta\": ",
			POUT_SCHEMA_VERSION);
		meta_block(o, o->f);
		fputs(",\n  \"rows\": [", o->f);
	}
}

/*
 * The CSV sidecar PATH.meta.json: {"schema_version": N, "bench": B,
 * "meta": {...}}, the same meta block as the JSON output, written to its
 * temporary file; it is renamed together with the CSV (both or
 * neither). Return: 0; -errno.
 */
static int meta_sidecar(const struct pout *o, struct pcpu_wfile **w)
{
	char *path = NULL;
	FILE *f;
	int ret;

	if (asprintf(&path, "%s.meta.json", o->path) < 0)
		return -ENOMEM;
	ret = pcpu_wfile_open(w, path, &f);
	free(path);
	if (ret)
		return ret;
	fprintf(f, "{\n  \"schema_version\": %d,\n  \"bench\": ",
		POUT_SCHEMA_VERSION);
	pout_json_str(f, o->bench);
	fputs(",\n  \"meta\": ", f);
	meta_block(o, f);
	fputs("\n}\n", f);
	return 0;
}

/**
 * pout_row() - see pcpu-out.h.
 * Return: 0; -EINVAL; -EIO; -ENOMEM.
 */
int pout_row(struct pout *o, const char *const *pv, int rep,
	     const char *metric, double value, const char *unit,
	     const char *status)
{
	char vbuf[64];
	size_t i;
	int na;

	if (!o)
		return -EINVAL;
	if (!name_ok(metric) || !unit || strpbrk(unit, ",\"\n\r") ||
	    (o->np && !pv) || rep < -1)
		return set_err(o, -EINVAL, "a row was refused (metric '%s': bad "
			       "name, unit or parameters)%.0s", metric);
	if (!pout_status_valid(status))
		return set_err(o, -EINVAL, "a row was refused (metric '%s': "
			       "status outside the vocabulary)%.0s", metric);
	for (i = 0; i < o->np; i++)
		if (!pv[i])
			return set_err(o, -EINVAL, "a row was refused (metric "
				       "'%s': a parameter is missing)%.0s", metric);
	if (o->checked) {
		const struct pcpu_metric *d = pcpu_metric_find(o->bench, metric);

		if (!d)
			return set_err(o, -EINVAL, "a row was refused (metric "
				       "'%s' is not declared for this benchmark "
				       "in lib/toolkit/pcpu-metrics.h)%.0s", metric);
		if (o->strict && strcmp(unit, d->unit))
			return set_err(o, -EINVAL, "a row was refused (metric "
				       "'%s': its unit is not the declared one)%.0s",
				       metric);
		unit = d->unit;
	}
	na = POUT_IS_NA(status);
	if (!na && !isfinite(value))
		return set_err(o, -EINVAL, "a row was refused (metric '%s': "
			       "non-finite value with a status that is not NA)%.0s",
			       metric);
	if (o->werr)
		return o->werr;
	start(o);
	if (na)
		snprintf(vbuf, sizeof(vbuf), "NA");
	else
		fmt_value(vbuf, sizeof(vbuf), value);

	switch (o->fmt) {
	case POUT_CSV:
		csv_field(o->f, o->bench);
		for (i = 0; i < o->np; i++) {
			fputc(',', o->f);
			csv_field(o->f, pv[i]);
		}
		if (rep >= 0)
			fprintf(o->f, ",%d,", rep);
		else
			fputs(",,", o->f);
		csv_field(o->f, metric);
		fprintf(o->f, ",%s,", vbuf);
		csv_field(o->f, unit);
		fputc(',', o->f);
		csv_field(o->f, status);
		fputc('\n', o->f);
		break;
	case POUT_JSON:
		fputs(o->nrows ? ",\n    {" : "\n    {", o->f);
		fputs("\"bench\": ", o->f);
		pout_json_str(o->f, o->bench);
		for (i = 0; i < o->np; i++) {
			fputs(", ", o->f);
			pout_json_str(o->f, o->pnames[i]);
			fputs(": ", o->f);
			pout_json_str(o->f, pv[i]);
		}
		if (rep >= 0)
			fprintf(o->f, ", \"rep\": %d", rep);
		else
			fputs(", \"rep\": null", o->f);
		fputs(", \"metric\": ", o->f);
		pout_json_str(o->f, metric);
		fprintf(o->f, ", \"value\": %s, \"unit\": ",
			na ? "null" : vbuf);
		pout_json_str(o->f, unit);
		fputs(", \"status\": ", o->f);
		pout_json_str(o->f, status);
		fputc('}', o->f);
		break;
	case POUT_TEXT:
		if (pout_text_add(o, pv, metric, value, unit, status, na))
			return set_err(o, -ENOMEM, "keeping a row for the text "
				       "table%.0s: %s", NULL);
		break;
	}
	o->nrows++;
	if (ferror(o->f))
		return set_err(o, write_errno(), "writing '%s': %s",
			       o->path ? o->path : "standard output");
	return 0;
}

static void pout_free(struct pout *o)
{
	size_t i;

	for (i = 0; i < o->np && o->pnames; i++)
		free(o->pnames[i]);
	free(o->pnames);
	for (i = 0; i < o->nmeta; i++) {
		free(o->meta[i].key);
		free(o->meta[i].value);
	}
	free(o->meta);
	pout_text_free(o);
	free(o->bench);
	free(o->path);
	free(o->tmp);
	free(o);
}

/**
 * pout_close_err() - see pcpu-out.h.
 * Return: 0; the first error of the output (see pout_close()).
 */
int pout_close_err(struct pout *o, char *err, size_t errlen)
{
	const char *name;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!o)
		return -EINVAL;
	name = o->path ? o->path : "standard output";
	if (!o->werr) {
		start(o);
		if (o->fmt == POUT_JSON)
			fputs(o->nrows ? "\n  ]\n}\n" : "]\n}\n", o->f);
		else if (o->fmt == POUT_TEXT)
			pout_text_print(o);
	}
	if (o->w) {
		/* A file: its data (and a CSV's sidecar) reach the disk
		 * before they take their names, both or neither. */
		struct pcpu_wfile *side = NULL;
		int r = 0, which = 0;

		if (!o->werr && o->fmt == POUT_CSV) {
			r = meta_sidecar(o, &side);
			if (r)
				set_err(o, r, "writing '%s.meta.json': %s", name);
		}
		if (o->werr) {
			pcpu_wfile_abort(o->w);
		} else if (side) {
			r = pcpu_wfile_commit2(o->w, side, &which);
			if (r)
				set_err(o, r, which ? "writing '%s.meta.json': %s" :
					"writing '%s': %s", name);
		} else {
			r = pcpu_wfile_commit(o->w);
			if (r)
				set_err(o, r, "writing '%s': %s", name);
		}
		o->w = NULL;
		o->f = NULL;
	} else {
		errno = 0;
		if (fflush(o->f) || ferror(o->f))
			set_err(o, write_errno(), "writing '%s': %s", name);
		errno = 0;
		if (o->f != stdout && fclose(o->f))
			set_err(o, write_errno(), "writing '%s': %s", name);
	}
	ret = o->err;
	if (ret && err && errlen)
		snprintf(err, errlen, "%s", o->errmsg);
	pout_free(o);
	return ret;
}

int pout_close(struct pout *o)
{
	return pout_close_err(o, NULL, 0);
}

const char *pout_tmp_path(const struct pout *o)
{
	return o && !o->inplace ? o->tmp : NULL;
}

void pout_abort(struct pout *o)
{
	if (!o)
		return;
	if (o->w) {
		pcpu_wfile_abort(o->w);
	} else if (o->f && o->f != stdout) {
		fclose(o->f);
	} else if (o->f) {
		fflush(o->f);
	}
	pout_free(o);
}
