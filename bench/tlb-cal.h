/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlb-cal.h - where the program finds the TLB calibration: the
 * environment read here, in the program (PCPU_CALIBRATION, else
 * XDG_CACHE_HOME, else HOME), the path formed by the library
 * (pcpu_tlbcal_path(), lib/toolkit/pcpu-tlb.h), which reads none.
 * Used by tlb (writes it), access and info (read it).
 */
#ifndef PCPU_BENCH_TLB_CAL_H
#define PCPU_BENCH_TLB_CAL_H

#include <stdbool.h>

/**
 * tlbcal_path() - the calibration file's path. Static storage.
 * @cache_default: if not NULL, set when the path is the cache default
 *	(not named by the user: its directory may be created).
 * Return: the path, or NULL when none can be formed (no variable set).
 */
const char *tlbcal_path(bool *cache_default);

/* The user's $PCPU_CALIBRATION, or NULL when unset or empty. */
const char *tlbcal_env(void);

#endif /* PCPU_BENCH_TLB_CAL_H */
