/* SPDX-License-Identifier: MIT */
/* Placeholder entry point while the command line is being written. */
#include <stdio.h>

int main(void);

int
main(void)
{
	puts("mmda");
	return 0;
}
