// SPDX-License-Identifier: GPL-2.0
/*
 * test-modules.c - modules' per-CPU sections (lib/runtime/pcpu-modules.c),
 * policy by policy (reserve:8192, slack, vm:online, vm:possible) over the
 * layouts: a section fits, the kernel's refusal point for reserve:8192 is
 * reproduced byte for byte, unload frees space that a load reuses, every
 * CPU's copy holds the module's template (a CPU onlined after the load and
 * one hot-added after it included), each copy is placed on the node the
 * policy says, the access method's own hot accessor reaches a module
 * variable with the offset the load returned, and bad input is -EINVAL.
 *
 * Behaviour only: nothing here looks at a clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcpu.h"
#include "pcpu-access.h"
#include "pcpu-modules.h"
#include "pcpu-kmods.h"

#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_NUMA
#include <numaif.h>
#endif

DEFINE_PCPU(uint64_t, tm_boot) = 7;

/* The guest's Debian 6.1 boot line: s217088 r8192 (page-aligned static). */
#define KSTATIC 217088

static const char *const policies[] = {
	"reserve:8192", "slack", "vm:online", "vm:possible",
};

static const struct combo {
	enum pcpu_strategy_id s;
	enum pcpu_layout_id l;
} combos[] = {
	{ PCPU_S_OFFSET_ARRAY, PCPU_L_DEFAULT },
	{ PCPU_S_SEGMENT, PCPU_L_DEFAULT },
	{ PCPU_S_VM_AREA, PCPU_L_DEFAULT },
	{ PCPU_S_HYBRID, PCPU_L_DEFAULT },
	{ PCPU_S_OFFSET_ARRAY, PCPU_L_PAGE },
	{ PCPU_S_TLS, PCPU_L_DEFAULT },
};

static uint64_t hot_read(struct pcpu_rt *rt, pcpu_off_t off)
{
	unsigned cpu = pcpu_cpuid_tls();
	struct pcpu_acc_ctx ctx;

	pcpu_rt_acc_ctx(rt, &ctx);
	switch (pcpu_rt_access(rt)) {
	case PCPU_A_TABLE:
		return PCPU_TABLE_READ_U64(ctx, cpu, off);
	case PCPU_A_SHIFT:
		return PCPU_SHIFT_READ_U64(ctx, cpu, off);
	case PCPU_A_TLS:
		return PCPU_TLS_READ_U64(ctx, cpu, off);
#if PCPU_HAVE_SEGMENT
	case PCPU_A_SEGMENT:
		return PCPU_SEGMENT_READ_U64(ctx, cpu, off);
#endif
	default:
		fail();
	}
	return 0;
}

/* Possible 0-7, present 0-3 (4-7 arrive by hot-add), online 0-1, over a
 * synthetic 2-node topology: real nodes 0,0,1,1,0,0,1,1; init's
 * round-robin guess for 4-7: 0,1,0,1. */
static struct pcpu_rt *mkrt(const struct combo *c, const struct pcpu_mod_policy *p,
			    int *ret)
{
	struct pcpu_config cfg = { 0 };
	struct pcpu_rt *rt = NULL;
	char err[256] = "";

	cfg.strategy = c->s;
	cfg.layout = c->l;
	cfg.topology = "synthetic:pack:2 numa:1 core:2 pu:1";
	cfg.possible = "8";
	cfg.present = "4";
	cfg.online = "2";
	cfg.modules = p;
	*ret = pcpu_rt_init(&rt, &cfg, err, sizeof(err));
	if (*ret && *ret != -ENOTSUP)
		print_error("pcpu_rt_init: %s\n", err);
	return rt;
}

static void fill_pattern(unsigned char *b, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 7 + seed);
}

/* Every CPU that should hold a copy does, with the template. */
static void check_copies(struct pcpu_rt *rt, const struct pcpu_mod_policy *p,
			 pcpu_off_t off, const unsigned char *tmpl, size_t n)
{
	enum pcpu_layout_id l = pcpu_rt_layout(rt);
	bool all = p->kind == PCPU_MOD_VM ? p->possible :
		   (l == PCPU_L_EMBED || l == PCPU_L_PAGE);
	unsigned cpu;

	for (cpu = 0; cpu < 8; cpu++) {
		unsigned char *c = pcpu_mod_ptr(rt, cpu, off);
		bool want = all || pcpu_cpu_online_p(rt, cpu);

		if (l == PCPU_L_HYBRID && p->kind != PCPU_MOD_VM && cpu < 2)
			want = true;	/* kept embedded units */
		if (!want)
			continue;
		assert_non_null(c);
		assert_memory_equal(c, tmpl, n);
		if (pcpu_cpu_online_p(rt, cpu)) {
			uint64_t v;

			memcpy(&v, tmpl, sizeof(v));
			assert_int_equal(pcpu_thread_enter(rt, cpu), 0);
			assert_true(hot_read(rt, off) == v);
			assert_true(hot_read(rt, PCPU_OFF(tm_boot)) == 7);
			pcpu_thread_leave(rt);
		}
	}
}

static void check_node(struct pcpu_rt *rt, const struct pcpu_mod_policy *p,
		       unsigned cpu, pcpu_off_t off)
{
	if (p->kind != PCPU_MOD_VM) {
		/* In the unit: wherever the layout put the unit. */
		assert_non_null(pcpu_mod_ptr(rt, cpu, off));
		return;
	}
	/* vm:possible commits at load, for the node known then (init's
	 * guess for a CPU absent at init); vm:online on online, for its
	 * real node. */
	if (p->possible && cpu >= 4)
		assert_int_equal(pcpu_mod_copy_node(rt, cpu), pcpu_cpu_init_node(rt, cpu));
	else
		assert_int_equal(pcpu_mod_copy_node(rt, cpu), pcpu_cpu_node(rt, cpu));
	assert_true(pcpu_mod_copy_host_node(rt, cpu) >= 0);
#ifdef HAVE_NUMA
	{
		/* the page tables agree (move_pages with no target: a query) */
		void *pg = pcpu_mod_ptr(rt, cpu, off);
		int st = -1;

		assert_non_null(pg);
		pg = (void *)((uintptr_t)pg & ~(uintptr_t)4095);
		if (!move_pages(0, 1, &pg, NULL, &st, 0))
			assert_int_equal(st, pcpu_mod_copy_host_node(rt, cpu));
	}
#endif
}

static void policy_combo(void **state)
{
	size_t ci, pi;

	for (pi = 0; pi < sizeof(policies) / sizeof(policies[0]); pi++) {
		struct pcpu_mod_policy p;

		assert_int_equal(pcpu_mod_policy_parse(policies[pi], &p), 0);
		for (ci = 0; ci < sizeof(combos) / sizeof(combos[0]); ci++) {
			unsigned char t1[300], t2[300], z[64] = { 0 };
			struct pcpu_mod_mem mm;
			pcpu_off_t o1, o2, o3, fill[64];
			struct pcpu_rt *rt;
			size_t big, small, nfill;
			int ret;

			rt = mkrt(&combos[ci], &p, &ret);
			if (ret == -ENOTSUP) {
				/* only vm over the thread layout */
				assert_int_equal(p.kind, PCPU_MOD_VM);
				assert_int_equal(combos[ci].s, PCPU_S_TLS);
				continue;
			}
			assert_int_equal(ret, 0);
			fill_pattern(t1, sizeof(t1), 1);
			fill_pattern(t2, sizeof(t2), 2);
			/* fit */
			assert_int_equal(pcpu_mod_load(rt, sizeof(t1), 64, t1, &o1), 0);
			assert_int_equal(pcpu_mod_load(rt, 40, 8, NULL, &o2), 0);
			check_copies(rt, &p, o1, t1, sizeof(t1));
			check_copies(rt, &p, o2, z, 40);
			/* a CPU onlined after the load, and one hot-added */
			assert_int_equal(pcpu_cpu_online(rt, 3), 0);
			assert_int_equal(pcpu_cpu_hotadd(rt, 6), 0);
			assert_int_equal(pcpu_cpu_online(rt, 6), 0);
			check_copies(rt, &p, o1, t1, sizeof(t1));
			check_node(rt, &p, 3, o1);
			check_node(rt, &p, 6, o1);
			check_node(rt, &p, 0, o1);
			/* an offlined CPU loses vm:online copies */
			assert_int_equal(pcpu_cpu_offline(rt, 3), 0);
			if (p.kind == PCPU_MOD_VM && !p.possible)
				assert_null(pcpu_mod_ptr(rt, 3, o1));
			/* unload and reuse: first fit gives the same place */
			assert_int_equal(pcpu_mod_unload(rt, o1), 0);
			assert_null(pcpu_mod_ptr(rt, 0, o1));
			assert_int_equal(pcpu_mod_unload(rt, o1), -EINVAL);
			assert_int_equal(pcpu_mod_load(rt, sizeof(t2), 64, t2, &o3), 0);
			assert_true(o3 == o1);
			check_copies(rt, &p, o3, t2, sizeof(t2));
			/* refusal exactly at the largest free section */
			big = pcpu_mod_largest(rt, 4);
			assert_true(big > 0);
			assert_int_equal(pcpu_mod_load(rt, big + 4, 4, NULL, &o1), -ENOSPC);
			assert_int_equal(pcpu_mod_load(rt, big, 4, NULL, &o1), 0);
			/* fill the smaller gaps: then nothing fits */
			nfill = 0;
			while ((small = pcpu_mod_largest(rt, 4)) > 0) {
				assert_int_equal(pcpu_mod_load(rt, small, 4, NULL,
							       &fill[nfill]), 0);
				assert_true(++nfill < 64);
			}
			assert_int_equal(pcpu_mod_load(rt, 4, 4, NULL, &o2), -ENOSPC);
			assert_int_equal(pcpu_mod_account(rt, &mm), 0);
			assert_int_equal(mm.nr_loaded, 3 + nfill);
			assert_true(mm.used_bytes == mm.region_bytes);
			while (nfill)
				assert_int_equal(pcpu_mod_unload(rt, fill[--nfill]), 0);
			assert_true(mm.committed_bytes >= mm.committed_online_bytes);
			if (p.kind == PCPU_MOD_RESERVE)
				assert_true(mm.region_bytes == 8192);
			/* bad input */
			assert_int_equal(pcpu_mod_load(rt, 0, 4, NULL, &o2), -EINVAL);
			assert_int_equal(pcpu_mod_load(rt, 8, 3, NULL, &o2), -EINVAL);
			assert_int_equal(pcpu_mod_load(rt, 8, 8192, NULL, &o2), -EINVAL);
			assert_int_equal(pcpu_mod_load(rt, pcpu_rt_unit_size(rt) + 1, 8,
						       NULL, &o2), -EINVAL);
			assert_int_equal(pcpu_mod_unload(rt, 12345), -EINVAL);
			/* everything unloaded: vm commits nothing */
			assert_int_equal(pcpu_mod_unload(rt, o1), 0);
			assert_int_equal(pcpu_mod_unload(rt, o3), 0);
			assert_int_equal(pcpu_mod_unload(rt, o2), 0);
			assert_int_equal(pcpu_mod_account(rt, &mm), 0);
			assert_int_equal(mm.nr_loaded, 0);
			if (p.kind == PCPU_MOD_VM)
				assert_true(mm.committed_bytes == 0);
			pcpu_rt_fini(rt);
		}
	}
}

/* The kernel's reserve, replayed with the kernel's geometry and in the
 * runtime: the same loads fit, the same one is refused. */
static void kernel_refusal_point(void **state)
{
	static const size_t sizes[] = { 3000, 3000, 2192, 4 };
	static const int want[] = { 0, 0, 0, -ENOSPC };
	struct pcpu_mod_policy p;
	struct pcpu_mod_area a;
	struct pcpu_config cfg = { 0 };
	struct pcpu_rt *rt;
	char err[256];
	size_t i, off;
	pcpu_off_t o;

	pcpu_mod_area_init(&a, KSTATIC, 8192);
	for (i = 0; i < 4; i++)
		assert_int_equal(pcpu_mod_area_alloc(&a, sizes[i], 8, &off), want[i]);
	/* alignment of the unit offset: 3001 rounds to 3004 */
	pcpu_mod_area_fini(&a);
	pcpu_mod_area_init(&a, KSTATIC, 8192);
	assert_int_equal(pcpu_mod_area_alloc(&a, 3001, 4, &off), 0);
	assert_int_equal(pcpu_mod_area_alloc(&a, 1, 64, &off), 0);
	assert_true(off == KSTATIC + 3008);
	assert_true(pcpu_mod_area_largest(&a, 4) == 8192 - 3012);
	assert_int_equal(pcpu_mod_area_free(&a, KSTATIC + 1), -EINVAL);
	assert_int_equal(pcpu_mod_area_free(&a, KSTATIC), 0);
	assert_int_equal(pcpu_mod_area_alloc(&a, 3004, 4, &off), 0);
	assert_true(off == KSTATIC);
	pcpu_mod_area_fini(&a);

	assert_int_equal(pcpu_mod_policy_parse("reserve", &p), 0);
	assert_true(p.reserve == PCPU_MOD_RESERVE_DEFAULT);
	cfg.strategy = PCPU_S_OFFSET_ARRAY;
	cfg.possible = "4";
	cfg.online = "1";
	cfg.modules = &p;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pcpu_mod_load(rt, sizes[i], 8, NULL, &o), want[i]);
	pcpu_rt_fini(rt);
	/* reserve:0: every module with per-CPU data is refused */
	assert_int_equal(pcpu_mod_policy_parse("reserve:0", &p), 0);
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), 0);
	assert_int_equal(pcpu_mod_load(rt, 4, 4, NULL, &o), -ENOSPC);
	pcpu_rt_fini(rt);
	/* no policy: loads are not supported */
	cfg.modules = NULL;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), 0);
	assert_int_equal(pcpu_mod_load(rt, 4, 4, NULL, &o), -ENOTSUP);
	assert_int_equal(pcpu_mod_unload(rt, 0), -EINVAL);
	pcpu_rt_fini(rt);
}

/* The reserve comes out of the unit before the dynamic part. */
static void reserve_before_dynamic(void **state)
{
	struct pcpu_mod_policy p;
	struct pcpu_config cfg = { 0 };
	struct pcpu_rt *rt;
	char err[256];
	pcpu_off_t d, o;

	assert_int_equal(pcpu_mod_policy_parse("reserve:8k", &p), 0);
	assert_true(p.reserve == 8192);
	cfg.strategy = PCPU_S_OFFSET_ARRAY;
	cfg.possible = "2";
	cfg.online = "1";
	cfg.modules = &p;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), 0);
	assert_int_equal(pcpu_alloc(rt, 64, 8, NULL, false, &d), 0);
	assert_int_equal(pcpu_mod_load(rt, 8192, 4, NULL, &o), 0);
	assert_true(d >= o + 8192);
	pcpu_rt_fini(rt);
}

static void policy_names(void **state)
{
	static const char *const bad[] = { "", "reserve:", "reserve:x", "reserve:-8",
		"reserve:6", "reserve:8m", "reserve:99999999999999999999",
		"vm:some", "slack:4", "reserved", "VM" };
	struct pcpu_mod_policy p;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pcpu_mod_policy_parse(bad[i], &p), -EINVAL);
	assert_int_equal(pcpu_mod_policy_parse(NULL, &p), -EINVAL);
	assert_int_equal(pcpu_mod_policy_parse("vm", &p), 0);
	assert_int_equal(pcpu_mod_policy_format(&p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "vm:online");
	assert_int_equal(pcpu_mod_policy_parse("reserve:16384", &p), 0);
	assert_int_equal(pcpu_mod_policy_format(&p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "reserve:16384");
	assert_int_equal(pcpu_mod_policy_format(&p, buf, 4), -ENOSPC);
	assert_non_null(pcpu_mod_access_needs(PCPU_A_SEGMENT, PCPU_L_EMBED,
					      PCPU_MOD_VM));
}

static void put(unsigned char *b, size_t at, uint64_t v, int n)
{
	while (n--) {
		b[at++] = (unsigned char)v;
		v >>= 8;
	}
}

/* A minimal ELF64 LE relocatable: null, @name (size, align), .shstrtab. */
static void write_ko(const char *path, const char *name, size_t size,
		     size_t align, size_t cut)
{
	unsigned char b[512] = { 0 };
	const char strtab_at = 0x40;
	size_t shoff = 0x80, nlen = strlen(name) + 1;
	FILE *f;

	memcpy(b, "\177ELF", 4);
	b[4] = 2;
	b[5] = 1;
	put(b, 0x28, shoff, 8);
	put(b, 0x3a, 64, 2);
	put(b, 0x3c, 3, 2);
	put(b, 0x3e, 2, 2);
	/* string table: "\0<name>\0.shstrtab\0" at 0x40 */
	memcpy(b + strtab_at + 1, name, nlen);
	memcpy(b + strtab_at + 1 + nlen, ".shstrtab", 10);
	put(b, shoff + 64 + 0x00, 1, 4);		/* name */
	put(b, shoff + 64 + 0x20, size, 8);
	put(b, shoff + 64 + 0x30, align, 8);
	put(b, shoff + 128 + 0x00, 1 + nlen, 4);
	put(b, shoff + 128 + 0x18, (uint64_t)strtab_at, 8);
	put(b, shoff + 128 + 0x20, 1 + nlen + 10, 8);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, cut ? cut : shoff + 192, f), cut ? cut : shoff + 192);
	fclose(f);
}

/* The ELF reader and the loaded modules' sum, over a fake root. */
static void kmods_files(void **state)
{
	char dir[] = "/tmp/pcpu-kmods.XXXXXX", p[512];
	struct pcpu_kmods_loaded l;
	size_t size, align;
	char why[200];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/a.ko", dir);
	write_ko(p, ".data..percpu", 336, 64, 0);
	assert_int_equal(pcpu_kmods_ko_percpu(p, &size, &align), 0);
	assert_true(size == 336 && align == 64);
	write_ko(p, ".data", 336, 64, 0);
	assert_int_equal(pcpu_kmods_ko_percpu(p, &size, &align), 0);
	assert_true(size == 0 && align == 1);
	write_ko(p, ".data..percpu", 336, 64, 100);	/* truncated */
	assert_int_equal(pcpu_kmods_ko_percpu(p, &size, &align), -ENOEXEC);
	f = fopen(p, "w");
	fputs("not an ELF file at all, just text", f);
	fclose(f);
	assert_int_equal(pcpu_kmods_ko_percpu(p, &size, &align), -ENOEXEC);
	snprintf(p, sizeof(p), "%s/none.ko", dir);
	assert_int_equal(pcpu_kmods_ko_percpu(p, &size, &align), -ENOENT);

	/* no proc/modules: a kernel without modules */
	assert_int_equal(pcpu_kmods_loaded(dir, "6.1.0-t", &l, why, sizeof(why)), -ENOSYS);
	snprintf(p, sizeof(p), "%s/proc", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/proc/modules", dir);
	f = fopen(p, "w");
	fputs("kvm_amd 155648 0 - Live 0x0\nrds 200704 0 - Live 0x0\n"
	      "zz 1 0 - Live 0x0\nxzmod 1 0 - Live 0x0\n", f);
	fclose(f);
	assert_int_equal(pcpu_kmods_loaded(dir, "6.1.0-t", &l, why, sizeof(why)), -ENOENT);
	snprintf(p, sizeof(p), "%s/lib", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/lib/modules", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/lib/modules/6.1.0-t", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/lib/modules/6.1.0-t/modules.dep", dir);
	f = fopen(p, "w");
	fputs("kernel/x/kvm-amd.ko: kernel/x/kvm.ko\nkernel/x/rds.ko:\n"
	      "kernel/x/xzmod.ko.xz:\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/lib/modules/6.1.0-t/kernel", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/lib/modules/6.1.0-t/kernel/x", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/lib/modules/6.1.0-t/kernel/x/kvm-amd.ko", dir);
	write_ko(p, ".data..percpu", 96, 32, 0);
	snprintf(p, sizeof(p), "%s/lib/modules/6.1.0-t/kernel/x/rds.ko", dir);
	write_ko(p, ".data..percpu", 336, 64, 0);
	assert_int_equal(pcpu_kmods_loaded(dir, "6.1.0-t", &l, why, sizeof(why)), 0);
	assert_int_equal(l.nr_loaded, 4);
	assert_int_equal(l.nr_read, 2);
	assert_int_equal(l.nr_percpu, 2);
	assert_int_equal(l.nr_unread, 2);	/* zz: not in modules.dep; xzmod */
	assert_true(l.sum_bytes == 432 && l.largest == 336);
	assert_string_equal(l.largest_name, "rds");
	assert_non_null(strstr(l.why_unread, "zz"));
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_names),
		cmocka_unit_test(kernel_refusal_point),
		cmocka_unit_test(reserve_before_dynamic),
		cmocka_unit_test(policy_combo),
		cmocka_unit_test(kmods_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
