// berth-helper: `shim` runs a container from a plan on fd 3 and stays as its shim (docs/helper-protocol.md);
// `forkserver <socket>` makes such shims, one per connection, for a daemon;
// `netns-create`, `netns-delete` and `make-private-mount` manage network namespaces pinned on files;
// `idmap-mount` makes idmapped bind mounts of image layers for remapped containers;
// `net` runs a network plan from stdin (netlink, namespaces, sysctls); `version` prints the version.
#include <stdio.h>
#include <string.h>

#include "forkserver.h"
#include "idmap.h"
#include "netns.h"
#include "netplan.h"
#include "shim.h"

#ifndef BERTH_HELPER_VERSION
#define BERTH_HELPER_VERSION "0.1.0"
#endif

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "shim") == 0)
		return shim_main();
	if (argc == 3 && strcmp(argv[1], "forkserver") == 0)
		return forkserver_main(argv[2]);
	if (argc == 3 && strcmp(argv[1], "netns-create") == 0)
		return netns_command(netns_create, argv[2]);
	if (argc == 3 && strcmp(argv[1], "netns-delete") == 0)
		return netns_command(netns_delete, argv[2]);
	if (argc == 3 && strcmp(argv[1], "make-private-mount") == 0)
		return netns_command(make_private_mount, argv[2]);
	if (argc >= 2 && strcmp(argv[1], "idmap-mount") == 0)
		return idmap_mount_main(argc, argv);
	if (argc == 2 && strcmp(argv[1], "net") == 0)
		return net_main();
	if (argc == 2 && strcmp(argv[1], "version") == 0) {
		printf("berth-helper %s\n", BERTH_HELPER_VERSION);
		return 0;
	}
	fprintf(stderr, "usage: berth-helper shim|version|net|forkserver <socket>|netns-create <path>|netns-delete <path>|"
			"make-private-mount <dir>|idmap-mount <uid_map> <gid_map> <src> <dst>...\n");
	return 2;
}
