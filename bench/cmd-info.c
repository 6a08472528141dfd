// SPDX-License-Identifier: GPL-2.0
/* cmd-info.c - placeholder until the info command lands. */
#include <stdio.h>

#include "pcpubench.h"

int cmd_info(int argc, char **argv)
{
	fprintf(stderr, "pcpubench info: not implemented yet\n");
	return EXIT_SKIP;
}
