/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cid.h - the rseq facts behind the cid strategies (bench/cid-facts.c),
 * probed once per process, for `info`, every result's metadata and the
 * commands that read mm_cid.
 */
#ifndef PCPUBENCH_CID_H
#define PCPUBENCH_CID_H

#include "pcpu-cid.h"
#include "pcpu-out.h"

/*
 * Test hook, read here and nowhere else: PCPU_RSEQ_FEATURE_SIZE=N makes
 * the probe take N as the kernel's rseq feature size (20: the path of a
 * kernel without mm_cid, such as the guest's 6.1).
 */
#define BC_RSEQ_FEATURE_SIZE_ENV "PCPU_RSEQ_FEATURE_SIZE"

/* The facts (probed on the first call; the calling thread is set up). */
const struct pcpu_cid_facts *bc_cid_facts(void);
/* Kernel release (uname -r). */
const char *bc_cid_kernel(void);
/* "glibc", "self" or "na:<reason>": the mm_cid status of this process. */
const char *bc_cid_status(char *buf, size_t len);
/* The facts as metadata keys of @o (rseq_*, kernel_release). */
void bc_cid_meta(struct pout *o);

/*
 * bc_cid_access_na() - whether `access --cpuid cid` can run over @rt: the
 * id must be readable and every id it can take (below the allowed CPUs)
 * have a unit in @rt: those missing are brought online now (a cid
 * table's first use). Return: false; true with "na:..." in @buf.
 */
bool bc_cid_access_na(struct pcpu_rt *rt, char *buf, size_t len);

#endif
