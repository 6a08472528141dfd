/* SPDX-License-Identifier: GPL-2.0 */
/*
 * numa-matrix.h - the node x node access latency matrix of `pcpubench
 * numa` (bench/numa-matrix.c).
 */
#ifndef NUMA_MATRIX_H
#define NUMA_MATRIX_H

#include <stddef.h>

#include "pcpu.h"
#include "pcpu-out.h"

/* The parameter columns of bench numa (cmd-numa.c's numa_params). */
#define NUMA_NPV 7

/*
 * numa_matrix() - the matrix rows (phase matrix) over a copy of @cfg: for
 * each node i with a CPU and each node j, a dependent chain through a
 * vm-area unit of @bytes placed on node j walked from a CPU of node i;
 * @matrix 1 on, 0 off, -1 auto (more than one node). Off, one node or a
 * failure: one latency_ns row NA with the reason.
 */
void numa_matrix(struct pout *out, const struct pcpu_config *cfg, int matrix,
		 size_t bytes);

#endif
