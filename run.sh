#!/bin/bash
# run.sh - run a pcpubench sweep profile into a results directory, then
# write its report and plots; compare results directories.
#
# Everything a run produces lives in results/<UTC date>_<host>_<label>/;
# plots and reports are generated from those files only (plots/*.py,
# plots/*.gp), so they can be regenerated anywhere. See ./run.sh --help
# and plots/README.md.
set -u

ROOT=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
PROG=./run.sh

usage() {
	cat <<EOF
usage: $PROG [PROFILE] [--label L] [--results DIR] [--allow-hotplug]
             [--allow-hugetlb] [--kernel]
       $PROG --resume DIR
       $PROG report DIR [--baseline BENCH:PARAM=VALUE]
       $PROG compare DIR DIR [DIR...] [--baseline N|DIR] [--out DIR]
       $PROG --list | --dry-run [PROFILE] | --help

Runs the sweep PROFILE (default: quick) of build/pcpubench and leaves
everything in results/<UTC date>_<host>_<label>/ (label defaults to the
profile name; an existing directory is never reused: -2, -3 ... is added).

Steps: set-up check (scripts/setup-deps.sh; PCPU_SKIP_DEPS=1 skips it),
make, pcpubench info, topology (hwloc), then one benchmark run per
profile line, then report.txt and plots.

Profiles (profiles/NAME, or a path): one pcpubench invocation per line,
without the binary name, e.g.
    access --strategy offset-array,segment --op read --repeat 9
Words are split as the shell does ('single' and "double" quotes group,
no * or ? expansion, no variables); '#' starts a comment;
'@timeout SECONDS' (whole seconds, 0 = none) sets the time limit of the
lines after it (default 600). A malformed line stops the run before it
starts (exit 2). run.sh adds --format csv -o FILE.
Profiles here: $(cd "$ROOT/profiles" 2>/dev/null && ls | tr '\n' ' ')

A results directory holds:
  meta.json        machine, kernel and cmdline, compiler and flags, git
                   revision, profile, counters, calibration (from
                   pcpubench info --format json plus what run.sh knows)
  <bench>.csv      tidy CSV per benchmark, all its runs, one header
  topology.xml     hwloc topology (lstopo-no-graphics --of xml)
  profile, state   the profile used; completed steps (for --resume),
                   each with the revision and binary sha256 it ran with
  metrics.json     every metric every benchmark emits (pcpubench list
                   --metrics --format json): unit, kind, invariants; the
                   report and compare read it
  raw/ logs/       each step's CSV and its metadata NN-BENCH.csv.meta.json
                   (the exact command, seed, revision, TSC rate, core
                   clock source, calibration, layout); stdout/stderr of
                   every step
  report.txt       <= 72 columns: first the findings (one entry per
                   claim of the 2006 thread: figure, strategies,
                   condition, U-test mark, step; or why this run cannot
                   settle it), then machine summary, per benchmark tables
                   (median, rCV%, % against the baseline strategy,
                   * = Mann-Whitney U p<0.05; for difference metrics
                   such as tlb_cost the signed difference and the IQR
                   instead), plain-text plot, command to reproduce.
                   Rows match their baseline on the requested
                   parameters; what a run obtained (backing) is shown
                   as [thp] and flagged b when it differs from the base
  plots/           NAME.png (gnuplot), NAME.txt (dumb terminal, 72
                   columns), figures.png/.pdf (matplotlib), data/

Exit status of a benchmark: 0 ok; 4 "cannot run here" is recorded as
"skipped: <message>" and is not a failure; 1 (a check failed), 2 (usage),
3 (output not written: disk full, I/O error) or a timeout is a failure.
run.sh exits 0 when every step ran or was skipped with a reason, 1 when
one failed (the report is still written), 2 on a usage error, 3 when the
results directory cannot be written (full, read-only: the run stops, the
state file keeps its last good version), 130 when interrupted.

One run at a time per results directory: a second run or --resume of a
directory in use is refused with the PID holding it (a benchmark left
running by a killed run holds it too); a lock left by a dead run is
taken over and said so.

Interrupted runs keep every completed step (files are written to a
temporary name and renamed). '$PROG --resume DIR' runs the remaining
steps of DIR's own copy of the profile and rewrites the report; when the
benchmark binary changed since the run started (a new commit), it says
so, and each step keeps the revision it ran with.

report DIR     regenerate report.txt and plots/ from DIR's files only.
               --baseline access:strategy=segment changes a baseline
               (defaults: strategy=offset-array; tlb: page=4k).
compare DIR... any number of directories (the first is the baseline;
               their findings side by side), not one alone;
               match the runs' rows by parameters (parameters that are
               fixed but differ between the directories, e.g. page=4k
               against page=2m, are left out of the match and named) and
               print a table per metric: medians, ratio to the baseline
               directory (the first, or --baseline N / DIR), * for a
               Mann-Whitney U p<0.05, a warning below 9 repetitions.
               Writes compare.txt and overlay plots (PNG and text) to
               --out DIR (default results/compare_<UTC time>). Reads
               only the directories' files: copies from other machines
               work.

Hotplug: profiles must not take host CPUs offline. Each line is first
checked by the benchmark itself (pcpubench --dry-run: the arguments as
it parses them, whatever their spelling); a line that would take real
CPUs offline is skipped unless --allow-hotplug is given (root), which
sets PCPU_ALLOW_HOTPLUG=1, the opt-in the benchmark itself requires.
Guest step: a profile line 'guest --boots default,page' boots the 2-node
test guest (qemu TCG, Debian 6.1 kernel; tests/guest/kfacts-step.sh) once
per boot, loads the module there, hot-adds a vCPU on node 1 and keeps the
guest kernel's facts (kfacts) and where each CPU's per-CPU memory lives,
with the page size mapping it (kernel-numa), as rows with topology guest.
Without qemu it is skipped with the reason. The first run fetches the
Debian kernel and headers (PCPU_GUEST_CACHE, default tests/guest/cache).
A line that changes vm.nr_hugepages (tlb --hugetlb-reserve) is skipped
unless --allow-hugetlb is given. A profile line never opts itself in:
under run.sh (PCPU_RUN_SH=1) the line's own --allow-hotplug does not
count, and an opt-in inherited from the environment is dropped; only
run.sh's own options count.
Kernel module: --kernel appends profiles/kernel (pcpubench kernel access,
numa: loads bench/kmod/ into the running kernel; root, built with make
kmod); a 'kernel' line is skipped unless --kernel is given. Never by
default.

Environment: PCPUBENCH=PATH uses that binary and skips make;
PCPU_RESULTS=DIR instead of results/; PCPU_SKIP_DEPS=1 skips the set-up
check; PCPU_STOP_AFTER=N stops as if interrupted after N steps;
PCPU_CALIBRATION=FILE the TLB calibration (default: DIR/tlb-calibration.csv,
written by the run's tlb step, read by its access steps).
EOF
}

die_usage() {
	echo "run.sh: $*" >&2
	echo "run.sh: see $PROG --help" >&2
	exit 2
}

log() {
	# log MESSAGE: to the terminal and the run log
	echo "run.sh: $*" >&2
	[ -n "${DIR:-}" ] && [ -d "$DIR/logs" ] && \
		echo "$(date -u +%H:%M:%S) $*" >>"$DIR/logs/run.log" 2>/dev/null
	return 0
}

# fatal MESSAGE: the results directory cannot be written: stop (exit 3)
fatal() {
	echo "run.sh: $*" >&2
	echo "run.sh: the run stops; files already written are intact" >&2
	[ -n "${CHILD:-}" ] && kill -TERM "${CHILD:-}" 2>/dev/null
	release_lock
	exit 3
}

# atomic_mv TMP DEST: rename into place (same directory, so atomic)
atomic_mv() { mv -f "$1" "$2" 2>/dev/null; }

# write_checked FILE CONTENT: FILE.tmp, read back, renamed over FILE;
# on any failure FILE is untouched and the run stops
write_checked() {
	local f=$1
	if printf '%s\n' "$2" >"$f.tmp" 2>/dev/null &&
	   [ "$(cat "$f.tmp" 2>/dev/null)" = "$2" ] && atomic_mv "$f.tmp" "$f"; then
		return 0
	fi
	rm -f "$f.tmp" 2>/dev/null
	fatal "cannot write $f (file system full or read-only?)"
}

# ----------------------------------------------------------------- lock
# One run per results directory: flock(1) on DIR/.lock (fd 9, inherited
# by the steps, so a benchmark still running after its run.sh was killed
# keeps the directory locked). The file holds the PID of the holder.
LOCKED=0
take_lock() {
	local lf=$DIR/.lock holder
	if ! { exec 9>>"$lf"; } 2>/dev/null; then
		echo "run.sh: cannot write in $DIR (read-only or not yours?)" >&2
		exit 3
	fi
	holder=$(cat "$lf" 2>/dev/null)
	if ! flock -n 9; then
		if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
			echo "run.sh: $DIR is in use by another run (PID $holder)" >&2
		else
			echo "run.sh: $DIR is in use: its run (PID ${holder:-unknown}) has" \
				"ended but a process it started still holds the lock" \
				"(see: fuser -v $lf)" >&2
		fi
		exec 9>&-
		exit 1
	fi
	LOCKED=1
	if [ -n "$holder" ] && [ "$holder" != $$ ]; then
		log "stale lock of PID $holder (no longer running) taken over"
	fi
	printf '%s\n' $$ >"$lf" 2>/dev/null || \
		log "warning: cannot record PID $$ in $lf"
}
release_lock() {
	[ "$LOCKED" = 1 ] || return 0
	: >"$DIR/.lock" 2>/dev/null
	exec 9>&-
	LOCKED=0
}

profile_path() {
	local p=$1
	if [ -f "$p" ]; then
		echo "$p"
	elif [ -f "$ROOT/profiles/$p" ]; then
		echo "$ROOT/profiles/$p"
	else
		return 1
	fi
}

# parse_profile FILE: print "TIMEOUT<TAB>WORD<US>WORD..." per step (US =
# \x1f), words split as the shell does but without any expansion; a
# malformed line is an error (exit 2) naming the file and line
parse_profile() {
	"$PY" - "$1" <<'PYEOF'
import os, shlex, stat, sys
path, t, bad, out = sys.argv[1], 600, 0, []
# a regular file of at most 1 MiB (a FIFO or device is refused unread),
# UTF-8 (a BOM is dropped), no NUL byte
try:
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            sys.exit("run.sh: profile %s: not a regular file" % path)
        if st.st_size > 1 << 20:
            sys.exit("run.sh: profile %s: larger than 1 MiB" % path)
        data = os.read(fd, (1 << 20) + 1)
    finally:
        os.close(fd)
    if len(data) > 1 << 20:
        sys.exit("run.sh: profile %s: larger than 1 MiB" % path)
    if b"\0" in data:
        sys.exit("run.sh: profile %s: a NUL byte at offset %d (not a text file)"
                 % (path, data.index(b"\0")))
    text = data.decode("utf-8-sig")
except (OSError, UnicodeDecodeError) as e:
    sys.exit("run.sh: profile %s: %s" % (path, e))
for n, line in enumerate(text.splitlines(), 1):
    where = "run.sh: profile %s line %d" % (path, n)
    try:
        w = shlex.split(line, comments=True)
    except ValueError as e:
        print("%s: %s" % (where, e), file=sys.stderr)
        bad = 1
        continue
    if not w:
        continue
    if w[0] == "@timeout":
        if len(w) != 2 or not w[1].isdigit():
            print("%s: @timeout %s: want whole seconds (0 = no limit)"
                  % (where, " ".join(w[1:]) or "(nothing)"), file=sys.stderr)
            bad = 1
        else:
            t = int(w[1])
        continue
    if w[0].startswith("@"):
        print("%s: unknown directive '%s' (known: @timeout)" % (where, w[0]),
              file=sys.stderr)
        bad = 1
        continue
    odd = [x for x in w if not x or any(c in x for c in "\x1f\t\n\r")]
    if odd:
        print("%s: empty word or control character in %r" % (where, odd[0]),
              file=sys.stderr)
        bad = 1
        continue
    out.append("%d\t%s" % (t, "\x1f".join(w)))
if bad:
    sys.exit(2)
for ln in out:
    print(ln)
PYEOF
}

# ------------------------------------------------------------ state file
# DIR/state: "key value" lines, "step N STATUS BENCH MESSAGE" lines and
# "steprev N REVISION SHA256" lines, rewritten whole after every change
# (write_checked: a failed write stops the run, the old state stays).
state_set() {
	# state_set KEY VALUE
	local f=$DIR/state new
	new=$(grep -v "^$1 " "$f" 2>/dev/null; echo "$1 $2")
	write_checked "$f" "$new"
}

state_get() { sed -n "s/^$1 //p" "$DIR/state" 2>/dev/null | tail -1; }

state_step() {
	# state_step N STATUS BENCH MESSAGE
	local f=$DIR/state msg new
	msg=$(echo "$4" | tr '\n\t' '  ' | cut -c1-300)
	new=$(grep -v -e "^step $1 " -e "^steprev $1 " "$f" 2>/dev/null
	      echo "step $1 $2 $3 $msg"
	      [ -n "${BIN_ID:-}" ] && echo "steprev $1 $BIN_ID")
	write_checked "$f" "$new"
}

# bin_identity: BIN_ID="REVISION SHA256" of the benchmark binary
bin_identity() {
	local rev sha
	rev=$("$BIN" --version 2>/dev/null </dev/null | sed -n '1s/^pcpubench //p')
	rev=$(echo "$rev" | tr -c 'A-Za-z0-9._+\n-' '_')
	sha=$(sha256sum "$BIN" 2>/dev/null | cut -d' ' -f1)
	BIN_ID="${rev:-unknown} ${sha:-unknown}"
}

step_done() { grep -q "^step $1 " "$DIR/state" 2>/dev/null; }

# --------------------------------------------------------------- steps
CHILD=
INTERRUPTED=0
on_signal() {
	INTERRUPTED=1
	[ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
}

# run_logged NAME TIMEOUT CMD...: run in the background (so signals are
# handled at once), stdout/stderr to logs/NAME.*; sets RC
run_logged() {
	local name=$1 t=$2
	shift 2
	if [ "$t" -gt 0 ] 2>/dev/null; then
		timeout -k 10 "$t" "$@" >"$DIR/logs/$name.stdout" \
			2>"$DIR/logs/$name.stderr" </dev/null &
	else
		"$@" >"$DIR/logs/$name.stdout" 2>"$DIR/logs/$name.stderr" \
			</dev/null &
	fi
	CHILD=$!
	wait "$CHILD"
	RC=$?
	# a signal interrupts wait; wait again for the child to finish
	while kill -0 "$CHILD" 2>/dev/null; do
		wait "$CHILD"
		RC=$?
	done
	CHILD=
}

first_msg() {
	# the last non-empty stderr line of a step, for the report
	grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -1 | cut -c1-200
}

merge_csv() {
	# merge_csv BENCH: raw/*-BENCH.csv -> BENCH.csv (one header)
	"$PY" "$ROOT/scripts/results-write.py" merge "$DIR" "$1" \
		>>"$DIR/logs/merge.log" 2>&1 || log "merge of $1 failed"
}

write_meta() {
	"$PY" "$ROOT/scripts/results-write.py" meta "$DIR" "$ROOT" "$BIN" \
		>>"$DIR/logs/meta.log" 2>&1 || log "meta.json: failed (see logs/meta.log)"
}

new_results_dir() {
	local base=$1 d n=1
	mkdir -p "$(dirname "$base")" || return 1
	d=$base
	until mkdir "$d" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -gt 999 ] && return 1
		d=$base-$n
	done
	echo "$d"
}

# The run, in phases. The phases share do_run's locals (bash's dynamic
# scope): profile label resume dry allow_hp allow_huge kernel results,
# steps nsteps failed build_ok done_now.

# run_args ARGS...: run.sh's own options into do_run's locals
run_args() {
	while [ $# -gt 0 ]; do
		case "$1" in
		-h|--help) usage; exit 0 ;;
		--label) [ $# -ge 2 ] || die_usage "--label needs a value"
			label=$2; shift ;;
		--label=*) label=${1#*=} ;;
		--resume) [ $# -ge 2 ] && [ -n "$2" ] || die_usage "--resume needs a directory"
			resume=$2; shift ;;
		--resume=*) resume=${1#*=}
			[ -n "$resume" ] || die_usage "--resume needs a directory" ;;
		--results) [ $# -ge 2 ] || die_usage "--results needs a directory"
			results=$2; shift ;;
		--dry-run) dry=1 ;;
		--allow-hotplug) allow_hp=1 ;;
		--allow-hugetlb) allow_huge=1 ;;
		--kernel) kernel=1 ;;
		--allow-*) die_usage "unknown option '$1' (--allow-hotplug is never abbreviated)" ;;
		--list) ls "$ROOT/profiles"; exit 0 ;;
		-*) die_usage "unknown option '$1'" ;;
		*) profile=$1 ;;
		esac
		shift
	done
}

# run_profile: PROFILE_FILE (and DIR, profile, label of a resumed run);
# --kernel appends profiles/kernel in a temporary copy (KPROF)
run_profile() {
	if [ -n "$resume" ]; then
		[ -d "$resume" ] || die_usage "--resume: no directory '$resume'"
		[ -f "$resume/state" ] && [ -f "$resume/profile" ] || \
			die_usage "--resume: '$resume' has no state or profile file"
		DIR=$(cd "$resume" && pwd)
		profile=$(sed -n 's/^profile //p' "$DIR/state")
		label=$(sed -n 's/^label //p' "$DIR/state")
		PROFILE_FILE=$DIR/profile
		return
	fi
	PROFILE_FILE=$(profile_path "$profile") || \
		die_usage "no profile '$profile' (profiles: $(ls "$ROOT/profiles" | tr '\n' ' '))"
	profile=$(basename "$profile")
	[ -n "$label" ] || label=$profile
	case "$label" in
	*[!A-Za-z0-9._-]*) die_usage "--label: use letters, digits, . _ -" ;;
	esac
	if [ "$kernel" = 1 ] && [ "$profile" != kernel ]; then
		KPROF=$(mktemp "${TMPDIR:-/tmp}/pcpu-profile.XXXXXX") || exit 1
		{ cat "$PROFILE_FILE"; grep -v '^kfacts' "$ROOT/profiles/kernel"; } >"$KPROF"
		PROFILE_FILE=$KPROF
	fi
}

# run_plan: the profile's steps (a malformed line: exit 2); --dry-run
# prints them and exits
run_plan() {
	case "${PCPU_STOP_AFTER:-}" in
	""|[0-9]|[0-9][0-9]|[0-9][0-9][0-9]) ;;
	*) die_usage "PCPU_STOP_AFTER='$(printf '%.40s' "$PCPU_STOP_AFTER")': want a whole number of steps (0-999)" ;;
	esac
	steps=$(parse_profile "$PROFILE_FILE") || exit 2
	[ -n "$steps" ] || die_usage "profile $PROFILE_FILE has no benchmark line"
	if [ "$dry" = 1 ]; then
		[ -n "$steps" ] && while IFS=$'\t' read -r t args; do
			echo "build/pcpubench ${args//$'\x1f'/ } --format csv -o FILE  (timeout ${t}s)"
		done <<<"$steps"
		[ -n "${KPROF:-}" ] && rm -f "$KPROF"
		exit 0
	fi
}

# run_opt_in: only run.sh's own options opt in: never a profile line's
# options (PCPU_RUN_SH=1 tells the benchmark), never the environment
run_opt_in() {
	unset PCPU_ALLOW_HOTPLUG PCPU_ALLOW_HUGETLB PCPU_ALLOW_MODULE
	export PCPU_RUN_SH=1
	[ "$allow_hp" = 1 ] && export PCPU_ALLOW_HOTPLUG=1
	[ "$allow_huge" = 1 ] && export PCPU_ALLOW_HUGETLB=1
	[ "$kernel" = 1 ] && export PCPU_ALLOW_MODULE=1
}

# run_open_dir: a new results directory (or the resumed one), locked,
# with its profile copy and state file
run_open_dir() {
	if [ -n "$resume" ]; then
		take_lock
		mkdir -p "$DIR/logs" "$DIR/raw" 2>/dev/null || fatal "cannot create $DIR/logs, $DIR/raw"
		# what a killed run left: temporary files only it created
		rm -f "$DIR"/raw/*.csv.tmp "$DIR"/raw/*.csv.tmp.tmp.* \
			"$DIR"/raw/*.csv.tmp.meta.json* 2>/dev/null
		log "resuming $DIR (profile $profile)"
		state_set status running
		state_set resumed "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		return
	fi
	local host
	host=$(hostname -s 2>/dev/null || hostname)
	host=$(echo "$host" | tr -c 'A-Za-z0-9._\n-' '_')
	DIR=$(new_results_dir "$results/$(date -u +%Y-%m-%d)_${host}_$label") \
		|| { echo "run.sh: cannot create a directory under $results (read-only, full or not yours?)" >&2; exit 3; }
	take_lock
	mkdir -p "$DIR/logs" "$DIR/raw" 2>/dev/null || fatal "cannot create $DIR/logs, $DIR/raw"
	{ cp "$PROFILE_FILE" "$DIR/profile.tmp" 2>/dev/null &&
	  cmp -s "$PROFILE_FILE" "$DIR/profile.tmp" &&
	  atomic_mv "$DIR/profile.tmp" "$DIR/profile"; } ||
		fatal "cannot write $DIR/profile"
	[ -n "${KPROF:-}" ] && rm -f "$KPROF"
	PROFILE_FILE=$DIR/profile
	write_checked "$DIR/state" "$(echo "# pcpubench run state (run.sh); do not edit"
	  echo "profile $profile"; echo "label $label"
	  echo "started $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	  echo "status running")"
	log "results: $DIR"
}

# run_build: 1. the set-up check, 2. make (or PCPUBENCH), and which
# binary the steps run with (a resume with another says so)
run_build() {
	if [ -n "${PCPUBENCH:-}" ]; then
		state_set setup "skipped (PCPUBENCH set)"
	elif "$ROOT/scripts/setup-deps.sh" >"$DIR/logs/setup.stdout" 2>"$DIR/logs/setup.stderr"; then
		state_set setup ok
	else
		log "set-up check failed; continuing, the build may fail (logs/setup.stderr)"
		state_set setup "failed: $(first_msg "$DIR/logs/setup.stderr")"
	fi

	if [ -n "${PCPUBENCH:-}" ]; then
		BIN=$PCPUBENCH
		state_set build "skipped: PCPUBENCH=$BIN"
	else
		BIN=$ROOT/build/pcpubench
		log "make"
		run_logged make 0 make -C "$ROOT" 9>&-
		if [ "$RC" != 0 ]; then
			state_set build "failed: make exit $RC: $(first_msg "$DIR/logs/make.stderr")"
			log "make failed (logs/make.stderr); no benchmark can run"
			failed=1
			build_ok=0
		else
			state_set build ok
		fi
	fi

	[ "$build_ok" = 1 ] || return 0
	local was
	bin_identity
	was=$(state_get binary)
	if [ -z "$was" ]; then
		state_set binary "$BIN_ID"
	elif [ "$was" != "$BIN_ID" ]; then
		log "resume: the benchmark binary changed since this run started" \
			"(was ${was%% *}, sha256 $(echo "${was#* }" | cut -c1-12);" \
			"now ${BIN_ID%% *}, sha256 $(echo "${BIN_ID#* }" | cut -c1-12));" \
			"the remaining steps run with the new one; state and" \
			"meta.json record each step's revision"
		state_set binary_resumed "$BIN_ID"
	fi
}

# run_info: info.json (or info.txt), the list and metrics.json
run_info() {
	run_logged info 60 "$BIN" info --format json
	if [ "$RC" = 0 ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' \
		"$DIR/logs/info.stdout" 2>/dev/null; then
		{ cp "$DIR/logs/info.stdout" "$DIR/info.json.tmp" 2>/dev/null &&
		  atomic_mv "$DIR/info.json.tmp" "$DIR/info.json"; } ||
			fatal "cannot write $DIR/info.json"
		state_set info "ok (json)"
	else
		local jrc=$RC
		run_logged info-text 60 "$BIN" info
		if [ "$RC" = 0 ]; then
			{ cp "$DIR/logs/info-text.stdout" "$DIR/info.txt.tmp" 2>/dev/null &&
			  atomic_mv "$DIR/info.txt.tmp" "$DIR/info.txt"; } ||
				fatal "cannot write $DIR/info.txt"
			state_set info "text only (info --format json: exit $jrc)"
		elif [ "$RC" = 4 ]; then
			state_set info "skipped: $(first_msg "$DIR/logs/info-text.stderr")"
		else
			state_set info "failed: exit $RC: $(first_msg "$DIR/logs/info-text.stderr")"
		fi
	fi
	run_logged list 60 "$BIN" list
	run_logged metrics 60 "$BIN" list --metrics --format json
	if [ "$RC" = 0 ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' \
		"$DIR/logs/metrics.stdout" 2>/dev/null; then
		{ cp "$DIR/logs/metrics.stdout" "$DIR/metrics.json.tmp" 2>/dev/null &&
		  atomic_mv "$DIR/metrics.json.tmp" "$DIR/metrics.json"; } ||
			fatal "cannot write $DIR/metrics.json"
	else
		log "metrics.json: list --metrics failed (exit $RC); the report cannot check metric names"
	fi
}

# run_topology: topology.xml by hwloc, once
run_topology() {
	[ -s "$DIR/topology.xml" ] && return 0
	if command -v lstopo-no-graphics >/dev/null; then
		lstopo-no-graphics --of xml >"$DIR/topology.xml.tmp" 2>"$DIR/logs/topology.stderr"
	elif command -v hwloc-ls >/dev/null; then
		hwloc-ls --of xml >"$DIR/topology.xml.tmp" 2>"$DIR/logs/topology.stderr"
	fi
	if [ -s "$DIR/topology.xml.tmp" ]; then
		atomic_mv "$DIR/topology.xml.tmp" "$DIR/topology.xml"
	else
		rm -f "$DIR/topology.xml.tmp"
		log "topology.xml: hwloc not available"
	fi
}

# step_gate N STEP BENCH INTENT: the step's dry-run intent against the
# opt-ins. Return: 0 run it; 1 skipped (state written)
step_gate() {
	local n=$1 step=$2 bench=$3 intent=$4 msg
	# "allowed=no": the benchmark would refuse without an opt-in
	case "$intent" in
	*hotplug=none*|"") return 0 ;;
	*hotplug=*allowed=no*)
		msg=${intent##*hotplug=}
		state_step "$n" skipped "$bench" "takes host CPUs offline (${msg%% *} backend); needs --allow-hotplug"
		log "step $step: skipped: real CPU hotplug needs --allow-hotplug" ;;
	*hugetlb=*allowed=no*)
		state_step "$n" skipped "$bench" "changes vm.nr_hugepages; needs --allow-hugetlb"
		log "step $step: skipped: a hugetlb reserve needs --allow-hugetlb" ;;
	*allowed=no*)
		state_step "$n" skipped "$bench" "needs an explicit opt-in (${intent#intent: })"
		log "step $step: skipped: needs an explicit opt-in (${intent#intent: })" ;;
	*) return 0 ;;
	esac
	return 1
}

# step_record N STEP BENCH OUT TIMEOUT: the finished step's exit code
# (RC) into its CSV, metadata and state
step_record() {
	local n=$1 step=$2 bench=$3 out=$4 t=$5 msg
	msg=$(first_msg "$DIR/logs/$step.stderr")
	# the step's metadata (command, seed, clocks ...) beside its CSV
	# (exit 3, output not written: neither is kept)
	if [ -f "$out.tmp.meta.json" ]; then
		if [ -s "$out.tmp" ] && [ "$RC" != 3 ]; then
			atomic_mv "$out.tmp.meta.json" "$out.meta.json" ||
				fatal "cannot rename $out.tmp.meta.json"
		else
			rm -f "$out.tmp.meta.json"
		fi
	fi
	case "$RC" in
	0)
		if [ -s "$out.tmp" ]; then
			atomic_mv "$out.tmp" "$out" || fatal "cannot rename $out.tmp to $out"
			state_step "$n" ok "$bench" ""
		else
			state_step "$n" failed "$bench" "exit 0 but no CSV written"
			failed=1
		fi ;;
	4)
		rm -f "$out.tmp"
		state_step "$n" skipped "$bench" "${msg:-cannot run here (exit 4)}"
		log "step $step: skipped: $msg" ;;
	124|137)
		rm -f "$out.tmp"
		state_step "$n" failed "$bench" "timeout after ${t}s"
		log "step $step: FAILED: timeout after ${t}s"
		failed=1 ;;
	*)
		if [ -s "$out.tmp" ] && [ "$RC" != 3 ]; then
			atomic_mv "$out.tmp" "$out" || fatal "cannot rename $out.tmp to $out"
		fi
		rm -f "$out.tmp"
		case "$RC" in
		1) msg="check failed (exit 1): ${msg:-no message}" ;;
		2) msg="usage error (exit 2): ${msg:-no message}" ;;
		3) msg="output not written (exit 3): ${msg:-no message}" ;;
		*) msg="exit $RC: ${msg:-no message}" ;;
		esac
		state_step "$n" failed "$bench" "$msg"
		log "step $step: FAILED: $msg"
		failed=1 ;;
	esac
	rm -f "$out.tmp".tmp.*
	[ -f "$out" ] && merge_csv "$bench"
}

# run_step N TIMEOUT ARGS: one profile line (ARGS: words joined by \x1f).
# Return: 0 go on; 1 interrupted (stop the steps)
run_step() {
	local n=$1 t=$2 args=$3 bench step out msg intent drc shown
	local -a words runner
	IFS=$'\x1f' read -r -a words <<<"$args"
	shown=${args//$'\x1f'/ }
	bench=${words[0]}
	case "$bench" in *[!a-z0-9_-]*|"") bench=unknown ;; esac
	step=$(printf '%02d-%s' "$n" "$bench")
	if [ "$bench" = kernel ] && [ "$kernel" != 1 ]; then
		state_step "$n" skipped "$bench" "loads a kernel module; needs --kernel"
		log "step $step: skipped: a kernel module step needs --kernel"
		done_now=$((done_now + 1))
		return 0
	fi
	out=$DIR/raw/$step.csv
	# The guest step is a script, not a pcpubench command: it boots
	# the 2-node test guest (tests/guest/kfacts-step.sh).
	if [ "$bench" = guest ]; then
		runner=("$ROOT/tests/guest/kfacts-step.sh" --logs "$DIR/logs")
		words=("${words[@]:1}")
	else
		runner=("$BIN")
	fi
	# What the benchmark will do, as it parses the line (whatever
	# the spelling of its options), before anything runs.
	intent=$("${runner[@]}" --dry-run "${words[@]}" --format csv -o "$out.tmp" \
		2>"$DIR/logs/$step.dry-run.stderr" </dev/null 9>&-)
	drc=$?
	if [ "$drc" = 2 ]; then
		msg="usage error (exit 2): $(first_msg "$DIR/logs/$step.dry-run.stderr")"
		state_step "$n" failed "$bench" "$msg"
		log "step $step: FAILED: $msg"
		failed=1
		done_now=$((done_now + 1))
		return 0
	fi
	if ! step_gate "$n" "$step" "$bench" "$intent"; then
		done_now=$((done_now + 1))
		return 0
	fi
	rm -f "$out.tmp" "$out.tmp".tmp.* "$out.tmp.meta.json"
	log "step $step: pcpubench $shown"
	run_logged "$step" "$t" "${runner[@]}" "${words[@]}" --format csv -o "$out.tmp"
	if [ "$INTERRUPTED" = 1 ]; then
		rm -f "$out.tmp" "$out.tmp".tmp.* "$out.tmp.meta.json"
		log "step $step: interrupted; not recorded"
		return 1
	fi
	step_record "$n" "$step" "$bench" "$out" "$t"
	done_now=$((done_now + 1))
}

# run_steps: 4. the profile's steps not done yet
run_steps() {
	local n=0 t args
	while IFS=$'\t' read -r t args <&3; do
		[ -z "$args" ] && continue
		n=$((n + 1))
		[ "$INTERRUPTED" = 1 ] && break
		[ "$build_ok" = 0 ] && break
		step_done "$n" && continue
		if [ -n "${PCPU_STOP_AFTER:-}" ] && [ "$done_now" -ge "$PCPU_STOP_AFTER" ]; then
			INTERRUPTED=1
			break
		fi
		run_step "$n" "$t" "$args" || break
	done 3<<<"$steps"
}

# run_finish: 5. state, meta, report; exits with the run's status
run_finish() {
	local ndone
	ndone=$(grep -c '^step ' "$DIR/state")
	if [ "$INTERRUPTED" = 1 ]; then
		state_set status interrupted
	elif [ "$ndone" -ge "$nsteps" ]; then
		state_set status complete
	elif grep -q '^build failed' "$DIR/state"; then
		state_set status "build-failed"
	else
		state_set status incomplete
	fi
	state_set finished "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	grep -q '^step [0-9]* failed' "$DIR/state" && failed=1
	write_meta
	log "report"
	trap - INT TERM HUP
	if ! "$PY" "$ROOT/plots/report.py" "$DIR" >"$DIR/logs/report.stdout" 2>"$DIR/logs/report.stderr" 9>&-; then
		log "report failed (logs/report.stderr)"
		failed=1
	fi
	if [ -f "$DIR/report.txt" ]; then
		cat "$DIR/report.txt"
	fi
	echo
	release_lock
	log "results in $DIR"
	if [ "$INTERRUPTED" = 1 ]; then
		log "interrupted; finish with: $PROG --resume $DIR"
		exit 130
	fi
	[ "$failed" = 0 ] && exit 0
	log "one or more steps failed (see report.txt and logs/)"
	exit 1
}

do_run() {
	local profile=quick label= resume= dry=0 allow_hp=0 allow_huge=0 kernel=0 results
	local steps failed=0 nsteps build_ok=1 done_now=0
	results=${PCPU_RESULTS:-$ROOT/results}
	run_args "$@"
	run_profile
	run_plan
	run_opt_in
	run_open_dir
	trap on_signal INT TERM HUP
	# The TLB calibration is this run's own: the tlb step writes it in the
	# results directory and access reads it from there (no input left by
	# another run or user in ~/.cache), unless PCPU_CALIBRATION was set.
	[ -n "${PCPU_CALIBRATION:-}" ] || export PCPU_CALIBRATION="$DIR/tlb-calibration.csv"
	nsteps=$(grep -c . <<<"$steps")
	state_set total "$nsteps"
	run_build
	if [ "$build_ok" = 1 ]; then
		run_info
	fi
	run_topology
	write_meta
	run_steps
	run_finish
}

case "${1:-}" in
report)
	shift
	[ $# -ge 1 ] || die_usage "report needs a results directory"
	exec "$PY" "$ROOT/plots/report.py" "$@" --stdout ;;
compare)
	shift
	exec "$PY" "$ROOT/plots/compare.py" "$@" ;;
*)
	do_run "$@" ;;
esac
