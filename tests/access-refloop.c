// SPDX-License-Identifier: GPL-2.0
/*
 * access-refloop.c - hand-written minimal loops, to check the figures of
 * `pcpubench access` by an independent method. Standalone: no libpcpu
 * code, no runtime: the GS base is pointed at a private buffer with
 * wrgsbase, the offset table and the rseq CPU id are read directly.
 *
 * Differences from pcpubench on purpose: inline-asm loops (8 accesses per
 * iteration), time from clock_gettime(CLOCK_MONOTONIC) over a fixed
 * operation count per run (no rdtsc, no N/2N difference), best of 300
 * short runs (short, so that some run is never preempted), core
 * cycles from its own imul chain timed with clock_gettime. Loops are
 * aligned to 32 bytes: on this core (AMD family 0x1a) the throughput
 * loop runs at 0.50 cycles/op unaligned and 0.29 aligned. Run it under
 * `perf stat -e task-clock` too: task-clock / ops is a third figure.
 *
 *   cc -O2 -mfsgsbase -o build/access-refloop tests/access-refloop.c
 *   build/access-refloop [ops-per-run [seg-lat|seg-tput|oa-lat|seg-path|
 *                                      ptr-path|oa-path|vm-path]]
 *                                     (default 400000 ops, 300 runs)
 *   perf stat -e task-clock build/access-refloop 400000 seg-lat
 *   build/access-refloop cold 0,200,8192 [4k|2m]   (isolated cold reads)
 *
 * Not a unit test (it times things); not built by `make`.
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>

extern const long __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

static uint64_t tbl[64];
static unsigned char *area;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static __attribute__((noinline)) void seg_lat(uint64_t off, uint64_t n)
{
	__asm__ __volatile__(
		".p2align 5\n\t1:\n\t"
		"mov %%gs:(%0), %0\n\tmov %%gs:(%0), %0\n\t"
		"mov %%gs:(%0), %0\n\tmov %%gs:(%0), %0\n\t"
		"mov %%gs:(%0), %0\n\tmov %%gs:(%0), %0\n\t"
		"mov %%gs:(%0), %0\n\tmov %%gs:(%0), %0\n\t"
		"sub $8, %1\n\tjnz 1b"
		: "+r"(off), "+r"(n) : : "cc", "memory");
}

/*
 * Eight independent loads per iteration into four accumulators, in the
 * instruction shape gcc gives pcpubench's loop (loads into scratch
 * registers, pairwise adds), so the two measure the same code.
 */
static __attribute__((noinline)) void seg_tput(uint64_t off, uint64_t n)
{
	uint64_t a = 0, b = 0, c = 0, d = 0, t0, t1, t2, t3, t4;

	__asm__ __volatile__(
		".p2align 5\n\t1:\n\t"
		"mov %%gs:(%4), %6\n\tmov %%gs:(%4), %7\n\t"
		"mov %%gs:(%4), %8\n\tmov %%gs:(%4), %9\n\t"
		"mov %%gs:(%4), %10\n\tadd %6, %10\n\tadd %10, %0\n\t"
		"mov %%gs:(%4), %10\n\tadd %7, %10\n\tadd %10, %1\n\t"
		"mov %%gs:(%4), %10\n\tadd %8, %10\n\tadd %10, %2\n\t"
		"mov %%gs:(%4), %10\n\tadd %9, %10\n\tadd %10, %3\n\t"
		"sub $8, %5\n\tjnz 1b"
		: "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(off), "+r"(n),
		  "=&r"(t0), "=&r"(t1), "=&r"(t2), "=&r"(t3), "=&r"(t4)
		: : "cc", "memory");
}

/*
 * Offset array, CPU id from glibc's rseq area (cpu_id at +4); the shape
 * of the kernel's per_cpu_ptr(): table load, load at base + offset.
 */
static __attribute__((noinline)) void oa_lat(uint64_t off, uint64_t n,
					     long rseq_cpu_off)
{
	/* The thread's rseq cpu_id field: thread pointer + offset. */
	const volatile uint32_t *rseq_cpu = (const volatile uint32_t *)
		((char *)__builtin_thread_pointer() + rseq_cpu_off);
	uint64_t cpu, base;

#define OA_STEP                                                               \
	"movl (%4), %k2\n\t"                                             \
	"mov (%5,%2,8), %3\n\t"                                               \
	"mov (%3,%0), %0\n\t"
	__asm__ __volatile__(
		".p2align 5\n\t1:\n\t" OA_STEP OA_STEP OA_STEP OA_STEP
		OA_STEP OA_STEP OA_STEP OA_STEP
		"sub $8, %1\n\tjnz 1b"
		: "+r"(off), "+r"(n), "=&r"(cpu), "=&r"(base)
		: "r"(rseq_cpu), "r"(tbl) : "cc", "memory");
}

/*
 * Path mode: the whole lookup chained, in the instruction shape the
 * kernel's accessors compile to: the previous value, and-ed with a zero
 * held in a register, displaces the path's first load.
 */
#define AND_Z "and %3, %0\n\t"
static __attribute__((noinline)) void seg_path(uint64_t off, uint64_t n,
					      uint64_t z)
{
	uint64_t d = 0;

#define SEG_PSTEP "mov %%gs:(%2,%0), %0\n\t" AND_Z
	__asm__ __volatile__(
		".p2align 5\n\t1:\n\t" SEG_PSTEP SEG_PSTEP SEG_PSTEP SEG_PSTEP
		SEG_PSTEP SEG_PSTEP SEG_PSTEP SEG_PSTEP
		"sub $8, %1\n\tjnz 1b"
		: "+r"(d), "+r"(n) : "r"(off), "r"(z) : "cc", "memory");
}

/* A flat unit address in a register (ptr; tls with the %fs base read once). */
static __attribute__((noinline)) void ptr_path(uint64_t addr, uint64_t n,
					      uint64_t z)
{
	uint64_t d = 0;

#define PTR_PSTEP "mov (%2,%0), %0\n\t" AND_Z
	__asm__ __volatile__(
		".p2align 5\n\t1:\n\t" PTR_PSTEP PTR_PSTEP PTR_PSTEP PTR_PSTEP
		PTR_PSTEP PTR_PSTEP PTR_PSTEP PTR_PSTEP
		"sub $8, %1\n\tjnz 1b"
		: "+r"(d), "+r"(n) : "r"(addr), "r"(z) : "cc", "memory");
}

/* Offset table, id from the rseq area: id, table entry, unit, value. */
static __attribute__((noinline)) void oa_path(uint64_t off, uint64_t n,
					     long rseq_cpu_off, uint64_t z)
{
	const char *idp = (const char *)__builtin_thread_pointer() + rseq_cpu_off;
	uint64_t d = 0, t;

#define OA_PSTEP "movl (%4,%0), %k2\n\t" "mov (%5,%2,8), %2\n\t"            \
	"mov (%2,%6), %0\n\t" AND_Z
	__asm__ __volatile__(
		".p2align 5\n\t1:\n\t" OA_PSTEP OA_PSTEP OA_PSTEP OA_PSTEP
		OA_PSTEP OA_PSTEP OA_PSTEP OA_PSTEP
		"sub $8, %1\n\tjnz 1b"
		: "+r"(d), "+r"(n), "=&r"(t), "+r"(z)
		: "r"(idp), "r"(tbl), "r"(off) : "cc", "memory");
}

/* base + (id << shift), id from the rseq area; shift by %cl. */
static __attribute__((noinline)) void vm_path(uint64_t addr, uint64_t n,
					     long rseq_cpu_off, uint64_t z)
{
	const char *idp = (const char *)__builtin_thread_pointer() + rseq_cpu_off;
	uint64_t d = 0, t, sh = 16;

#define VM_PSTEP "movl (%4,%0), %k2\n\t" "shl %%cl, %2\n\t"                \
	"mov (%2,%5), %0\n\t" AND_Z
	__asm__ __volatile__(
		".p2align 5\n\t1:\n\t" VM_PSTEP VM_PSTEP VM_PSTEP VM_PSTEP
		VM_PSTEP VM_PSTEP VM_PSTEP VM_PSTEP
		"sub $8, %1\n\tjnz 1b"
		: "+r"(d), "+r"(n), "=&r"(t), "+r"(z)
		: "r"(idp), "r"(addr), "c"(sh) : "cc", "memory");
}

static __attribute__((noinline)) void imul_chain(uint64_t n)
{
	uint64_t x = 3;

	__asm__ __volatile__(".p2align 5\n\t1:\n\t"
		"imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0\n\t"
		"sub $4, %1\n\tjnz 1b" : "+r"(x), "+r"(n) : : "cc");
}

static volatile uint64_t zero_;
static uint64_t vm_addr;	/* unit of this CPU + off in the shift model */

static double best_ns(int which, uint64_t off, uint64_t n, long rc)
{
	double best = 1e30;
	int r;

	for (r = 0; r < 300; r++) {
		double t0 = now(), t;

		if (which == 0)
			seg_lat(off, n);
		else if (which == 1)
			seg_tput(off, n);
		else if (which == 2)
			oa_lat(off, n, rc);
		else if (which == 4)
			seg_path(off, n, zero_);
		else if (which == 5)
			ptr_path((uint64_t)area + off, n, zero_);
		else if (which == 6)
			oa_path(off, n, rc, zero_);
		else if (which == 7)
			vm_path(vm_addr, n, rc, zero_);
		else
			imul_chain(n);
		t = (now() - t0) * 1e9 / n;
		if (t < best)
			best = t;
	}
	return best;
}

/* ---- cold: one fenced whole-path read after K random pages ---------- */

#define POOL_PAGES 32768
static unsigned char *pool;
static uint32_t *perm;

static inline uint64_t tsc_fenced(void)
{
	uint32_t lo, hi, aux;

	__asm__ __volatile__("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)
			     : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t xs64(uint64_t *s)
{
	*s ^= *s << 7;
	*s ^= *s >> 9;
	return *s;
}

/*
 * The rseq id's offset from the thread pointer, a variable as glibc's
 * __rseq_offset is: an isolated read loads it, then the id.
 */
static volatile long rseq_off_var;

/* Ticks of one read of kind @which (0 empty, 1 seg, 2 ptr, 3 oa, 4 vm). */
static uint64_t cold_one(int which, size_t k, uint64_t *rs, uint64_t off,
			 unsigned char *unit, long rc)
{
	size_t start = k < POOL_PAGES ? xs64(rs) % (POOL_PAGES - k + 1) : 0, i;
	uint64_t t0, t1, v = 0, s = 0, sh = 16;

	for (i = 0; i < k; i++)
		s += *(volatile uint64_t *)(pool + (size_t)perm[start + i] * 4096 +
					    ((start + i) % 64) * 64);
	__asm__ __volatile__("mfence\n\tlfence" : : : "memory");
	t0 = tsc_fenced();
	switch (which) {
	case 1:
		__asm__ __volatile__("mov %%gs:(%1), %0" : "=r"(v) : "r"(off));
		break;
	case 2:
		__asm__ __volatile__("mov (%1,%2), %0" : "=r"(v)
				     : "r"(unit), "r"(off));
		break;
	case 3:
		__asm__ __volatile__("mov %1, %0\n\tmovl %%fs:(%0), %k0\n\t"
				     "mov (%2,%0,8), %0\n\tmov (%0,%3), %0"
				     : "=&r"(v) : "m"(rseq_off_var), "r"(tbl),
				       "r"(off));
		break;
	case 4:
		__asm__ __volatile__("mov %1, %0\n\tmovl %%fs:(%0), %k0\n\t"
				     "shl %%cl, %0\n\tmov (%0,%2), %0" : "=&r"(v)
				     : "m"(rseq_off_var), "r"(vm_addr), "c"(sh)
				     : "cc");
		break;
	}
	t1 = tsc_fenced();
	zero_ += (v + s) & 0 ? 1 : 0;
	return t1 - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median ticks over @n samples. */
static double cold_median(int which, size_t k, size_t n, uint64_t *rs,
			  uint64_t off, unsigned char *unit, long rc)
{
	uint64_t *v = malloc(n * sizeof(*v));
	size_t i;
	double m;

	for (i = 0; i < 16; i++)
		cold_one(which, k, rs, off, unit, rc);
	for (i = 0; i < n; i++)
		v[i] = cold_one(which, k, rs, off, unit, rc);
	qsort(v, n, sizeof(*v), cmp_u64);
	m = n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
	free(v);
	return m;
}

/*
 * build/access-refloop cold K,K,... [4k|2m]: per K and kind, the median
 * of 2000 samples minus the median of the empty path, in core cycles
 * (TSC rate against CLOCK_MONOTONIC, core clock from the imul chain).
 */
static int cold_main(const char *klist, const char *page, long rc, double ghz)
{
	static const char *const kind[] = { "", "segment (1 page)",
		"ptr (1 page)", "offset-array rseq (id offset, id, table, unit)",
		"vm-area rseq (id offset, id, unit)" };
	int huge = page && !strcmp(page, "2m");
	size_t len = 4UL << 20, i;
	unsigned char *m, *unit;
	uint64_t rs = 88172645463325252ULL, off = 4096 + 64, t0;
	double tsc_ghz, t;
	char *dup = strdup(klist), *tok, *save = NULL;

	m = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pool = mmap(NULL, (size_t)POOL_PAGES * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	perm = malloc(POOL_PAGES * sizeof(*perm));
	if (m == MAP_FAILED || pool == MAP_FAILED || !perm || !dup)
		return 1;
	unit = (unsigned char *)(((uintptr_t)m + len - 1) & ~(len - 1));
	madvise(unit, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(unit, 0, len);
	madvise(pool, (size_t)POOL_PAGES * 4096, MADV_NOHUGEPAGE);
	memset(pool, 1, (size_t)POOL_PAGES * 4096);
	for (i = 0; i < POOL_PAGES; i++)
		perm[i] = (uint32_t)i;
	for (i = POOL_PAGES - 1; i > 0; i--) {
		size_t j = xs64(&rs) % (i + 1);
		uint32_t x = perm[i];

		perm[i] = perm[j];
		perm[j] = x;
	}
	for (i = 0; i < 64; i++)
		tbl[i] = (uint64_t)unit;
	rseq_off_var = rc;
	_writegsbase_u64((uint64_t)unit);
	vm_addr = (uint64_t)unit + off -
		  ((uint64_t)*(volatile uint32_t *)((char *)__builtin_thread_pointer() + rc) << 16);
	t = now();
	t0 = tsc_fenced();
	while (now() - t < 0.2)
		;
	tsc_ghz = (tsc_fenced() - t0) / ((now() - t) * 1e9);
	printf("cold (refloop): unit on %s pages; median of 2000 samples minus "
	       "the empty path; core %.3f GHz, TSC %.3f GHz\n",
	       huge ? "2m (THP asked)" : "4k", ghz, tsc_ghz);
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t k = strtoul(tok, NULL, 0);
		double e;
		int w;

		if (k > POOL_PAGES)
			return 2;
		e = cold_median(0, k, 2000, &rs, off, unit, rc);
		for (w = 1; w <= 4; w++) {
			double c = cold_median(w, k, 2000, &rs, off, unit, rc);

			printf("K %-6zu %-44s %8.1f cycles\n", k, kind[w],
			       (c - e) / tsc_ghz * ghz);
		}
	}
	free(dup);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 400000ULL;
	const char *only = argc > 2 ? argv[2] : NULL;
	uint64_t off = 4096 + 64;
	double ghz;
	long rc;
	int cpu;

	n &= ~7ULL;
	if (!(getauxval(AT_HWCAP2) & 2)) {
		fprintf(stderr, "FSGSBASE not enabled\n");
		return 4;
	}
	if (!&__rseq_size || __rseq_size < 8) {
		fprintf(stderr, "rseq not registered by glibc\n");
		return 4;
	}
	rc = __rseq_offset + 4;
	area = aligned_alloc(4096, 65536);
	memset(area, 0, 65536);
	*(uint64_t *)(area + off) = off;	/* the chain points to itself */
	for (cpu = 0; cpu < 64; cpu++)
		tbl[cpu] = (uint64_t)area;	/* every CPU: the same unit */
	_writegsbase_u64((uint64_t)area);
	/* shift model: this CPU's unit at area, so the base is area - (id << 16) */
	vm_addr = (uint64_t)area + off -
		  ((uint64_t)*(volatile uint32_t *)((char *)__builtin_thread_pointer() + rc) << 16);
	/* best_ns() gives ns per imul; 3 cycles each */
	ghz = 3.0 / best_ns(3, 0, 400000, 0);
	if (argc > 2 && !strcmp(argv[1], "cold"))
		return cold_main(argv[2], argc > 3 ? argv[3] : NULL, rc, ghz);
	if (!only || !strcmp(only, "seg-lat")) {
		double t = best_ns(0, off, n, rc);

		printf("segment read latency:    %.4f ns/op  %.3f cycles/op\n",
		       t, t * ghz);
	}
	if (!only || !strcmp(only, "seg-tput")) {
		double t = best_ns(1, off, n, rc);

		printf("segment read throughput: %.4f ns/op  %.3f cycles/op\n",
		       t, t * ghz);
	}
	if (!only || !strcmp(only, "oa-lat")) {
		double t = best_ns(2, off, n, rc);

		printf("offset-array (rseq) read latency: %.4f ns/op  %.3f "
		       "cycles/op\n", t, t * ghz);
	}
	{
		static const struct {
			int which;
			const char *name, *label;
		} pl[] = {
			{ 4, "seg-path", "segment read path:            " },
			{ 5, "ptr-path", "ptr/tls read path:            " },
			{ 6, "oa-path", "offset-array (rseq) read path:" },
			{ 7, "vm-path", "vm-area (rseq) read path:     " },
		};
		unsigned i;

		for (i = 0; i < sizeof(pl) / sizeof(pl[0]); i++) {
			double t;

			if (only && strcmp(only, pl[i].name))
				continue;
			t = best_ns(pl[i].which, off, n, rc);
			printf("%s %.4f ns/op  %.3f cycles/op\n", pl[i].label,
			       t, t * ghz);
		}
	}
	printf("core clock (own imul chain): %.3f GHz; ops per run %llu\n",
	       ghz, (unsigned long long)n);
	return 0;
}
