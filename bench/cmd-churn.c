// SPDX-License-Identifier: GPL-2.0
/* cmd-churn.c - placeholder until the churn command lands. */
#include <stdio.h>

#include "pcpubench.h"

int cmd_churn(int argc, char **argv)
{
	fprintf(stderr, "pcpubench churn: not implemented yet\n");
	return EXIT_SKIP;
}
