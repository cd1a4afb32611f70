// Docker's json-file log writer. The escaping follows moby's jsonlog (ffjsonWriteJSONBytesAsString): \n and \r
// short, other control characters and < > & as \u00XX, invalid UTF-8 as \ufffd, U+2028/U+2029 escaped.
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"

// A tiny buffered writer that can also just count, so the size of an entry is known before it is written.
struct writer {
	int fd; // -1: count only
	uint64_t count;
	size_t len;
	char buf[8192];
};

static void w_flush(struct writer *w)
{
	if (w->fd >= 0 && w->len > 0)
		write_all(w->fd, w->buf, w->len); // a full disk loses log lines, never the container
	w->len = 0;
}

static void w_put(struct writer *w, const char *s, size_t n)
{
	w->count += n;
	if (w->fd < 0)
		return;
	while (n > 0) {
		if (w->len == sizeof w->buf)
			w_flush(w);
		size_t k = sizeof w->buf - w->len;
		if (k > n)
			k = n;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
	}
}

// Length of the valid UTF-8 sequence at s (Go's utf8.DecodeRune rules), 0 if invalid.
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		need = 2;
	else if (c < 0xF0) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		if (c == 0xED)
			hi = 0x9F;
	} else if (c < 0xF5) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need;
}

static void w_json_string(struct writer *w, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0, i = 0;
	while (i < n) {
		unsigned char b = s[i];
		if (b < 0x80) {
			if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
				i++;
				continue;
			}
			w_put(w, (const char *)s + start, i - start);
			char esc[6] = {'\\', 'u', '0', '0', hex[b >> 4], hex[b & 15]};
			if (b == '\\' || b == '"') {
				esc[1] = (char)b;
				w_put(w, esc, 2);
			} else if (b == '\n' || b == '\r') {
				esc[1] = b == '\n' ? 'n' : 'r';
				w_put(w, esc, 2);
			} else
				w_put(w, esc, 6);
			start = ++i;
			continue;
		}
		size_t len = utf8_len(s + i, n - i);
		bool sep = len == 3 && s[i] == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9);
		if (len && !sep) {
			i += len;
			continue;
		}
		w_put(w, (const char *)s + start, i - start);
		if (sep)
			w_put(w, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
		else
			w_put(w, "\\ufffd", 6);
		i += len ? len : 1;
		start = i;
	}
	w_put(w, (const char *)s + start, n - start);
}

size_t format_time(char *buf, size_t cap, const struct timespec *ts)
{
	struct tm tm;
	gmtime_r(&ts->tv_sec, &tm);
	int n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (ts->tv_nsec > 0) {
		char frac[24];
		snprintf(frac, sizeof frac, "%09ld", ts->tv_nsec);
		size_t k = 9;
		while (k > 0 && frac[k - 1] == '0')
			k--;
		frac[k] = '\0';
		n += snprintf(buf + n, cap - (size_t)n, ".%s", frac);
	}
	n += snprintf(buf + n, cap - (size_t)n, "Z");
	return (size_t)n;
}

static const char *stream_name[] = {"stdout", "stderr"};

static void w_entry(struct writer *w, enum log_stream_id id, const char *line, size_t len, const char *ts)
{
	w_put(w, "{\"log\":\"", 8);
	w_json_string(w, (const unsigned char *)line, len);
	w_put(w, "\",\"stream\":\"", 12);
	w_put(w, stream_name[id], 6);
	w_put(w, "\",\"time\":\"", 10);
	w_put(w, ts, strlen(ts));
	w_put(w, "\"}\n", 3);
}

static int open_log(const char *path, bool truncate)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0640);
}

// path.N-1 -> path.N ... path -> path.1, keeping max_files-1 old files; with one file, truncate in place.
static void rotate(struct json_log *l)
{
	l->size = 0;
	if (l->max_files <= 1) {
		if (ftruncate(l->fd, 0) < 0)
			l->size = 0; // nothing better to do: keep appending
		return;
	}
	char from[PATH_MAX], to[PATH_MAX];
	for (unsigned i = l->max_files - 1; i > 1; i--) {
		snprintf(from, sizeof from, "%s.%u", l->path, i - 1);
		snprintf(to, sizeof to, "%s.%u", l->path, i);
		rename(from, to); // a missing older file is fine
	}
	snprintf(to, sizeof to, "%s.1", l->path);
	rename(l->path, to);
	close(l->fd);
	l->fd = open_log(l->path, true);
}

static struct writer out; // static: its 8 KiB stay out of the stack and are touched only when a log is written

static void emit(struct json_log *l, enum log_stream_id id, const char *line, size_t len)
{
	if (l->fd < 0)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char ts[48];
	format_time(ts, sizeof ts, &now);
	if (l->max_size > 0 && l->size > 0) {
		struct writer count = {.fd = -1};
		w_entry(&count, id, line, len, ts);
		if (l->size + count.count > l->max_size)
			rotate(l);
		if (l->fd < 0)
			return;
	}
	out.fd = l->fd;
	out.count = 0;
	out.len = 0;
	w_entry(&out, id, line, len, ts);
	w_flush(&out);
	l->size += out.count;
}

int log_open(struct json_log *l, const char *path, uint64_t max_size, unsigned max_files, struct berr *e)
{
	l->path = path;
	l->max_size = max_size;
	l->max_files = max_files ? max_files : 1;
	l->s[0].len = l->s[1].len = 0;
	l->fd = open_log(path, false);
	if (l->fd < 0)
		return berr_sys(e, "open(%s)", path);
	struct stat st;
	l->size = fstat(l->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

void log_write(struct json_log *l, enum log_stream_id id, const char *data, size_t len)
{
	struct log_stream *s = &l->s[id];
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) + 1 : len;
		if (take > LOG_LINE_MAX - s->len)
			take = LOG_LINE_MAX - s->len;
		memcpy(s->buf + s->len, data, take);
		s->len += take;
		data += take;
		len -= take;
		if (s->buf[s->len - 1] == '\n' || s->len == LOG_LINE_MAX) {
			emit(l, id, s->buf, s->len);
			s->len = 0;
		}
	}
}

void log_flush(struct json_log *l, enum log_stream_id id)
{
	struct log_stream *s = &l->s[id];
	if (s->len > 0)
		emit(l, id, s->buf, s->len);
	s->len = 0;
}

void log_close(struct json_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
