// SPDX-License-Identifier: GPL-2.0
/*
 * test-cid.c - the cid id source (lib/runtime/pcpu-cid.c): the
 * registration rule for each case (kernel without mm_cid, glibc's area
 * of size 20, 32 or the extensible ABI's, glibc not registered, an
 * unexpected size); the pair table (only table and shift over vm exist);
 * and, where this kernel has mm_cid, no lost update from threads
 * incrementing a cid-indexed counter in rseq critical sections, every
 * id below the threads and the allowed CPUs.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcpu-cid.h"

static void test_decide(void **state)
{
	char why[200];

	why[0] = '\0';
	assert_int_equal(pcpu_cid_decide(0, true, 20, why, sizeof(why)),
			 PCPU_CID_REG_NONE);
	assert_non_null(strstr(why, "6.3"));
	assert_int_equal(pcpu_cid_decide(20, true, 20, why, sizeof(why)),
			 PCPU_CID_REG_NONE);
	assert_non_null(strstr(why, "20"));
	assert_int_equal(pcpu_cid_decide(27, false, 0, why, sizeof(why)),
			 PCPU_CID_REG_NONE);
	/* glibc 2.35-2.39: 32-byte area, __rseq_size 20 (or 32) */
	assert_int_equal(pcpu_cid_decide(28, true, 20, why, sizeof(why)),
			 PCPU_CID_REG_GLIBC);
	assert_int_equal(pcpu_cid_decide(28, true, 32, why, sizeof(why)),
			 PCPU_CID_REG_GLIBC);
	/* extensible ABI: the size covers mm_cid */
	assert_int_equal(pcpu_cid_decide(33, true, 33, why, sizeof(why)),
			 PCPU_CID_REG_GLIBC);
	assert_int_equal(pcpu_cid_decide(28, true, 28, why, sizeof(why)),
			 PCPU_CID_REG_GLIBC);
	/* glibc did not register (glibc.pthread.rseq=0): register here */
	assert_int_equal(pcpu_cid_decide(28, false, 0, why, sizeof(why)),
			 PCPU_CID_REG_SELF);
	/* a size that is neither */
	why[0] = '\0';
	assert_int_equal(pcpu_cid_decide(28, true, 24, why, sizeof(why)),
			 PCPU_CID_REG_NONE);
	assert_non_null(strstr(why, "24"));
}

static void test_probe_given(void **state)
{
	struct pcpu_cid_facts f;

	assert_int_equal(pcpu_cid_probe(NULL, -1), -EINVAL);
	assert_int_equal(pcpu_cid_probe(&f, 20), 0);
	assert_true(f.feature_size_given);
	assert_int_equal(f.reg, PCPU_CID_REG_NONE);
	assert_false(pcpu_cid_usable);
	assert_non_null(pcpu_cid_unavailable());
	assert_non_null(strstr(pcpu_cid_unavailable(), "20"));
	assert_int_equal(pcpu_cid_thread_init(), -ENOTSUP);
}

static void test_pairs(void **state)
{
	unsigned a, l, s, valid = 0;

	for (a = 0; a < PCPU_NR_ACCESSES; a++) {
		for (l = PCPU_L_DEFAULT + 1; l < PCPU_NR_LAYOUTS; l++) {
			const char *w = pcpu_cid_pair_invalid(a, l);

			if (w)
				continue;
			valid++;
			/* a cid pair is a runtime pair whose method takes an
			 * id (never segment or tls, which have none) */
			assert_null(pcpu_pair_invalid(a, l));
			assert_true(a != PCPU_A_SEGMENT && a != PCPU_A_TLS);
		}
	}
	/* Of today's layouts only vm, under table and shift: the others
	 * commit every possible unit (embed, page), place units by CPU
	 * (hybrid) or per thread (thread). A layout or method added
	 * later is judged by the rules above, not by this list. */
	for (a = 0; a < PCPU_NR_ACCESSES; a++) {
		static const enum pcpu_layout_id today[] = {
			PCPU_L_EMBED, PCPU_L_PAGE, PCPU_L_VM, PCPU_L_HYBRID,
			PCPU_L_THREAD,
		};
		size_t i;

		for (i = 0; i < sizeof(today) / sizeof(today[0]); i++) {
			bool ok = today[i] == PCPU_L_VM &&
				  (a == PCPU_A_TABLE || a == PCPU_A_SHIFT);

			assert_int_equal(pcpu_cid_pair_invalid(a, today[i]) == NULL,
					 ok);
		}
	}
	assert_true(valid >= 2);
	for (s = 0; s < PCPU_NR_CID_STRATEGIES; s++) {
		enum pcpu_cid_strategy_id id = s, back;

		/* each strategy is a valid pair for cid and for the runtime */
		assert_null(pcpu_cid_pair_invalid(pcpu_cid_strategy_access(id),
						  pcpu_cid_strategy_layout(id)));
		assert_null(pcpu_pair_invalid(pcpu_cid_strategy_access(id),
					      pcpu_cid_strategy_layout(id)));
		assert_int_equal(pcpu_cid_strategy_lookup(
			pcpu_cid_strategy_name(id), &back), 0);
		assert_int_equal(back, id);
	}
	assert_int_equal(pcpu_cid_strategy_lookup("segment", &(enum pcpu_cid_strategy_id){ 0 }),
			 -ENOENT);
}

struct worker {
	struct pcpu_cid_rt *c;
	pcpu_off_t off;
	uint64_t done;
	unsigned max_id;
	int err;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned i;

	w->err = pcpu_cid_thread_init();
	for (i = 0; !w->err && i < 200000; i++) {
		unsigned id = pcpu_cid_read();

		if (id > w->max_id)
			w->max_id = id;
		w->err = pcpu_cid_inc(w->c, w->off, NULL, NULL);
		w->done += !w->err;
	}
	pcpu_cid_thread_exit();
	return NULL;
}

/* Four threads per strategy (more than CPUs here): no update lost. */
static void test_no_lost_update(void **state)
{
	struct pcpu_cid_facts f;
	cpu_set_t allowed;
	unsigned s, ncpu;

	assert_int_equal(pcpu_cid_probe(&f, -1), 0);
	if (f.reg == PCPU_CID_REG_NONE || pcpu_cid_unavailable())
		skip();		/* the NA path is test_probe_given */
	assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	ncpu = (unsigned)CPU_COUNT(&allowed);
	for (s = 0; s < PCPU_NR_CID_STRATEGIES; s++) {
		struct worker w[4];
		pthread_t th[4];
		struct pcpu_cid_rt *c;
		uint64_t sum = 0, done = 0;
		char err[256];
		pcpu_off_t off;
		unsigned i;

		assert_int_equal(pcpu_cid_rt_init(&c, s, "64", err, sizeof(err)), 0);
		assert_int_equal(pcpu_alloc(pcpu_cid_rt_rt(c), 8, 8, NULL, true,
					    &off), 0);
		for (i = 0; i < 4; i++) {
			w[i] = (struct worker){ .c = c, .off = off };
			assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
		}
		for (i = 0; i < 4; i++) {
			assert_int_equal(pthread_join(th[i], NULL), 0);
			assert_int_equal(w[i].err, 0);
			done += w[i].done;
			if (pcpu_cid_strategy_index(s) == PCPU_CIDX_CID)
				/* below min(threads, allowed CPUs); the main
				 * thread counts among the threads */
				assert_true(w[i].max_id < (ncpu < 5 ? ncpu : 5));
		}
		assert_int_equal(pcpu_counter_sum(pcpu_cid_rt_rt(c), off, &sum), 0);
		assert_int_equal(done, 4 * 200000);
		assert_int_equal(sum, done);
		assert_true(pcpu_cid_units(c) >= 1);
		if (pcpu_cid_strategy_index(s) == PCPU_CIDX_CID)
			assert_true(pcpu_cid_span(c) <= ncpu);
		pcpu_cid_rt_fini(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_probe_given),
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_no_lost_update),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
