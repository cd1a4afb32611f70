// One error struct for the whole helper: the plan step that failed, its errno and a one-line message naming the
// syscall and the path (crun's libcrun_error_t, much reduced).
#ifndef BERTH_ERROR_H
#define BERTH_ERROR_H

struct berr {
	int step; // index into the plan, -1 when no step is to blame
	int err;  // errno, 0 when not an errno
	char msg[480];
};

// Both return -1 so callers can write `return berr_sys(e, "mount(%s)", path);`.
// berr_sys records errno and appends ": strerror(errno)".
int berr_sys(struct berr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// berr_set records `err` and uses the message as is.
int berr_set(struct berr *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
