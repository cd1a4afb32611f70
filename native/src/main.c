// berth-helper: `shim` runs a container from a plan on fd 3 and stays as its shim (docs/helper-protocol.md);
// `version` prints the version.
#include <stdio.h>
#include <string.h>

#include "shim.h"

#ifndef BERTH_HELPER_VERSION
#define BERTH_HELPER_VERSION "0.1.0"
#endif

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "shim") == 0)
		return shim_main();
	if (argc == 2 && strcmp(argv[1], "version") == 0) {
		printf("berth-helper %s\n", BERTH_HELPER_VERSION);
		return 0;
	}
	fprintf(stderr, "usage: berth-helper shim|version\n");
	return 2;
}
