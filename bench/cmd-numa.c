// SPDX-License-Identifier: GPL-2.0
/* cmd-numa.c - placeholder until the numa command lands. */
#include <stdio.h>

#include "pcpubench.h"

int cmd_numa(int argc, char **argv)
{
	fprintf(stderr, "pcpubench numa: not implemented yet\n");
	return EXIT_SKIP;
}
