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
 * temporary file beside it, renamed at pout_close().
 */
#ifndef PCPU_OUT_H
#define PCPU_OUT_H

#include <stddef.h>

enum pout_format { POUT_TEXT, POUT_CSV, POUT_JSON };

/* "text", "csv", "json". Return: 0; -EINVAL. */
int pout_format_parse(const char *s, enum pout_format *f);
const char *pout_format_name(enum pout_format f);

struct pout;

/*
 * pout_open() - start an output.
 * @path: NULL or "-" for stdout; else a file written atomically.
 * @bench: the benchmark name (first column).
 * @param_names: @nparams parameter column names.
 * Return: 0; -EINVAL bad argument (a name with a comma, quote or newline);
 * -ENOMEM; -errno from creating the temporary file.
 */
int pout_open(struct pout **o, enum pout_format f, const char *path,
	      const char *bench, const char *const *param_names,
	      size_t nparams);

/*
 * pout_meta() - a key/value for the metadata. JSON: the "meta" block
 * (which always also has schema_version, bench, tool, version, time, host,
 * kernel); CSV: ignored (meta lives in meta.json); TEXT: a header line.
 * Must come before the first pout_row().
 * Return: 0; -EINVAL; -EALREADY rows were already written (JSON/TEXT
 * header); -ENOMEM.
 */
int pout_meta(struct pout *o, const char *key, const char *value);

/*
 * pout_row() - one observation.
 * @rep: repetition number (>= 0), or -1 for a figure that is not per
 * repetition (printed as an empty rep in CSV, null in JSON).
 * @value: ignored (NA) when @status starts with "na:".
 * Return: 0; -EINVAL status outside the vocabulary, or a comma/newline in
 * the status, or a non-finite value with a non-NA status; -EIO write error;
 * -ENOMEM.
 */
int pout_row(struct pout *o, const char *const *param_values, int rep,
	     const char *metric, double value, const char *unit,
	     const char *status);

/*
 * pout_close() - finish: TEXT prints the aggregated table (median, min,
 * q1, q3, rcv%, n, unit, status per (params, metric)); JSON closes the
 * document; a file is renamed into place. Frees @o in every case.
 * Return: 0; -EIO a write failed (the temporary file is removed).
 */
int pout_close(struct pout *o);

/* Drop the output (the temporary file is removed). Frees @o. */
void pout_abort(struct pout *o);

/* Return: true when @status is in the vocabulary. */
int pout_status_valid(const char *status);

/* The "na:" prefix in a status, as a test. */
#define POUT_IS_NA(status) ((status)[0] == 'n' && (status)[1] == 'a' && \
			    (status)[2] == ':')

#define POUT_SCHEMA_VERSION 1

#endif /* PCPU_OUT_H */
