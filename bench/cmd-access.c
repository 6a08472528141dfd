// SPDX-License-Identifier: GPL-2.0
/* cmd-access.c - placeholder until the access command lands. */
#include <stdio.h>

#include "pcpubench.h"

int cmd_access(int argc, char **argv)
{
	fprintf(stderr, "pcpubench access: not implemented yet\n");
	return EXIT_SKIP;
}
