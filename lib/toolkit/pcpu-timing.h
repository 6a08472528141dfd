/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-timing.h - time stamps, clock rates and pinning for the benchmarks.
 *
 * Time is read with rdtsc/rdtscp and turned into seconds with a TSC rate
 * measured against CLOCK_MONOTONIC_RAW. Core cycles come from the PMU's
 * cycles counter where there is one (see pcpu-counters.h); without one, the
 * core clock is calibrated with a dependent chain of register-register
 * imul instructions (3 cycles each on current x86 cores; immediate
 * "add $1" chains are folded away by some cores and give nonsense).
 */
#ifndef PCPU_TIMING_H
#define PCPU_TIMING_H

#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
/* Plain rdtsc: use at the start of a timed region, after a serialising op. */
static inline uint64_t pt_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence\n\trdtsc\n\tlfence"
			     : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/*
 * rdtscp waits for earlier instructions to execute; the lfence after it
 * keeps later ones from starting before the stamp is taken.
 */
static inline uint64_t pt_rdtscp(void)
{
	uint32_t lo, hi, aux;

	__asm__ __volatile__("rdtscp\n\tlfence"
			     : "=a"(lo), "=d"(hi), "=c"(aux) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}
#else
#include <time.h>
static inline uint64_t pt_rdtsc(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline uint64_t pt_rdtscp(void)
{
	return pt_rdtsc();
}
#endif

/*
 * pt_tsc_hz() - the TSC rate, measured against CLOCK_MONOTONIC_RAW over
 * about 20 ms on the first call and cached (thread-safe).
 * Return: 0; -EIO the measurement was inconsistent.
 */
int pt_tsc_hz(double *hz);

/*
 * pt_tsc_known_hz() - the kernel's idea of the TSC rate, when it exposes
 * one cheaply (/sys/devices/system/cpu/cpu0/tsc_freq_khz, or the
 * "tsc: Detected ... MHz" figure is not read: dmesg is privileged).
 * Return: 0; -ENOENT not exposed.
 */
int pt_tsc_known_hz(double *hz);

/*
 * pt_core_hz_calibrate() - the current core clock, from a dependent imul
 * chain (PT_IMUL_LATENCY cycles per imul) timed with the TSC. Takes about
 * 1-2 ms; run it next to each repetition. Best of a few short runs.
 * Return: 0; -EIO the TSC rate could not be measured.
 */
int pt_core_hz_calibrate(double *hz);
#define PT_IMUL_LATENCY 3

/*
 * pt_pin_self() - pin the calling thread to host CPU @host_cpu.
 * Return: 0; -EINVAL bad id; other -errno from sched_setaffinity().
 */
int pt_pin_self(int host_cpu);

/* "pmu:cycles" when a cycles counter was opened, else "calibrated:imul-chain". */
const char *pt_cycles_source(void);
/* Called by the counters code when a cycles event is (or is not) usable. */
void pt_cycles_source_set_pmu(int have_pmu_cycles);

/* Seconds from CLOCK_MONOTONIC_RAW, for coarse timing (warm-up, min-time). */
double pt_now(void);

#endif /* PCPU_TIMING_H */
