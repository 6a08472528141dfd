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
'#' starts a comment; '@timeout SECONDS' sets the time limit of the
lines after it (default 600). run.sh adds --format csv -o FILE.
Profiles here: $(cd "$ROOT/profiles" 2>/dev/null && ls | tr '\n' ' ')

A results directory holds:
  meta.json        machine, kernel and cmdline, compiler and flags, git
                   revision, profile, counters, calibration (from
                   pcpubench info --format json plus what run.sh knows)
  <bench>.csv      tidy CSV per benchmark, all its runs, one header
  topology.xml     hwloc topology (lstopo-no-graphics --of xml)
  profile, state   the profile used; completed steps (for --resume)
  raw/ logs/       each step's CSV; stdout/stderr of every step
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
"skipped: <message>" and is not a failure; 1 (a check failed), 2 (usage)
or a timeout is a failure. run.sh exits 0 when every step ran or was
skipped with a reason, 1 when one failed (the report is still written),
2 on a usage error, 130 when interrupted.

Interrupted runs keep every completed step (files are written to a
temporary name and renamed). '$PROG --resume DIR' runs the remaining
steps of DIR's own copy of the profile and rewrites the report.

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

Hotplug: profiles must not take host CPUs offline. A line using
'--backend sysfs' is skipped unless --allow-hotplug is given (root).

Environment: PCPUBENCH=PATH uses that binary and skips make (tests use a
fake); PCPU_RESULTS=DIR instead of results/; PCPU_SKIP_DEPS=1;
PCPU_STOP_AFTER=N stops as if interrupted after N steps (tests).
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
		echo "$(date -u +%H:%M:%S) $*" >>"$DIR/logs/run.log"
}

# atomic_mv TMP DEST: rename into place (same directory, so atomic)
atomic_mv() { mv -f "$1" "$2"; }

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

# parse_profile FILE: print "TIMEOUT<TAB>ARGS" per step
parse_profile() {
	local t=600 line
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=$(echo "$line" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//')
		[ -z "$line" ] && continue
		case "$line" in
		@timeout\ *) t=${line#@timeout }; continue ;;
		@*) echo "run.sh: unknown directive '$line'" >&2; continue ;;
		esac
		printf '%s\t%s\n' "$t" "$line"
	done <"$1"
}

# ------------------------------------------------------------ state file
# DIR/state: "key value" lines and "step N STATUS BENCH MESSAGE" lines,
# rewritten whole (tmp + mv) after every change.
state_set() {
	# state_set KEY VALUE
	local f=$DIR/state
	{ grep -v "^$1 " "$f" 2>/dev/null; echo "$1 $2"; } >"$f.tmp"
	atomic_mv "$f.tmp" "$f"
}

state_step() {
	# state_step N STATUS BENCH MESSAGE
	local f=$DIR/state msg
	msg=$(echo "$4" | tr '\n\t' '  ' | cut -c1-300)
	{ grep -v "^step $1 " "$f" 2>/dev/null
	  echo "step $1 $2 $3 $msg"; } >"$f.tmp"
	atomic_mv "$f.tmp" "$f"
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
	"$PY" "$ROOT/scripts/pcpu-results.py" merge "$DIR" "$1" \
		>>"$DIR/logs/merge.log" 2>&1 || log "merge of $1 failed"
}

write_meta() {
	"$PY" "$ROOT/scripts/pcpu-results.py" meta "$DIR" "$ROOT" "$BIN" \
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

do_run() {
	local profile=quick label= resume= dry=0 allow_hp=0 results
	results=${PCPU_RESULTS:-$ROOT/results}
	while [ $# -gt 0 ]; do
		case "$1" in
		-h|--help) usage; exit 0 ;;
		--label) [ $# -ge 2 ] || die_usage "--label needs a value"
			label=$2; shift ;;
		--label=*) label=${1#*=} ;;
		--resume) [ $# -ge 2 ] || die_usage "--resume needs a directory"
			resume=$2; shift ;;
		--results) [ $# -ge 2 ] || die_usage "--results needs a directory"
			results=$2; shift ;;
		--dry-run) dry=1 ;;
		--allow-hotplug) allow_hp=1 ;;
		--list) ls "$ROOT/profiles"; exit 0 ;;
		-*) die_usage "unknown option '$1'" ;;
		*) profile=$1 ;;
		esac
		shift
	done

	if [ -n "$resume" ]; then
		[ -d "$resume" ] || die_usage "--resume: no directory '$resume'"
		[ -f "$resume/state" ] && [ -f "$resume/profile" ] || \
			die_usage "--resume: '$resume' has no state or profile file"
		DIR=$(cd "$resume" && pwd)
		profile=$(sed -n 's/^profile //p' "$DIR/state")
		label=$(sed -n 's/^label //p' "$DIR/state")
		PROFILE_FILE=$DIR/profile
	else
		PROFILE_FILE=$(profile_path "$profile") || \
			die_usage "no profile '$profile' (profiles: $(ls "$ROOT/profiles" | tr '\n' ' '))"
		profile=$(basename "$profile")
		[ -n "$label" ] || label=$profile
		case "$label" in
		*[!A-Za-z0-9._-]*) die_usage "--label: use letters, digits, . _ -" ;;
		esac
	fi

	if [ "$dry" = 1 ]; then
		parse_profile "$PROFILE_FILE" | while IFS=$'\t' read -r t args; do
			echo "build/pcpubench $args --format csv -o FILE  (timeout ${t}s)"
		done
		exit 0
	fi

	if [ -z "$resume" ]; then
		local host
		host=$(hostname -s 2>/dev/null || hostname)
		host=$(echo "$host" | tr -c 'A-Za-z0-9._\n-' '_')
		DIR=$(new_results_dir "$results/$(date -u +%Y-%m-%d)_${host}_$label") \
			|| { echo "run.sh: cannot create a directory under $results" >&2; exit 1; }
		mkdir -p "$DIR/logs" "$DIR/raw"
		cp "$PROFILE_FILE" "$DIR/profile.tmp" && atomic_mv "$DIR/profile.tmp" "$DIR/profile"
		PROFILE_FILE=$DIR/profile
		{ echo "# pcpubench run state (run.sh); do not edit"
		  echo "profile $profile"; echo "label $label"
		  echo "started $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		  echo "status running"; } >"$DIR/state.tmp"
		atomic_mv "$DIR/state.tmp" "$DIR/state"
		log "results: $DIR"
	else
		mkdir -p "$DIR/logs" "$DIR/raw"
		log "resuming $DIR (profile $profile)"
		state_set status running
		state_set resumed "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	fi
	trap on_signal INT TERM HUP

	local failed=0 nsteps build_ok=1
	nsteps=$(parse_profile "$PROFILE_FILE" | wc -l)
	state_set total "$nsteps"

	# 1. set-up check
	if [ -n "${PCPUBENCH:-}" ]; then
		state_set setup "skipped (PCPUBENCH set)"
	elif "$ROOT/scripts/setup-deps.sh" >"$DIR/logs/setup.stdout" 2>"$DIR/logs/setup.stderr"; then
		state_set setup ok
	else
		log "set-up check failed; continuing, the build may fail (logs/setup.stderr)"
		state_set setup "failed: $(first_msg "$DIR/logs/setup.stderr")"
	fi

	# 2. build
	if [ -n "${PCPUBENCH:-}" ]; then
		BIN=$PCPUBENCH
		state_set build "skipped: PCPUBENCH=$BIN"
	else
		BIN=$ROOT/build/pcpubench
		log "make"
		run_logged make 0 make -C "$ROOT"
		if [ "$RC" != 0 ]; then
			state_set build "failed: make exit $RC: $(first_msg "$DIR/logs/make.stderr")"
			log "make failed (logs/make.stderr); no benchmark can run"
			failed=1
			build_ok=0
		else
			state_set build ok
		fi
	fi

	# 3. info, list, topology, meta.json
	if [ "$build_ok" = 1 ]; then
		run_logged info 60 "$BIN" info --format json
		if [ "$RC" = 0 ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' \
			"$DIR/logs/info.stdout" 2>/dev/null; then
			cp "$DIR/logs/info.stdout" "$DIR/info.json.tmp" && atomic_mv "$DIR/info.json.tmp" "$DIR/info.json"
			state_set info "ok (json)"
		else
			local jrc=$RC
			run_logged info-text 60 "$BIN" info
			if [ "$RC" = 0 ]; then
				cp "$DIR/logs/info-text.stdout" "$DIR/info.txt.tmp" && atomic_mv "$DIR/info.txt.tmp" "$DIR/info.txt"
				state_set info "text only (info --format json: exit $jrc)"
			elif [ "$RC" = 4 ]; then
				state_set info "skipped: $(first_msg "$DIR/logs/info-text.stderr")"
			else
				state_set info "failed: exit $RC: $(first_msg "$DIR/logs/info-text.stderr")"
			fi
		fi
		run_logged list 60 "$BIN" list
	fi
	if [ ! -s "$DIR/topology.xml" ]; then
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
	fi
	write_meta

	# 4. the profile's steps
	local n=0 t args bench step done_now=0 out msg
	while IFS=$'\t' read -r t args <&3; do
		n=$((n + 1))
		[ "$INTERRUPTED" = 1 ] && break
		[ "$build_ok" = 0 ] && break
		step_done "$n" && continue
		if [ -n "${PCPU_STOP_AFTER:-}" ] && [ "$done_now" -ge "$PCPU_STOP_AFTER" ]; then
			INTERRUPTED=1
			break
		fi
		bench=${args%% *}
		case "$bench" in *[!a-z0-9_-]*|"") bench=unknown ;; esac
		step=$(printf '%02d-%s' "$n" "$bench")
		case " $args " in
		*" --backend sysfs "*|*" --backend=sysfs "*|*",sysfs,"*|*" sysfs,"*|*",sysfs "*)
			if [ "$allow_hp" != 1 ]; then
				state_step "$n" skipped "$bench" "takes host CPUs offline (sysfs backend); needs --allow-hotplug"
				log "step $step: skipped: sysfs backend needs --allow-hotplug"
				done_now=$((done_now + 1))
				continue
			fi ;;
		esac
		out=$DIR/raw/$step.csv
		rm -f "$out.tmp"
		log "step $step: pcpubench $args"
		# shellcheck disable=SC2086
		run_logged "$step" "$t" "$BIN" $args --format csv -o "$out.tmp"
		if [ "$INTERRUPTED" = 1 ]; then
			rm -f "$out.tmp"
			log "step $step: interrupted; not recorded"
			break
		fi
		msg=$(first_msg "$DIR/logs/$step.stderr")
		case "$RC" in
		0)
			if [ -s "$out.tmp" ]; then
				atomic_mv "$out.tmp" "$out"
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
			[ -s "$out.tmp" ] && atomic_mv "$out.tmp" "$out"
			rm -f "$out.tmp"
			case "$RC" in
			1) msg="check failed (exit 1): $msg" ;;
			2) msg="usage error (exit 2): $msg" ;;
			*) msg="exit $RC: $msg" ;;
			esac
			state_step "$n" failed "$bench" "$msg"
			log "step $step: FAILED: $msg"
			failed=1 ;;
		esac
		[ -f "$out" ] && merge_csv "$bench"
		done_now=$((done_now + 1))
	done 3< <(parse_profile "$PROFILE_FILE")

	# 5. finish: state, meta, report
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
	if ! "$PY" "$ROOT/plots/report.py" "$DIR" >"$DIR/logs/report.stdout" 2>"$DIR/logs/report.stderr"; then
		log "report failed (logs/report.stderr)"
		failed=1
	fi
	if [ -f "$DIR/report.txt" ]; then
		cat "$DIR/report.txt"
	fi
	echo
	log "results in $DIR"
	if [ "$INTERRUPTED" = 1 ]; then
		log "interrupted; finish with: $PROG --resume $DIR"
		exit 130
	fi
	[ "$failed" = 0 ] && exit 0
	log "one or more steps failed (see report.txt and logs/)"
	exit 1
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
