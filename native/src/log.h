// Docker's json-file log: one {"log","stream","time"} object per line, 16 KiB line pieces, size-based rotation.
#ifndef BERTH_LOG_H
#define BERTH_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"

#define LOG_LINE_MAX 16384 // Docker's copier buffer: longer lines are split into pieces this size

enum log_stream_id { LOG_STDOUT = 0, LOG_STDERR = 1 };

struct log_stream {
	size_t len;
	char buf[LOG_LINE_MAX]; // the current unfinished line
};

struct json_log {
	int fd; // -1: no log
	const char *path;
	uint64_t max_size; // 0: unlimited
	unsigned max_files;
	uint64_t size;
	struct log_stream s[2];
};

int log_open(struct json_log *l, const char *path, uint64_t max_size, unsigned max_files, struct berr *e);
// Append container output; complete lines (and full 16 KiB pieces) are written at once.
void log_write(struct json_log *l, enum log_stream_id id, const char *data, size_t len);
// The stream ended: write its unfinished line, if any.
void log_flush(struct json_log *l, enum log_stream_id id);
void log_close(struct json_log *l);
// RFC 3339 UTC with nanoseconds, trailing zeros trimmed (Go's RFC3339Nano). Returns the length.
size_t format_time(char *buf, size_t cap, const struct timespec *ts);

#endif
