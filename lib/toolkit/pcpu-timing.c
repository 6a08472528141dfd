// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-timing.c - TSC rate, core clock calibration and pinning.
 *
 * The TSC rate is measured once against CLOCK_MONOTONIC_RAW (which the
 * kernel does not slew) and cached. The core clock is calibrated with a
 * dependent chain of register-register imul (PT_IMUL_LATENCY cycles each):
 * the chain's duration in TSC ticks, converted with the TSC rate, gives
 * cycles per second. Best of a few short runs rejects interrupts.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcpu-timing.h"

static pthread_once_t tsc_once = PTHREAD_ONCE_INIT;
static double tsc_hz_cached;
static volatile int have_pmu_cycles;

double pt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double now_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (double)ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One measurement over @ns nanoseconds; bracket each end tightly. */
static double tsc_measure_once(double ns)
{
	double t0, t1, t0b, t1b;
	uint64_t c0, c1;

	t0 = now_raw_ns();
	c0 = pt_rdtsc();
	t0b = now_raw_ns();
	do {
		t1 = now_raw_ns();
		c1 = pt_rdtsc();
		t1b = now_raw_ns();
	} while (t1 - t0 < ns);
	/* Midpoints of each bracket. */
	return (double)(c1 - c0) / (((t1 + t1b) - (t0 + t0b)) / 2.0) * 1e9;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void tsc_measure(void)
{
	double v[5];
	int i;

	for (i = 0; i < 5; i++)
		v[i] = tsc_measure_once(4e6);
	qsort(v, 5, sizeof(v[0]), dcmp);
	tsc_hz_cached = v[2];
}

/**
 * pt_tsc_hz() - see pcpu-timing.h.
 * Context: any thread; the first call takes about 20 ms.
 * Return: 0; -EIO implausible result.
 */
int pt_tsc_hz(double *hz)
{
	pthread_once(&tsc_once, tsc_measure);
	if (!(tsc_hz_cached > 1e6 && tsc_hz_cached < 1e11))
		return -EIO;
	*hz = tsc_hz_cached;
	return 0;
}

/**
 * pt_tsc_known_hz() - the kernel's TSC rate where exposed.
 * Return: 0; -ENOENT.
 */
int pt_tsc_known_hz(double *hz)
{
	static const char *const paths[] = {
		"/sys/devices/system/cpu/cpu0/tsc_freq_khz",
		"/sys/devices/system/clocksource/clocksource0/tsc_freq_khz",
	};
	unsigned i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "r");
		unsigned long khz;
		int ok;

		if (!f)
			continue;
		ok = fscanf(f, "%lu", &khz) == 1;
		fclose(f);
		if (ok && khz) {
			*hz = khz * 1e3;
			return 0;
		}
	}
	return -ENOENT;
}

/* @n dependent imuls (unrolled by 8); returns TSC ticks taken. */
static __attribute__((noinline)) uint64_t imul_chain(uint64_t n)
{
	uint64_t x = 1, t0, t1;

	t0 = pt_rdtsc();
#if defined(__x86_64__)
	__asm__ __volatile__(
		"1:\n\t"
		"imul %[x], %[x]\n\t"
		"imul %[x], %[x]\n\t"
		"imul %[x], %[x]\n\t"
		"imul %[x], %[x]\n\t"
		"imul %[x], %[x]\n\t"
		"imul %[x], %[x]\n\t"
		"imul %[x], %[x]\n\t"
		"imul %[x], %[x]\n\t"
		"sub $8, %[n]\n\t"
		"jnz 1b\n\t"
		: [x] "+r"(x), [n] "+r"(n)
		:
		: "cc");
#else
	while (n--)
		__asm__ __volatile__("" : "+r"(x));
#endif
	t1 = pt_rdtscp();
	return t1 - t0;
}

/**
 * pt_core_hz_calibrate() - core clock from a dependent imul chain.
 * Context: the calling thread should be pinned.
 * Return: 0; -EIO no TSC rate.
 */
int pt_core_hz_calibrate(double *hz)
{
	/*
	 * 40k and 80k imuls (~30 and ~60 us at 4 GHz), best of 9 each: the
	 * minimum of each length drops interrupted runs, and the difference
	 * of the two minima cancels the stamps' fixed cost.
	 */
	const uint64_t n = 40000;
	uint64_t mina = UINT64_MAX, minb = UINT64_MAX;
	double tsc;
	int i, ret;

	ret = pt_tsc_hz(&tsc);
	if (ret)
		return ret;
	imul_chain(4 * n);	/* let the clock settle; warm the loop */
	for (i = 0; i < 9; i++) {
		uint64_t a = imul_chain(n), b = imul_chain(2 * n);

		if (a < mina)
			mina = a;
		if (b < minb)
			minb = b;
	}
	if (minb <= mina)
		return -EIO;
	*hz = (double)n * PT_IMUL_LATENCY / (double)(minb - mina) * tsc;
	return 0;
}

/**
 * pt_pin_self() - pin the calling thread to one host CPU.
 * Return: 0; -EINVAL; -errno from sched_setaffinity().
 */
int pt_pin_self(int host_cpu)
{
	cpu_set_t set;

	if (host_cpu < 0 || host_cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(host_cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

void pt_cycles_source_set_pmu(int have)
{
	have_pmu_cycles = !!have;
}

const char *pt_cycles_source(void)
{
	return have_pmu_cycles ? "pmu:cycles" : "calibrated:imul-chain";
}
