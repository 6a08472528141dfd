// SPDX-License-Identifier: GPL-2.0
/*
 * bench-common.c - option helpers shared by the benchmark commands:
 * lists, numbers checked where they are parsed (finite, in range, the
 * option named), the errno to exit-code map, output opened and closed
 * with a message that names the file, the dry run and the gate before
 * real CPU hotplug.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-common.h"
#include "bench-env.h"
#include "pcpu-metrics.h"
#include "pcpu-sysinfo.h"
#include "cid.h"
#include "pcpu-wfile.h"
#include "pcpubench.h"

int bc_split(const char *s, char out[][64], size_t max)
{
	size_t n = 0;
	const char *p = s, *q;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		size_t len, k;

		q = strchr(p, ',');
		len = q ? (size_t)(q - p) : strlen(p);

		if (!len || len >= 64 || n >= max)
			return -EINVAL;
		memcpy(out[n], p, len);
		out[n][len] = '\0';
		for (k = 0; k < n && strcmp(out[k], out[n]); k++)
			;
		if (k == n)	/* a repeated item is kept once */
			n++;
		if (!q)
			break;
		p = q + 1;
	}
	return (int)n;
}

int bc_strategies(const char *s, enum pcpu_strategy_id *ids, size_t max,
		  char *err, size_t errlen)
{
	char names[BC_MAX_LIST][64];
	int n, i;

	if (!s || !strcmp(s, "all")) {
		for (i = 0, n = 0; i < PCPU_NR_STRATEGIES && (size_t)n < max; i++)
			if (!pcpu_strategy_unavailable((enum pcpu_strategy_id)i))
				ids[n++] = (enum pcpu_strategy_id)i;
		return n;
	}
	n = bc_split(s, names, BC_MAX_LIST);
	if (n < 0 || (size_t)n > max) {
		snprintf(err, errlen, "bad strategy list '%s'", s ? s : "");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (pcpu_strategy_lookup(names[i], &ids[i])) {
			size_t k, used;

			used = (size_t)snprintf(err, errlen, "unknown strategy '%s' "
						"(known:", names[i]);
			for (k = 0; k < PCPU_NR_STRATEGIES && used < errlen; k++)
				used += (size_t)snprintf(err + used, errlen - used, " %s,",
					pcpu_strategy_name((enum pcpu_strategy_id)k));
			if (used < errlen)
				snprintf(err + used, errlen - used, " all)");
			return -EINVAL;
		}
	}
	return n;
}

/*
 * Numbers are parsed one way: decimal digits only (a '-' and a '.' and
 * an exponent for a double), no leading space or '+', no hex or octal
 * ("010" is ten, not eight), no overflow clamped (ERANGE is an error).
 */
int bc_double(const char *s, double *v)
{
	char *end;
	const char *p = s && *s == '-' ? s + 1 : s;

	if (!p || !((*p >= '0' && *p <= '9') || *p == '.') ||
	    strpbrk(s, "xXpP"))
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	return errno || *end || !isfinite(*v) ? -EINVAL : 0;
}

int bc_ulong(const char *s, unsigned long *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

int bc_placement(const char *cmd, const char *s, struct pcpu_placement *p)
{
	if (!pcpu_placement_parse(s, p))
		return 0;
	fprintf(stderr, "pcpubench %s: unknown placement '%s' (local, interleave, "
		"node:N)\n", cmd, s);
	return -EINVAL;
}

int bc_no_extra_args(const char *cmd, int argc, char **argv, int optind_)
{
	if (optind_ < argc) {
		fprintf(stderr, "pcpubench %s: unexpected argument '%s'\n", cmd,
			argv[optind_]);
		return -EINVAL;
	}
	return 0;
}

const char *bc_cpuset_param(const struct pcpu_cpuset *s, char *buf, size_t len)
{
	unsigned n = pcpu_cpuset_count(s), i;
	uint32_t h = 2166136261u;
	int last = -1, cpu;

	pcpu_for_each_cpu(cpu, s)
		last = cpu;
	if (last + 1 == (int)n) {
		snprintf(buf, len, "%u", n);
		return buf;
	}
	if (!pcpu_cpuset_format(s, buf, len))
		return buf;
	for (i = 0; i < sizeof(s->bits); i++) {	/* FNV-1a of the bitmap */
		h ^= ((const unsigned char *)s->bits)[i];
		h *= 16777619u;
	}
	snprintf(buf, len, "%u#%08x", n, h);
	return buf;
}

const char *bc_na_status(char *dst, size_t len, const char *word,
			 const char *msg)
{
	char *p;

	snprintf(dst, len, "na:%s(%s)", word, msg && *msg ? msg : "no detail");
	for (p = dst; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r' ||
		    (unsigned char)*p < 0x20)
			*p = ';';
	return dst;
}

enum pout_format bc_default_format(const char *path)
{
	if ((!path || !strcmp(path, "-")) && isatty(STDOUT_FILENO))
		return POUT_TEXT;
	return POUT_CSV;
}

int bc_number(const char *cmd, const char *opt, const char *s, double min,
	      double max, double *v)
{
	if (!bc_double(s, v) && *v >= min && *v <= max)
		return 0;
	fprintf(stderr, "pcpubench %s: --%s '%s': want a number from %g to %g\n",
		cmd, opt, bc_arg(s), min, max);
	return -EINVAL;
}

int bc_count(const char *cmd, const char *opt, const char *s,
	     unsigned long min, unsigned long max, unsigned long *v)
{
	if (!bc_ulong(s, v) && *v >= min && *v <= max)
		return 0;
	fprintf(stderr, "pcpubench %s: --%s '%s': want a whole number from %lu "
		"to %lu (decimal)\n", cmd, opt, bc_arg(s), min, max);
	return -EINVAL;
}

void bc_clamp_note(const char *cmd, const char *opt, unsigned long asked,
		   unsigned long used, const char *why)
{
	fprintf(stderr, "pcpubench %s: --%s %lu: %s; using %lu\n", cmd, opt,
		asked, why, used);
}

int bc_exit_code(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return 0;
	case EINVAL: case ERANGE: case E2BIG: case EDOM:
		return 2;
	case ENOTSUP: case ENODEV: case ENXIO: case EPERM: case EACCES:
	case ENOSYS:
		return 4;
	case ENOSPC: case EIO: case EDQUOT: case EFBIG: case EROFS:
		return 3;
	default:
		return 1;
	}
}

int bc_rt_exit(int err, const struct pcpu_config *cfg)
{
	if (err == -ENOMEM && cfg && cfg->backing == PCPU_BACKING_HUGETLB)
		return 4;
	return bc_exit_code(err);
}

void bc_na_rows(struct pout *o, const char *bench, const char *const *pv,
		const char *const *metrics, const char *status)
{
	const struct pcpu_metric *m;

	for (; *metrics; metrics++) {
		m = pcpu_metric_find(bench, *metrics);
		pout_row(o, pv, 0, *metrics, NAN, m ? m->unit : "?", status);
	}
}

int bc_rt_start(const char *cmd, const char *what, struct pcpu_rt **rt,
		struct pcpu_config *cfg, bool na_ok, char *na, size_t nalen,
		char *err, size_t errlen)
{
	int r;

	*rt = NULL;
	err[0] = '\0';
	r = pcpu_rt_init(rt, cfg, err, errlen);
	if (!r)
		return 0;
	*rt = NULL;
	if (r == -ENOTSUP && na_ok) {
		bc_na_status(na, nalen, "not-supported", err);
		return 0;
	}
	fprintf(stderr, "pcpubench %s: %s: %s\n", cmd, what,
		err[0] ? err : strerror(-r));
	return bc_rt_exit(r, cfg);
}

const char *bc_arg(const char *s)
{
	static char buf[4][96];
	static unsigned i;
	size_t n = s ? strlen(s) : 0;
	char *b;

	if (!s)
		return "";
	if (n <= 80)
		return s;
	b = buf[i++ % 4];
	snprintf(b, sizeof(buf[0]), "%.56s...(%zu bytes)", s, n);
	return b;
}

int bc_path_msg(const char *cmd, const char *opt, const char *path, int r)
{
	switch (-r) {
	case EEXIST: case ENOENT: case ENOTDIR: case ETXTBSY: case EMLINK:
	case EXDEV: case EINVAL: case ENAMETOOLONG:
		fprintf(stderr, "pcpubench %s: %s '%s': %s%s\n", cmd, opt,
			bc_arg(path), r == -ENAMETOOLONG ? "name too long" :
			pcpu_wfile_strerror(r), r == -EEXIST && !strcmp(opt, "-o") ? " (give a new file "
			"name, or /dev/stdout)" : "");
		return 2;
	default:
		fprintf(stderr, "pcpubench %s: %s: cannot create '%s': %s\n", cmd,
			opt, bc_arg(path ? path : "-"), strerror(-r));
		return r == -ENOMEM ? 1 : 3;
	}
}

static int out_open_msg(const char *cmd, const char *path, int r)
{
	return bc_path_msg(cmd, "-o", path, r);
}

/*
 * The temporary file of the open output, removed when a signal whose
 * default is to end the program (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 * SIGUSR1/2, SIGPIPE, SIGALRM ...) ends it (where the command installed no handler of its
 * own), so an interrupted run leaves no "x.csv.tmp.XXXXXX" behind.
 */
static char out_tmp[PATH_MAX];

static void out_tmp_signal(int sig)
{
	if (out_tmp[0])
		unlink(out_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void out_tmp_watch(const char *tmp)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
				    SIGUSR2, SIGPIPE, SIGALRM, SIGVTALRM,
				    SIGPROF, SIGXCPU, SIGXFSZ };
	struct sigaction sa, old;
	size_t i;

	if (!tmp || strlen(tmp) >= sizeof(out_tmp))
		return;
	memcpy(out_tmp, tmp, strlen(tmp) + 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = out_tmp_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
}

char bc_command[2048];

void bc_set_command(int argc, char **argv)
{
	size_t len = 0;
	int i;

	bc_command[0] = '\0';
	for (i = 0; i < argc && len < sizeof(bc_command) - 2; i++)
		len += (size_t)snprintf(bc_command + len, sizeof(bc_command) - len,
					"%s%s", i ? " " : "", argv[i]);
}

int bc_out_open(const char *cmd, struct pout **o, enum pout_format f,
		const char *path, const char *bench,
		const char *const *param_names, size_t nparams)
{
	int r;

	if (path && !*path)	/* an empty name: not the current directory */
		return out_open_msg(cmd, path, -EINVAL);
	r = pout_open(o, f, path, bench, param_names, nparams);
	if (r == -EINVAL) {
		fprintf(stderr, "pcpubench %s: cannot open the output: invalid "
			"column name (internal error)\n", cmd);
		return 1;
	}
	if (r)
		return out_open_msg(cmd, path, r);
	if (bc_command[0])
		pout_meta(*o, "command", bc_command);
	bc_cid_meta(*o);
	out_tmp_watch(pout_tmp_path(*o));
	return 0;
}

int bc_out_check(const char *cmd, const char *path)
{
	int r = pout_path_check(path);

	return r < 0 ? out_open_msg(cmd, path, r) : 0;
}

int bc_out_close(const char *cmd, struct pout *o)
{
	char err[256];
	int r = pout_close_err(o, err, sizeof(err));

	out_tmp[0] = '\0';
	if (!r)
		return 0;
	if (r == -EINVAL) {
		fprintf(stderr, "pcpubench %s: internal error: %s\n", cmd, err);
		return 1;
	}
	fprintf(stderr, "pcpubench %s: %s%s\n", cmd, err,
		r == -ENOMEM ? "" : " (output not written)");
	return r == -ENOMEM ? 1 : 3;
}

int bc_no_abbrev(const char *cmd, int argc, char **argv,
		 const char *const *names)
{
	int i;
	size_t k, len;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (strncmp(a, "--", 2) || !a[2])
			continue;
		a += 2;
		len = strcspn(a, "=");
		for (k = 0; names[k]; k++)
			if (len < strlen(names[k]) && !strncmp(a, names[k], len)) {
				fprintf(stderr, "pcpubench %s: '--%.*s' must be spelled "
					"in full: --%s (never abbreviated)\n", cmd,
					(int)len, a, names[k]);
				return -EINVAL;
			}
	}
	return 0;
}

bool bc_dry_run;

bool bc_dry_run_stop(const char *cmd)
{
	if (!bc_dry_run)
		return false;
	printf("intent: %s hotplug=none\n", cmd);
	return true;
}

/* Under ./run.sh a profile line's own options never opt it in. */
static bool under_run_sh(void)
{
	const char *e = bench_env_get(BC_RUN_SH_ENV);

	return e && !strcmp(e, "1");
}

static bool env_is_1(const char *name)
{
	const char *e = bench_env_get(name);

	return e && !strcmp(e, "1");
}

int bc_optin_gate(const char *cmd, const char *what, bool cmdline,
		  const char *env, const char *runsh_opt)
{
	bool ok = env_is_1(env) || (cmdline && !under_run_sh());

	if (bc_dry_run) {
		printf("intent: %s %s allowed=%s\n", cmd, what, ok ? "yes" : "no");
		return 1;
	}
	if (ok)
		return 0;
	fprintf(stderr, "pcpubench %s: refused: %s changes this machine; under "
		"./run.sh it runs only with ./run.sh %s (the profile line's own "
		"options do not count)\n", cmd, what, runsh_opt);
	return -EPERM;
}

int bc_hotplug_gate(const char *cmd, bool allow, const char *what)
{
	bool ok = (allow && !under_run_sh()) || env_is_1(BC_ALLOW_HOTPLUG_ENV);

	if (bc_dry_run) {
		printf("intent: %s hotplug=%s allowed=%s\n", cmd, what,
		       ok ? "yes" : "no");
		return 1;
	}
	if (ok)
		return 0;
	fprintf(stderr, "pcpubench %s: refused: the %s backend takes this "
		"machine's CPUs offline; it runs only with --allow-hotplug (or "
		BC_ALLOW_HOTPLUG_ENV "=1, which ./run.sh --allow-hotplug sets)\n",
		cmd, what);
	return -EPERM;
}
int bc_online_check(const char *cmd, const char *online)
{
	if (!online || !*online || online[strspn(online, "0")])
		return 0;	/* a cpulist or a count other than 0 */
	fprintf(stderr, "pcpubench %s: --online %s: at least one CPU must be "
		"online (the boot CPU)\n", cmd, online);
	return -EINVAL;
}

int bc_dry_run_rt(const char *cmd, struct pcpu_config *cfg,
		  const enum pcpu_strategy_id *ids, int n)
{
	enum pcpu_strategy_id keep = cfg->strategy;
	char err[256];
	int i, r;

	if (!bc_dry_run)
		return 0;
	for (i = 0; i < n; i++) {
		struct pcpu_rt *rt;

		cfg->strategy = ids[i];
		err[0] = '\0';
		r = pcpu_rt_init(&rt, cfg, err, sizeof(err));
		if (r == -ENOTSUP && n > 1)
			continue;
		if (r) {
			fprintf(stderr, "pcpubench %s: %s: %s\n", cmd,
				pcpu_strategy_name(ids[i]), err[0] ? err : strerror(-r));
			cfg->strategy = keep;
			return bc_rt_exit(r, cfg);
		}
		pcpu_rt_fini(rt);
	}
	cfg->strategy = keep;
	return 0;
}

int bc_layout(const char *cmd, const char *s, enum pcpu_layout_id *l)
{
	unsigned i;

	if (!pcpu_layout_lookup(s, l))
		return 0;
	fprintf(stderr, "pcpubench %s: unknown layout '%s' (", cmd, s);
	for (i = PCPU_L_DEFAULT + 1; i < PCPU_NR_LAYOUTS; i++)
		fprintf(stderr, "%s%s", i > PCPU_L_DEFAULT + 1 ? ", " : "",
			pcpu_layout_name((enum pcpu_layout_id)i));
	fprintf(stderr, ")\n");
	return -EINVAL;
}

int bc_late_node(const char *cmd, const char *s, struct pcpu_late_node *ln)
{
	if (!pcpu_late_node_parse(s, ln))
		return 0;
	fprintf(stderr, "pcpubench %s: unknown --late-node '%s' (roundrobin, "
		"topology, boot, node:N)\n", cmd, s);
	return -EINVAL;
}

int bc_pairs(const char *cmd, const char *list, enum pcpu_strategy_id *ids,
	     int n, enum pcpu_layout_id layout)
{
	bool all = !list || !strcmp(list, "all");
	int i, k = 0;

	for (i = 0; i < n; i++) {
		enum pcpu_access_id a = pcpu_strategy_access(ids[i]);
		const char *why = pcpu_pair_invalid(a,
				pcpu_strategy_layout_with(ids[i], layout));

		if (!why) {
			ids[k++] = ids[i];
			continue;
		}
		fprintf(stderr, "pcpubench %s: %s%s (access %s) cannot use layout "
			"%s: %s\n", cmd, all ? "skipped: " : "",
			pcpu_strategy_name(ids[i]), pcpu_access_name(a),
			pcpu_layout_name(layout), why);
		if (!all)
			return -EINVAL;
	}
	if (!k) {
		fprintf(stderr, "pcpubench %s: no strategy can use layout %s\n", cmd,
			pcpu_layout_name(layout));
		return -EINVAL;
	}
	return k;
}

int bc_sysfs_cpulist(const char *name, char *buf, size_t len)
{
	char path[128];
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/%s", name);
	ret = pcpu_sysinfo_read_str(path, buf, len);
	if (ret)
		return ret;
	n = strlen(buf);
	/* A single id ("0") would read as a count: make it a range. */
	if (!strpbrk(buf, ",-") && 2 * n + 2 <= len) {
		buf[n] = '-';
		memcpy(buf + n + 1, buf, n);
		buf[2 * n + 1] = '\0';
	}
	return 0;
}

int bc_default_cpu(void)
{
	cpu_set_t set;
	int i, last = -1;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			last = i;
	return last < 0 ? 0 : last;
}

int bc_strategy_pairs(const char *cmd, const char *list,
		      enum pcpu_strategy_id *ids, size_t max,
		      enum pcpu_layout_id layout)
{
	char err[256];
	int n = bc_strategies(list, ids, max, err, sizeof(err));

	if (n < 0) {
		fprintf(stderr, "pcpubench %s: %s\n", cmd, err);
		return -EINVAL;
	}
	return bc_pairs(cmd, list, ids, n, layout);
}

int bc_help_or_bad(int c, void (*usage)(FILE *f))
{
	usage(c == 'h' ? stdout : stderr);
	return c == 'h' ? EXIT_OK : EXIT_USAGE;
}
