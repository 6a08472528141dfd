/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-version.h - what this build is: git revision (with -dirty when the
 * tree had uncommitted changes), compiler, flags. Defined in the
 * build/version.c that make regenerates whenever one of them changes.
 */
#ifndef PCPU_VERSION_H
#define PCPU_VERSION_H

extern const char pcpu_version_rev[];
extern const char pcpu_version_cc[];
extern const char pcpu_version_flags[];

#define PCPU_GIT_REV pcpu_version_rev
#define PCPU_CC_VERSION pcpu_version_cc
#define PCPU_BUILD_FLAGS pcpu_version_flags

#endif
