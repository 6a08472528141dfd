/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod-quiet.h - the module's check that a timed point ran undisturbed,
 * shared by the module (kmod-access.c judges) and the program that asks
 * for it, reads its rows and documents it (bench/cmd-kernel.c). Only
 * #defines: kernel and user-space C include it alike.
 *
 * A point (one strategy, mode and op on one CPU, or the imul calibration
 * of the core clock) is timed, after one untimed run of N, as two
 * batches, N and 2N operations, each the best of `tries` runs with
 * preemption and interrupts off: nothing in the kernel takes the CPU
 * during a run, but the hypervisor can (another vCPU or process on the
 * host, an exit to serve a host interrupt), and an SMT sibling can slow
 * it. The module judges each attempt at a point (its N and 2N batches)
 * disturbed, the first reason found first, when
 *   forced  the test hook asked for it (qforce=N: the first N attempts
 *           the command judges; qforce=all: every one);
 *   steal   the steal time the kernel accounted to this CPU (kcpustat
 *           CPUTIME_STEAL, fed by the hypervisor's steal clock) moved
 *           between the start and the end of the point;
 *   band    (T(2N) - T0) / (T(N) - T0) lies outside [KQ_BAND_LO_PCT,
 *           KQ_BAND_HI_PCT] / 100, TSC ticks, T0 the best of `tries`
 *           empty timed sections (the clock reads: large where the
 *           hypervisor traps RDTSC): a batch slowed from outside breaks
 *           the doubling;
 *   agree   the best and the second-best run of the N or of the 2N batch
 *           differ by more than KQ_AGREE_PCT % of the best (tries >= 2),
 *           by the TSC or (where it was read) the PMU cycles counter: the
 *           best is then not a repeatable figure;
 * differences under KQ_SLACK_TICKS TSC ticks (PMU cycles for the PMU
 * figures) ignored. A disturbed point is measured again, as many
 * times as the command allows (qredo=, qbudget=, qbudmin=, qsatmin=,
 * qsatpct=: the program passes the user-space rules of bench-quiet.h;
 * missing, the module does not retry); a point with no undisturbed
 * attempt is reported with its reason, and the program flags its rows.
 *
 * What it cannot see: steal is accounted at the tick, so steal during a
 * point is seen by the point the next tick falls in (up to a tick late),
 * and only where the hypervisor has a steal clock (KVM, Xen, Hyper-V; not
 * QEMU TCG); a disturbance that slows every run of both batches alike
 * (a sibling busy for the whole point) keeps the band and the agreement.
 */
#ifndef KMOD_QUIET_H
#define KMOD_QUIET_H

#define KQ_BAND_LO_PCT 150
#define KQ_BAND_HI_PCT 250
#define KQ_AGREE_PCT 10
#define KQ_SLACK_TICKS 500

/* The reasons, in the order they are tested; the module prints the names. */
#define KQ_WHYS(X) X(QUIET, "quiet") X(FORCED, "forced") X(STEAL, "steal") \
	X(BAND, "band") X(AGREE, "agree")

#endif /* KMOD_QUIET_H */
