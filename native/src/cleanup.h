// __attribute__((cleanup)) helpers (crun's utils.h habit) so an early return never leaks an fd or a buffer.
#ifndef BERTH_CLEANUP_H
#define BERTH_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno; // the error being returned was recorded before this runs; keep errno intact anyway
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

#define cleanup_fd __attribute__((cleanup(cleanup_closep)))
#define cleanup_free __attribute__((cleanup(cleanup_freep)))

// Hands an fd out of a cleanup_fd variable without closing it.
static inline int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

#endif
