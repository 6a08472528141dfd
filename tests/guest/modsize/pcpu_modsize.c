// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu_modsize.c - a test module whose only per-CPU data is one
 * DEFINE_PER_CPU array of PCPU_MODSIZE bytes: its .data..percpu section,
 * which the module loader allocates from the kernel's module reserve
 * (percpu_modalloc()). modsize-build.sh makes one module per size from
 * this file (pcpu_ms<K>_<N>.c: #define PCPU_MODSIZE N, #include this).
 * Loaded only in the test guest (modsize-tests.sh), one after another
 * until the kernel refuses ("Could not allocate N bytes percpu data").
 * The init fills every possible CPU's copy's first byte and checks the
 * loader copied the template (zeros) into each.
 */
#include <linux/module.h>
#include <linux/percpu.h>

static DEFINE_PER_CPU(char [PCPU_MODSIZE], pcpu_modsize_data);

static int __init pcpu_modsize_init(void)
{
	unsigned int cpu, bad = 0;

	for_each_possible_cpu(cpu) {
		char *p = per_cpu(pcpu_modsize_data, cpu);

		bad += p[0] != 0 || p[PCPU_MODSIZE - 1] != 0;
		p[0] = 1;
	}
	pr_info("pcpu_modsize: %d bytes per CPU at %px, %u copies not zero\n",
		PCPU_MODSIZE, this_cpu_ptr(pcpu_modsize_data), bad);
	return bad ? -EIO : 0;
}

static void __exit pcpu_modsize_exit(void)
{
}

module_init(pcpu_modsize_init);
module_exit(pcpu_modsize_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcpubench test module: a per-CPU array of a chosen size");
