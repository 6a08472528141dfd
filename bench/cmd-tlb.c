// SPDX-License-Identifier: GPL-2.0
/* cmd-tlb.c - placeholder until the tlb command lands. */
#include <stdio.h>

#include "pcpubench.h"

int cmd_tlb(int argc, char **argv)
{
	fprintf(stderr, "pcpubench tlb: not implemented yet\n");
	return EXIT_SKIP;
}
