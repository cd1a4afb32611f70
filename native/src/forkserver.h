// `berth-helper forkserver`: makes shims on request, so a daemon never forks itself (forkserver.c).
#ifndef BERTH_FORKSERVER_H
#define BERTH_FORKSERVER_H

int forkserver_main(const char *socket_path);

#endif
