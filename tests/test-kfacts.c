// SPDX-License-Identifier: GPL-2.0
/*
 * test-kfacts.c - pcpu_kfacts_parse_log() and friends over real boot
 * lines from several kernels, both first-chunk allocators, NUMA machines
 * with many groups and empty units, every line prefix we meet (dmesg,
 * /dev/kmsg, syslog, journal, "<6>" console), and over malformed,
 * truncated and inconsistent input.
 *
 * Every log below is copied from a real boot (where from is said above
 * it); only the lines around the per-CPU ones were dropped. The two
 * 2.6.30 formats ("Remapped", "Allocated") come from that kernel's
 * format strings, not from a log: no public log with them was found.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcpu-kfacts.h"

static struct pcpu_kfacts *parse(const char *log, int want)
{
	struct pcpu_kfacts *kf = malloc(sizeof(*kf));

	assert_non_null(kf);
	pcpu_kfacts_init(kf);
	assert_int_equal(pcpu_kfacts_parse_log(kf, log, strlen(log)), want);
	return kf;
}

static unsigned long long get(const struct pcpu_kfacts *kf,
			      enum pcpu_kf_field f)
{
	unsigned long long v = ~0ULL;

	assert_int_equal(pcpu_kfacts_get(kf, f, &v), 0);
	return v;
}

static void assert_unknown(const struct pcpu_kfacts *kf, enum pcpu_kf_field f)
{
	unsigned long long v = 12345;

	assert_int_equal(pcpu_kfacts_get(kf, f, &v), -ENODATA);
	assert_int_equal(v, 12345);
}

/* The CPUs of @group in unit order, -1 for an empty unit. */
static int group_cpus(const struct pcpu_kfacts *kf, int group, int *out, int max)
{
	int i, n = 0;

	for (i = 0; i < kf->nr_units_kept; i++)
		if (kf->units[i].group == group && n < max)
			out[n++] = kf->units[i].cpu;
	return n;
}

static void assert_clean(const struct pcpu_kfacts *kf)
{
	assert_int_equal(kf->malformed, 0);
	assert_int_equal(kf->inconsistent, 0);
	assert_int_equal(kf->truncated, 0);
}

/* 1. This VM (6.18, bhyve, 2 possible CPUs), dmesg. */
static const char vm618[] =
	"[    0.000000] Linux version 6.18.44-fc-v1272 (builder@sandboxing) (gcc (GCC) 15.3.0, GNU ld (GNU Binutils) 2.46) #1 SMP PREEMPT_DYNAMIC @0\n"
	"[    0.069733] setup_percpu: NR_CPUS:256 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1\n"
	"[    0.072053] percpu: Embedded 57 pages/cpu s202200 r0 d31272 u1048576\n"
	"[    0.072057] pcpu-alloc: s202200 r0 d31272 u1048576 alloc=1*2097152\n"
	"[    0.072060] pcpu-alloc: [0] 0 1 \n"
	"[    0.072084] Kernel command line: console=ttyS0 quiet\n";

static void test_vm_618_dmesg(void **state)
{
	struct pcpu_kfacts *kf = parse(vm618, 0);
	int c[4];

	assert_clean(kf);
	assert_true(pcpu_kfacts_known(kf, PCPU_KF_ALLOCATOR));
	assert_int_equal(kf->allocator, PCPU_KF_ALLOC_EMBED);
	assert_string_equal(pcpu_kfacts_alloc_name(kf->allocator), "embed");
	assert_string_equal(kf->alloc_word, "Embedded");
	assert_int_equal(get(kf, PCPU_KF_PAGES_PER_CPU), 57);
	assert_int_equal(get(kf, PCPU_KF_STATIC), 202200);
	assert_int_equal(get(kf, PCPU_KF_RESERVED), 0);
	assert_int_equal(kf->reserved_size, 0);
	assert_int_equal(get(kf, PCPU_KF_DYNAMIC), 31272);
	assert_int_equal(get(kf, PCPU_KF_UNIT), 1048576);
	assert_int_equal(get(kf, PCPU_KF_ATOM), 2097152);
	assert_int_equal(get(kf, PCPU_KF_ALLOC_SIZE), 2097152);
	assert_int_equal(get(kf, PCPU_KF_NR_CPUS), 256);
	assert_int_equal(get(kf, PCPU_KF_NR_CPUMASK_BITS), 2);
	assert_int_equal(get(kf, PCPU_KF_NR_CPU_IDS), 2);
	assert_int_equal(get(kf, PCPU_KF_NR_NODE_IDS), 1);
	assert_int_equal(get(kf, PCPU_KF_NR_GROUPS), 1);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 2);
	assert_int_equal(get(kf, PCPU_KF_NR_EMPTY_UNITS), 0);
	assert_int_equal(group_cpus(kf, 0, c, 4), 2);
	assert_int_equal(c[0], 0);
	assert_int_equal(c[1], 1);
	assert_unknown(kf, PCPU_KF_PAGE_SIZE);
	assert_unknown(kf, PCPU_KF_MEMINFO_PERCPU);
	assert_false(pcpu_kfacts_known(kf, PCPU_KF_FALLBACK));
	assert_true(kf->banner_seen);
	assert_int_equal(kf->first_seq, -1);
	assert_int_equal(kf->boots, 1);
	assert_int_equal(kf->percpu_lines, 4);
	free(kf);
}

/* The same VM's /dev/kmsg records (level 7 for pcpu-alloc). */
static const char vm618_kmsg[] =
	"5,0,0,-;Linux version 6.18.44-fc-v1272 (builder@sandboxing) (gcc (GCC) 15.3.0, GNU ld (GNU Binutils) 2.46) #1 SMP PREEMPT_DYNAMIC @0\n"
	"6,81,69733,-;setup_percpu: NR_CPUS:256 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1\n"
	"6,82,72053,-;percpu: Embedded 57 pages/cpu s202200 r0 d31272 u1048576\n"
	"7,83,72057,-;pcpu-alloc: s202200 r0 d31272 u1048576 alloc=1*2097152\n"
	"7,84,72060,-;pcpu-alloc: [0] 0 1 \n";

static void test_vm_618_kmsg(void **state)
{
	struct pcpu_kfacts *kf = parse(vm618_kmsg, 0);

	assert_clean(kf);
	assert_int_equal(kf->first_seq, 0);
	assert_int_equal(kf->allocator, PCPU_KF_ALLOC_EMBED);
	assert_int_equal(get(kf, PCPU_KF_UNIT), 1048576);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 2);
	assert_int_equal(pcpu_kfacts_group_of(kf, 1), 0);
	assert_int_equal(pcpu_kfacts_group_of(kf, 2), -ENOENT);
	free(kf);
}

/*
 * 2. The test guest: Debian 6.1, 2 nodes, 8 possible CPUs, 4 present
 * (issue 18): absent CPUs 4 and 6 already grouped with node 0.
 */
static const char guest61[] =
	"[    0.000000] percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u524288\n"
	"[    0.000000] pcpu-alloc: [0] 0 1 4 6 [1] 2 3 5 7 \n";

static void test_guest_61_two_nodes(void **state)
{
	struct pcpu_kfacts *kf = parse(guest61, 0);
	int c[8];

	assert_clean(kf);
	assert_int_equal(kf->allocator, PCPU_KF_ALLOC_EMBED);
	assert_int_equal(get(kf, PCPU_KF_PAGES_PER_CPU), 62);
	assert_int_equal(get(kf, PCPU_KF_RESERVED), 8192);
	assert_int_equal(get(kf, PCPU_KF_UNIT), 524288);
	assert_int_equal(get(kf, PCPU_KF_NR_GROUPS), 2);
	assert_int_equal(group_cpus(kf, 0, c, 8), 4);
	assert_int_equal(c[2], 4);
	assert_int_equal(c[3], 6);
	assert_int_equal(group_cpus(kf, 1, c, 8), 4);
	assert_int_equal(c[0], 2);
	assert_int_equal(pcpu_kfacts_group_of(kf, 4), 0);
	assert_int_equal(pcpu_kfacts_group_of(kf, 7), 1);
	/* no header line: the atom and NR_CPUS stay unknown */
	assert_unknown(kf, PCPU_KF_ATOM);
	assert_unknown(kf, PCPU_KF_NR_CPUS);
	assert_false(kf->banner_seen);
	free(kf);
}

/* The test guest as tests/guest/run.sh boots it now: 10 possible CPUs. */
static const char guest61_10[] =
	"[    0.000000] setup_percpu: NR_CPUS:8192 nr_cpumask_bits:10 nr_cpu_ids:10 nr_node_ids:2\n"
	"[    0.000000] percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u1048576\n"
	"[    0.000000] pcpu-alloc: s217088 r8192 d28672 u1048576 alloc=1*2097152\n"
	"[    0.000000] pcpu-alloc: [0] 00 01 [0] 04 06 [0] 08 -- [1] 02 03 \n"
	"[    0.000000] pcpu-alloc: [1] 05 07 [1] 09 -- \n";
static const char guest61_10_page[] =
	"[    0.000000] setup_percpu: NR_CPUS:8192 nr_cpumask_bits:10 nr_cpu_ids:10 nr_node_ids:2\n"
	"[    0.000000] percpu: 58 4K pages/cpu s217088 r8192 d12288\n"
	"[    0.000000] pcpu-alloc: s217088 r8192 d12288 u237568 alloc=58*4096\n"
	"[    0.000000] pcpu-alloc: [0] 00 [0] 01 [0] 02 [0] 03 [0] 04 [0] 05 [0] 06 [0] 07 \n"
	"[    0.000000] pcpu-alloc: [0] 08 [0] 09 \n";

static void test_guest_61_ten_cpus(void **state)
{
	struct pcpu_kfacts *kf = parse(guest61_10, 0);
	int c[8];

	assert_clean(kf);
	assert_int_equal(get(kf, PCPU_KF_UNIT), 1048576);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 12);
	assert_int_equal(get(kf, PCPU_KF_NR_EMPTY_UNITS), 2);
	assert_int_equal(group_cpus(kf, 0, c, 8), 6);
	assert_int_equal(c[2], 4);
	assert_int_equal(c[4], 8);
	assert_int_equal(c[5], -1);
	assert_int_equal(pcpu_kfacts_group_of(kf, 9), 1);
	free(kf);

	kf = parse(guest61_10_page, 0);
	assert_clean(kf);
	assert_int_equal(kf->allocator, PCPU_KF_ALLOC_PAGE);
	/* the header gives the unit the page line leaves out: 58 x 4 KiB */
	assert_int_equal(get(kf, PCPU_KF_UNIT), 58 * 4096);
	assert_int_equal(get(kf, PCPU_KF_ATOM), 4096);
	assert_int_equal(get(kf, PCPU_KF_NR_GROUPS), 1);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 10);
	free(kf);
}

/* 3. The same guest with percpu_alloc=page: one group, unit per alloc. */
static const char guest61_page[] =
	"[    0.000000] percpu: 58 4K pages/cpu s217088 r8192 d12288\n"
	"[    0.000000] pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 [0] 4 [0] 5 [0] 6 [0] 7 \n";

static void test_guest_61_page(void **state)
{
	struct pcpu_kfacts *kf = parse(guest61_page, 0);
	struct pcpu_kfacts *k2 = malloc(sizeof(*k2));
	static const char cmd[] = "console=ttyS0 percpu_alloc=page quiet\n";

	assert_clean(kf);
	assert_int_equal(kf->allocator, PCPU_KF_ALLOC_PAGE);
	assert_string_equal(pcpu_kfacts_alloc_name(kf->allocator), "page");
	assert_string_equal(kf->alloc_word, "4K");
	assert_int_equal(get(kf, PCPU_KF_PAGES_PER_CPU), 58);
	assert_int_equal(get(kf, PCPU_KF_PAGE_SIZE), 4096);
	assert_int_equal(get(kf, PCPU_KF_STATIC), 217088);
	assert_int_equal(get(kf, PCPU_KF_DYNAMIC), 12288);
	assert_unknown(kf, PCPU_KF_UNIT);
	assert_int_equal(get(kf, PCPU_KF_NR_GROUPS), 1);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 8);
	assert_int_equal(pcpu_kfacts_parse_cmdline(kf, cmd, strlen(cmd)), 0);
	assert_string_equal(kf->cmdline_alloc, "page");
	assert_non_null(k2);
	pcpu_kfacts_init(k2);
	assert_int_equal(pcpu_kfacts_parse_cmdline(k2, "quiet", 5), -ENOENT);
	assert_false(pcpu_kfacts_known(k2, PCPU_KF_CMDLINE_ALLOC));
	free(k2);
	free(kf);
}

/*
 * 4. 0-day lkp, 4-node 80-CPU x86-64 (3.x): "PERCPU:" with the base
 * address, two-digit CPU ids, empty units "--", a group over two lines.
 */
static const char lkp4node[] =
	"[    0.000000] setup_percpu: NR_CPUS:512 nr_cpumask_bits:512 nr_cpu_ids:80 nr_node_ids:4\n"
	"[    0.000000] PERCPU: Embedded 27 pages/cpu @ffff88085f800000 s81088 r8192 d21312 u262144\n"
	"[    0.000000] pcpu-alloc: s81088 r8192 d21312 u262144 alloc=1*2097152\n"
	"[    0.000000] pcpu-alloc: [0] 00 04 08 12 16 20 24 28 [0] 32 36 40 44 48 52 56 60 \n"
	"[    0.000000] pcpu-alloc: [0] 64 68 72 76 -- -- -- -- [1] 01 05 09 13 17 21 25 29 \n"
	"[    0.000000] pcpu-alloc: [1] 33 37 41 45 49 53 57 61 [1] 65 69 73 77 -- -- -- -- \n"
	"[    0.000000] pcpu-alloc: [2] 02 06 10 14 18 22 26 30 [2] 34 38 42 46 50 54 58 62 \n"
	"[    0.000000] pcpu-alloc: [2] 66 70 74 78 -- -- -- -- [3] 03 07 11 15 19 23 27 31 \n"
	"[    0.000000] pcpu-alloc: [3] 35 39 43 47 51 55 59 63 [3] 67 71 75 79 -- -- -- -- \n"
	"[    0.000000] Built 4 zonelists in Zone order, mobility grouping on.  Total pages: 33010930\n";

static void test_lkp_4node_empty_units(void **state)
{
	struct pcpu_kfacts *kf = parse(lkp4node, 0);
	int c[32], g, cpu;

	assert_clean(kf);
	assert_string_equal(kf->alloc_word, "Embedded");
	assert_int_equal(get(kf, PCPU_KF_NR_NODE_IDS), 4);
	assert_int_equal(get(kf, PCPU_KF_NR_CPU_IDS), 80);
	assert_int_equal(get(kf, PCPU_KF_NR_GROUPS), 4);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 96);
	assert_int_equal(get(kf, PCPU_KF_NR_EMPTY_UNITS), 16);
	for (g = 0; g < 4; g++) {
		assert_int_equal(group_cpus(kf, g, c, 32), 24);
		assert_int_equal(c[0], g);
		assert_int_equal(c[23], -1);
	}
	for (cpu = 0; cpu < 80; cpu++)
		assert_int_equal(pcpu_kfacts_group_of(kf, cpu), cpu % 4);
	free(kf);
}

/*
 * 5. A 4-node 144-CPU Skylake server, 5.7 (a bug report, "> " quoted):
 * three-digit ids, each node's group holds CPUs of two ranges (the SMT
 * siblings), four empty units per group.
 */
static const char skx144[] =
	"> [    1.491035] setup_percpu: NR_CPUS:512 nr_cpumask_bits:512 nr_cpu_ids:144 nr_node_ids:4\n"
	"> [    1.507188] percpu: Embedded 56 pages/cpu s188440 r8192 d32744 u262144\n"
	"> [    1.507206] pcpu-alloc: s188440 r8192 d32744 u262144 alloc=1*2097152\n"
	"> [    1.507207] pcpu-alloc: [0] 000 001 002 003 004 005 006 007 \n"
	"> [    1.507209] pcpu-alloc: [0] 008 009 010 011 012 013 014 015 \n"
	"> [    1.507211] pcpu-alloc: [0] 016 017 072 073 074 075 076 077 \n"
	"> [    1.507213] pcpu-alloc: [0] 078 079 080 081 082 083 084 085 \n"
	"> [    1.507215] pcpu-alloc: [0] 086 087 088 089 --- --- --- --- \n"
	"> [    1.507217] pcpu-alloc: [1] 018 019 020 021 022 023 024 025 \n"
	"> [    1.507219] pcpu-alloc: [1] 026 027 028 029 030 031 032 033 \n"
	"> [    1.507221] pcpu-alloc: [1] 034 035 090 091 092 093 094 095 \n"
	"> [    1.507222] pcpu-alloc: [1] 096 097 098 099 100 101 102 103 \n"
	"> [    1.507224] pcpu-alloc: [1] 104 105 106 107 --- --- --- --- \n"
	"> [    1.507226] pcpu-alloc: [2] 036 037 038 039 040 041 042 043 \n"
	"> [    1.507228] pcpu-alloc: [2] 044 045 046 047 048 049 050 051 \n"
	"> [    1.507230] pcpu-alloc: [2] 052 053 108 109 110 111 112 113 \n"
	"> [    1.507232] pcpu-alloc: [2] 114 115 116 117 118 119 120 121 \n"
	"> [    1.507233] pcpu-alloc: [2] 122 123 124 125 --- --- --- --- \n"
	"> [    1.507235] pcpu-alloc: [3] 054 055 056 057 058 059 060 061 \n"
	"> [    1.507237] pcpu-alloc: [3] 062 063 064 065 066 067 068 069 \n"
	"> [    1.507239] pcpu-alloc: [3] 070 071 126 127 128 129 130 131 \n"
	"> [    1.507241] pcpu-alloc: [3] 132 133 134 135 136 137 138 139 \n"
	"> [    1.507242] pcpu-alloc: [3] 140 141 142 143 --- --- --- --- \n"
	"> [    1.507310] Built 4 zonelists, mobility grouping on.  Total pages: 82429968\n";

static void test_skx_144_three_digits(void **state)
{
	struct pcpu_kfacts *kf = parse(skx144, 0);

	assert_clean(kf);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 160);
	assert_int_equal(get(kf, PCPU_KF_NR_EMPTY_UNITS), 16);
	assert_int_equal(pcpu_kfacts_group_of(kf, 17), 0);
	assert_int_equal(pcpu_kfacts_group_of(kf, 72), 0);
	assert_int_equal(pcpu_kfacts_group_of(kf, 90), 1);
	assert_int_equal(pcpu_kfacts_group_of(kf, 143), 3);
	assert_int_equal(get(kf, PCPU_KF_RESERVED), 8192);
	free(kf);
}

/* 6. arm64 (qemu virt, 2 CPUs): no setup_percpu line, 4 KiB atoms. */
static const char arm64[] =
	"[    0.000000] psci: SMC Calling Convention v1.4\n"
	"[    0.000000] percpu: Embedded 20 pages/cpu s43416 r8192 d30312 u81920\n"
	"[    0.000000] pcpu-alloc: s43416 r8192 d30312 u81920 alloc=20*4096\n"
	"[    0.000000] pcpu-alloc: [0] 0 [0] 1 \n"
	"[    0.000000] Detected VIPT I-cache on CPU0\n";

static void test_arm64(void **state)
{
	struct pcpu_kfacts *kf = parse(arm64, 0);

	assert_clean(kf);
	assert_int_equal(get(kf, PCPU_KF_ATOM), 4096);
	assert_int_equal(get(kf, PCPU_KF_ALLOC_SIZE), 81920);
	assert_int_equal(get(kf, PCPU_KF_UNIT), 81920);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 2);
	assert_int_equal(get(kf, PCPU_KF_NR_GROUPS), 1);
	assert_unknown(kf, PCPU_KF_NR_CPUS);
	assert_unknown(kf, PCPU_KF_NR_NODE_IDS);
	free(kf);
}

/*
 * 7. 4-node x86-64 booted with percpu_alloc=page (a syzbot-style qemu
 * report): the page line, no unit listing.
 */
static const char page4node[] =
	"[    0.000000] setup_percpu: NR_CPUS:64 nr_cpumask_bits:64 nr_cpu_ids:8 nr_node_ids:4\n"
	"[    0.000000] percpu: 56 4K pages/cpu s208152 r8192 d13032\n"
	"[    0.000000] Built 4 zonelists, mobility grouping on.  Total pages: 4128616\n"
	"[    0.000000] Kernel command line: kmemleak=off console=ttyS0 root=/dev/sda  earlyprintk=serial  percpu_alloc=page\n";

static void test_page_4node(void **state)
{
	struct pcpu_kfacts *kf = parse(page4node, 0);

	assert_clean(kf);
	assert_int_equal(kf->allocator, PCPU_KF_ALLOC_PAGE);
	assert_int_equal(get(kf, PCPU_KF_PAGES_PER_CPU), 56);
	assert_int_equal(get(kf, PCPU_KF_STATIC), 208152);
	assert_int_equal(get(kf, PCPU_KF_RESERVED), 8192);
	assert_int_equal(get(kf, PCPU_KF_NR_NODE_IDS), 4);
	assert_false(pcpu_kfacts_known(kf, PCPU_KF_UNITS));
	assert_unknown(kf, PCPU_KF_NR_GROUPS);
	free(kf);
}

/*
 * 8. A 1536-CPU 8-node x86-64 (3.x, "> " quoted) where embedding did not
 * fit the vmalloc space and the kernel fell back to pages.
 */
static const char fallback[] =
	"> [    0.000000] setup_percpu: NR_CPUS:5120 nr_cpumask_bits:1536 nr_cpu_ids:1536 nr_node_ids:8\n"
	"> [    0.000000] PERCPU: max_distance=0x180ffe240000 too large for vmalloc space 0x1fffffffffff\n"
	"> [    0.000000] setup_percpu: auto allocator failed (-22), falling back to page size\n"
	"> [    0.000000] PERCPU: 32 4K pages/cpu @ffffc90000000000 s107200 r8192 d15680\n"
	"> [    0.000000] Built 8 zonelists in Zone order, mobility grouping on.  Total pages: 132001804\n";

static void test_fallback_1536(void **state)
{
	struct pcpu_kfacts *kf = parse(fallback, 0);

	assert_clean(kf);
	assert_true(pcpu_kfacts_known(kf, PCPU_KF_FALLBACK));
	assert_true(kf->fallback);
	assert_int_equal(kf->fallback_err, -22);
	assert_int_equal(kf->allocator, PCPU_KF_ALLOC_PAGE);
	assert_int_equal(get(kf, PCPU_KF_PAGES_PER_CPU), 32);
	assert_int_equal(get(kf, PCPU_KF_NR_CPUS), 5120);
	assert_int_equal(get(kf, PCPU_KF_NR_CPU_IDS), 1536);
	assert_int_equal(get(kf, PCPU_KF_NR_NODE_IDS), 8);
	assert_int_equal(kf->boots, 1);
	free(kf);
}

/*
 * 9. Prefixes: a Travis CI syslog ("host kernel: [ts] "), an ARM32 console
 * with "<6>" levels and the base address, a ptrval-hashed address (Xen
 * guest, 4.x; the message was wrapped by mail and is rejoined here).
 */
static const char syslog_travis[] =
	"Aug 11 11:16:20 travis-job-9e95818e-05b7-40f4-a4b3-3f4e52d4d52e kernel: [    0.000000] setup_percpu: NR_CPUS:512 nr_cpumask_bits:512 nr_cpu_ids:4 nr_node_ids:1\n"
	"Aug 11 11:16:20 travis-job-9e95818e-05b7-40f4-a4b3-3f4e52d4d52e kernel: [    0.000000] PERCPU: Embedded 34 pages/cpu @ffff8803ffc00000 s98392 r8192 d32680 u524288\n"
	"Aug 11 11:16:20 travis-job-9e95818e-05b7-40f4-a4b3-3f4e52d4d52e kernel: [    0.000000] pcpu-alloc: s98392 r8192 d32680 u524288 alloc=1*2097152\n"
	"Aug 11 11:16:20 travis-job-9e95818e-05b7-40f4-a4b3-3f4e52d4d52e kernel: [    0.000000] pcpu-alloc: [0] 0 1 2 3 \n";

static const char arm32_console[] =
	"<6>[    0.000000] percpu: Embedded 14 pages/cpu @c3f1b000 s25048 r8192 d24104 u57344\n"
	"<7>[    0.000000] pcpu-alloc: s25048 r8192 d24104 u57344 alloc=14*4096\n"
	"<7>[    0.000000] pcpu-alloc: [0] 0 [0] 1 \n"
	"<6>[    0.000000] Built 1 zonelists in Zone order, mobility grouping on.  Total pages: 16224\n";

static const char xen_ptrval[] =
	"[    0.400407] setup_percpu: NR_CPUS:128 nr_cpumask_bits:128 nr_cpu_ids:4 nr_node_ids:1\n"
	"[    0.400651] percpu: Embedded 45 pages/cpu @(____ptrval____) s143768 r8192 d32360 u524288\n";

static void test_prefixes(void **state)
{
	struct pcpu_kfacts *kf = parse(syslog_travis, 0);

	assert_clean(kf);
	assert_int_equal(get(kf, PCPU_KF_PAGES_PER_CPU), 34);
	assert_int_equal(get(kf, PCPU_KF_NR_CPU_IDS), 4);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 4);
	free(kf);

	kf = parse(arm32_console, 0);
	assert_clean(kf);
	assert_int_equal(get(kf, PCPU_KF_UNIT), 57344);
	assert_int_equal(get(kf, PCPU_KF_ATOM), 4096);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 2);
	free(kf);

	kf = parse(xen_ptrval, 0);
	assert_clean(kf);
	assert_int_equal(get(kf, PCPU_KF_STATIC), 143768);
	assert_int_equal(get(kf, PCPU_KF_UNIT), 524288);
	assert_false(pcpu_kfacts_known(kf, PCPU_KF_UNITS));
	free(kf);
}

/*
 * 10. A 2-node 32-CPU x86-64 (2.6.32, no timestamps): each node's group
 * holds two ranges; and a ppc64 64 KiB-page kernel (11 pages of 64 KiB).
 */
static const char rhel6_2node[] =
	"setup_percpu: NR_CPUS:8192 nr_cpumask_bits:32 nr_cpu_ids:32 nr_node_ids:2\n"
	"PERCPU: Embedded 28 pages/cpu @ffff88107fc00000 s83904 r8192 d22592 u131072\n"
	"pcpu-alloc: s83904 r8192 d22592 u131072 alloc=1*2097152\n"
	"pcpu-alloc: [0] 00 01 02 03 04 05 06 07 16 17 18 19 20 21 22 23 \n"
	"pcpu-alloc: [1] 08 09 10 11 12 13 14 15 24 25 26 27 28 29 30 31 \n"
	"Built 2 zonelists in Zone order, mobility grouping on.  Total pages: 33088717\n";

static const char ppc64[] =
	"[    0.000000] Initmem setup node 255 [mem 0x0000000000000000-0x0000000000000000]\n"
	"[    0.000000] percpu: Embedded 11 pages/cpu s627608 r0 d93288 u720896\n"
	"[    0.000000] Built 6 zonelists, mobility grouping on.  Total pages: 8380416\n";

static void test_numa_2node_and_ppc64(void **state)
{
	struct pcpu_kfacts *kf = parse(rhel6_2node, 0);

	assert_clean(kf);
	assert_int_equal(get(kf, PCPU_KF_NR_GROUPS), 2);
	assert_int_equal(pcpu_kfacts_group_of(kf, 16), 0);
	assert_int_equal(pcpu_kfacts_group_of(kf, 15), 1);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 32);
	free(kf);

	kf = parse(ppc64, 0);
	assert_clean(kf);
	assert_int_equal(get(kf, PCPU_KF_PAGES_PER_CPU), 11);
	assert_int_equal(get(kf, PCPU_KF_RESERVED), 0);
	/* 11 pages of 64 KiB are the unit: s + r + d = u */
	assert_int_equal(get(kf, PCPU_KF_STATIC) + get(kf, PCPU_KF_DYNAMIC),
			 get(kf, PCPU_KF_UNIT));
	free(kf);
}

/* 2.6.30 format strings (not a log): remap and 4k allocators. */
static void test_2630_formats(void **state)
{
	struct pcpu_kfacts *kf =
		parse("PERCPU: Remapped at ffffe20000000000 with large pages, static data 1899936 bytes\n", 0);

	assert_int_equal(kf->allocator, PCPU_KF_ALLOC_REMAP);
	assert_string_equal(pcpu_kfacts_alloc_name(kf->allocator), "remap");
	assert_int_equal(get(kf, PCPU_KF_STATIC), 1899936);
	assert_unknown(kf, PCPU_KF_PAGES_PER_CPU);
	free(kf);
	kf = parse("PERCPU: Allocated 19 4k pages, static data 76672 bytes\n", 0);
	assert_int_equal(kf->allocator, PCPU_KF_ALLOC_PAGE);
	assert_int_equal(get(kf, PCPU_KF_PAGE_SIZE), 4096);
	assert_unknown(kf, PCPU_KF_PAGES_PER_CPU);
	free(kf);
}

/* Nothing per-CPU: the caller has to say why (rotated, restricted). */
static void test_no_lines(void **state)
{
	static const char rotated[] =
		"6,94211,918273645,-;eth0: link up\n"
		"6,94212,918273700,-;usb 1-1: new device\n";
	struct pcpu_kfacts *kf = parse(rotated, -ENOENT);

	assert_int_equal(kf->first_seq, 94211);
	assert_false(kf->banner_seen);
	assert_int_equal(kf->known, 0);
	free(kf);
	kf = parse("", -ENOENT);
	assert_int_equal(kf->lines, 0);
	free(kf);
	/* words that look alike but are not the markers */
	kf = parse("foo_setup_percpu: NR_CPUS:4\nmypercpu: Embedded 1 pages/cpu s1 r0 d0 u4096\n",
		   -ENOENT);
	free(kf);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"percpu: Embedded x57 pages/cpu s202200 r0 d31272 u1048576\n",
		"percpu: Embedded 57 pages/cpu s202200 r0 d31272\n",	/* no u */
		"percpu: Embedded 57 pages/cpu s202200 r0 d31272 u1048576 u4096\n",
		"percpu: Embedded 57 pages/cpu s-1 r0 d31272 u1048576\n",
		"percpu: Embedded 57 pages/cpu s99999999999999999999999 r0 d1 u1\n",
		"percpu: 58 4X pages/cpu s217088 r8192 d12288\n",
		"percpu: 58 4K pages/cpu s217088 r8192 d12288 u4096\n",
		"pcpu-alloc: s202200 r0 d31272 u1048576 alloc=1x2097152\n",
		"pcpu-alloc: s202200 r0 d31272 u1048576 alloc=1*0\n",
		"pcpu-alloc: s202200 d31272 u1048576 alloc=1*2097152\n",
		"pcpu-alloc: 0 1 [0]\n",		/* CPU before a group */
		"pcpu-alloc: [0] 0 1 [0]\n",	/* a group with no unit */
		"pcpu-alloc: [1] 0 [0] 1\n",	/* groups going back */
		"pcpu-alloc: [0] 0 0\n",		/* one CPU twice */
		"pcpu-alloc: [0] 0 a1\n",
		"pcpu-alloc: [x] 0\n",
		"setup_percpu: NR_CPUS:256 nr_cpumask_bits:two\n",
		"setup_percpu: NR_CPUS:256 NR_CPUS:512\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pcpu_kfacts *kf = parse(bad[i], -EBADMSG);

		assert_int_equal(kf->malformed, 1);
		assert_int_equal(kf->known, 0);
		assert_true(strstr(kf->note, "does not parse") != NULL);
		free(kf);
	}
}

/* A bad line among good ones leaves only its own facts unknown. */
static void test_partly_malformed(void **state)
{
	static const char log[] =
		"[    0.069733] setup_percpu: NR_CPUS:256 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1\n"
		"[    0.072053] percpu: Embedded 57 pages/cpu s202200 r0 dXX u1048576\n"
		"[    0.072060] pcpu-alloc: [0] 0 1 \n";
	struct pcpu_kfacts *kf = parse(log, 0);

	assert_int_equal(kf->malformed, 1);
	assert_unknown(kf, PCPU_KF_STATIC);
	assert_false(pcpu_kfacts_known(kf, PCPU_KF_ALLOCATOR));
	assert_int_equal(get(kf, PCPU_KF_NR_CPUS), 256);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 2);
	free(kf);
}

/* The reader's buffer ended mid-line: that line is not trusted. */
static void test_truncated(void **state)
{
	static const char log[] =
		"[    0.069733] setup_percpu: NR_CPUS:256 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1\n"
		"[    0.072053] percpu: Embedded 57 pages/cpu s2022";
	struct pcpu_kfacts *kf = parse(log, 0);
	size_t cut;

	assert_int_equal(kf->truncated, 1);
	assert_unknown(kf, PCPU_KF_STATIC);
	assert_int_equal(get(kf, PCPU_KF_NR_CPUS), 256);
	free(kf);

	/* every prefix of a real log parses without error or overrun */
	for (cut = 0; cut <= sizeof(skx144) - 1; cut++) {
		struct pcpu_kfacts *k = malloc(sizeof(*k));
		int r;

		assert_non_null(k);
		pcpu_kfacts_init(k);
		r = pcpu_kfacts_parse_log(k, skx144, cut);
		assert_true(r == 0 || r == -ENOENT);
		assert_int_equal(k->malformed, 0);
		assert_true(k->truncated <= 1);
		free(k);
	}
}

/* Two lines that disagree: the first value stays, the conflict is said. */
static void test_inconsistent(void **state)
{
	static const char log[] =
		"percpu: Embedded 57 pages/cpu s202200 r0 d31272 u1048576\n"
		"pcpu-alloc: s202200 r8192 d31272 u1048576 alloc=1*2097152\n";
	struct pcpu_kfacts *kf = parse(log, 0);

	assert_int_equal(kf->inconsistent, 1);
	assert_int_equal(get(kf, PCPU_KF_RESERVED), 0);
	assert_true(strstr(kf->note, "disagrees") != NULL);
	free(kf);
}

/* Two boots in one syslog: the last is the running kernel. */
static void test_two_boots(void **state)
{
	char *log = malloc(sizeof(lkp4node) + sizeof(vm618));
	struct pcpu_kfacts *kf;

	assert_non_null(log);
	strcpy(log, lkp4node);
	strcat(log, vm618);
	kf = parse(log, 0);
	assert_clean(kf);
	assert_int_equal(kf->boots, 2);
	assert_int_equal(get(kf, PCPU_KF_NR_CPU_IDS), 2);
	assert_int_equal(get(kf, PCPU_KF_NR_UNITS), 2);
	assert_int_equal(get(kf, PCPU_KF_UNIT), 1048576);
	free(kf);
	free(log);
}

static void test_meminfo(void **state)
{
	static const char mi[] =
		"MemTotal:       24598392 kB\n"
		"VmallocChunk:          0 kB\n"
		"Percpu:              744 kB\n"
		"HardwareCorrupted:     0 kB\n";
	struct pcpu_kfacts *kf = malloc(sizeof(*kf));

	assert_non_null(kf);
	pcpu_kfacts_init(kf);
	assert_int_equal(pcpu_kfacts_parse_meminfo(kf, mi, sizeof(mi) - 1), 0);
	assert_int_equal(get(kf, PCPU_KF_MEMINFO_PERCPU), 744 * 1024);
	pcpu_kfacts_init(kf);
	assert_int_equal(pcpu_kfacts_parse_meminfo(kf, mi, 40), -ENOENT);
	assert_int_equal(pcpu_kfacts_parse_meminfo(kf, "Percpu: lots\n", 13),
			 -EBADMSG);
	assert_unknown(kf, PCPU_KF_MEMINFO_PERCPU);
	free(kf);
}

static void test_bad_args(void **state)
{
	struct pcpu_kfacts *kf = malloc(sizeof(*kf));
	unsigned long long v;

	assert_non_null(kf);
	pcpu_kfacts_init(kf);
	assert_int_equal(pcpu_kfacts_parse_log(NULL, "x\n", 2), -EINVAL);
	assert_int_equal(pcpu_kfacts_parse_log(kf, NULL, 2), -EINVAL);
	assert_int_equal(pcpu_kfacts_parse_log(kf, NULL, 0), -ENOENT);
	assert_int_equal(pcpu_kfacts_parse_meminfo(NULL, "", 0), -EINVAL);
	assert_int_equal(pcpu_kfacts_parse_cmdline(NULL, "", 0), -EINVAL);
	assert_int_equal(pcpu_kfacts_get(kf, PCPU_KF_NR_FIELDS, &v), -EINVAL);
	assert_int_equal(pcpu_kfacts_get(kf, PCPU_KF_STATIC, NULL), -EINVAL);
	assert_int_equal(pcpu_kfacts_group_of(kf, -1), -EINVAL);
	assert_int_equal(pcpu_kfacts_group_of(kf, 0), -ENOENT);
	assert_null(pcpu_kfacts_field_name(PCPU_KF_NR_FIELDS));
	assert_string_equal(pcpu_kfacts_field_name(PCPU_KF_RESERVED), "reserved_size");
	assert_string_equal(pcpu_kfacts_field_unit(PCPU_KF_RESERVED), "bytes");
	assert_non_null(pcpu_kfacts_field_what(PCPU_KF_UNIT));
	assert_string_equal(pcpu_kfacts_alloc_name(PCPU_KF_NR_ALLOCS), "unknown");
	assert_int_equal(pcpu_kfacts_parse_cmdline(kf, "percpu_alloc= x", 15), -EBADMSG);
	free(kf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_618_dmesg),
		cmocka_unit_test(test_vm_618_kmsg),
		cmocka_unit_test(test_guest_61_two_nodes),
		cmocka_unit_test(test_guest_61_page),
		cmocka_unit_test(test_guest_61_ten_cpus),
		cmocka_unit_test(test_lkp_4node_empty_units),
		cmocka_unit_test(test_skx_144_three_digits),
		cmocka_unit_test(test_arm64),
		cmocka_unit_test(test_page_4node),
		cmocka_unit_test(test_fallback_1536),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_numa_2node_and_ppc64),
		cmocka_unit_test(test_2630_formats),
		cmocka_unit_test(test_no_lines),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_partly_malformed),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_inconsistent),
		cmocka_unit_test(test_two_boots),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
