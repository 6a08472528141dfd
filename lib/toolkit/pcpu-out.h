/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-out.h - the tidy row writer every benchmark uses.
 *
 * One row per repetition per metric: bench, the benchmark's parameter
 * columns, rep, metric, value, unit, status. Status vocabulary: "ok",
 * "na:<reason>", "multiplexed", "estimated", "derived", "flagged:<why>";
 * anything else is refused, so no benchmark can invent one. The value is
 * NA when the status starts with "na:".
 *
 * CSV and JSON stream (JSON rows are buffered into the file, the meta
 * block comes first, so pout_meta() calls must precede the first row for
 * JSON); TEXT collects the rows and prints an aligned summary table per
 * (params, metric) at close. A file path is written atomically: a
 * temporary file beside it, renamed at pout_close(). Only a regular file,
 * a symlink to one (the target is replaced) or a new name in an existing
 * directory is written so; "-", /dev/stdout, /dev/stderr, /dev/fd/N and
 * /dev/null are written in place; anything else that exists (a device
 * node, FIFO, socket, directory) is refused and left alone.
 *
 * Errors are sticky: the first error of any call (a refused row, a
 * failed write) is returned again by pout_close(), so a caller that does
 * not check each pout_row() still learns of it. A refused row does not
 * stop later rows; a write error stops the output (the temporary file is
 * removed at close).
 */
#ifndef PCPU_OUT_H
#define PCPU_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum pout_format { POUT_TEXT, POUT_CSV, POUT_JSON };

/* "text", "csv", "json". Return: 0; -EINVAL. */
int pout_format_parse(const char *s, enum pout_format *f);
const char *pout_format_name(enum pout_format f);

struct pout;

/* What the caller decides for every later output. */
struct pout_settings {
	/* A row's unit must be its metric's declared one (pcpubench:
	 * PCPU_METRICS_STRICT); default: the declared unit is written. */
	bool strict_units;
};

/*
 * pout_init() - use @s (copied; NULL: the defaults) for the outputs
 * opened from now on. Not thread safe: call before opening outputs.
 */
void pout_init(const struct pout_settings *s);

/*
 * pout_open() - start an output.
 * @path: NULL or "-" for stdout; else a file written atomically.
 * @bench: the benchmark name (first column).
 * @param_names: @nparams parameter column names.
 * Return: 0; -EINVAL bad argument (a name with a comma, quote or newline);
 * -EEXIST @path exists and is not a regular file (device node, FIFO,
 * socket, directory, symlink to one of those or to nothing): refused;
 * -ENOENT the directory of @path does not exist (none is created);
 * -ENOMEM; -errno from creating the temporary file (EACCES, EROFS,
 * ENOSPC ...).
 */
int pout_open(struct pout **o, enum pout_format f, const char *path,
	      const char *bench, const char *const *param_names,
	      size_t nparams);

/*
 * pout_path_check() - would pout_open() accept @path as a destination?
 * For a check before a long run (nothing is created).
 * Return: 0 written atomically (a new name or a regular file); 1 written
 * in place (NULL, "-", /dev/stdout ...); -EEXIST, -ENOENT as
 * pout_open(); -ENOMEM.
 */
int pout_path_check(const char *path);

/*
 * pout_meta() - a key/value for the metadata. JSON: the "meta" block
 * (which always also has schema_version, bench, tool, version, time, host,
 * kernel); CSV written to a file: the same block in the sidecar
 * FILE.meta.json ({"schema_version", "bench", "meta"}), written at
 * pout_close() after the CSV took its name (a CSV written in place has
 * none); TEXT: a header line. JSON: must come before the first pout_row().
 * Return: 0; -EINVAL; -EALREADY rows were already written (JSON);
 * -ENOMEM.
 */
int pout_meta(struct pout *o, const char *key, const char *value);

/*
 * pout_row() - one observation.
 * @rep: repetition number (>= 0), or -1 for a figure that is not per
 * repetition (printed as an empty rep in CSV, null in JSON).
 * @value: ignored (NA) when @status starts with "na:".
 * @metric: for a benchmark of lib/toolkit/pcpu-metrics.h, a metric declared there
 * for it (else the row is refused); the unit written is the declared one
 * (with strict_units in the settings, a different @unit is refused, so
 * tests catch an emit site that drifted).
 * Return: 0; -EINVAL an undeclared metric, a status outside the
 * vocabulary, or a comma/newline in the status, or a non-finite value with a non-NA status (the row is
 * dropped, later rows are still written, pout_close() returns -EINVAL);
 * -errno of a failed write (ENOSPC, EIO, EDQUOT ...; EIO when the C
 * library gave none): the output stops; -ENOMEM.
 */
int pout_row(struct pout *o, const char *const *param_values, int rep,
	     const char *metric, double value, const char *unit,
	     const char *status);

/*
 * pout_close() - finish: TEXT prints the aggregated table (median, min,
 * q1, q3, rcv%, n, unit, status per (params, metric)); JSON closes the
 * document; a file's data is flushed to disk (fsync) and the file renamed
 * into place. Frees @o in every case.
 * Return: 0; the first error of the output: -EINVAL a row was refused
 * (the file is still written); -errno of a failed write, fsync or rename
 * (ENOSPC, EIO ...; the temporary file is removed, the target untouched);
 * -ENOMEM.
 */
int pout_close(struct pout *o);

/*
 * pout_close_err() - pout_close(), and on error a line for the user in
 * @err ("writing 'x.csv': No space left on device", "a row was refused
 * (metric 'm': ...)"). @err may be NULL.
 * Return: as pout_close().
 */
int pout_close_err(struct pout *o, char *err, size_t errlen);

/* The temporary file a path output writes until close, or NULL (in
 * place). For a signal handler that removes it. */
const char *pout_tmp_path(const struct pout *o);

/* Drop the output (the temporary file is removed). Frees @o. */
void pout_abort(struct pout *o);

/* Return: true when @status is in the vocabulary. */
int pout_status_valid(const char *status);

/*
 * pout_json_str() - write @s to @f as a JSON string: quotes, backslash,
 * newline and tab escaped, other control bytes as \u00XX; NULL as "".
 */
void pout_json_str(FILE *f, const char *s);

/* The "na:" prefix in a status, as a test. */
#define POUT_IS_NA(status) ((status)[0] == 'n' && (status)[1] == 'a' && \
			    (status)[2] == ':')

#define POUT_SCHEMA_VERSION 2

#endif /* PCPU_OUT_H */
