// Parser of the plan's wire format (u32le total, then per op: u32le opcode, u32le argc, argc x (u32le len, bytes)).
// Everything lands in one allocation: the step array, the argv arrays, the lengths and the NUL-terminated copies.
#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"

static const struct plan_op_spec ops[] = {
	{PLAN_STDIO, "STDIO", 2, 2},
	{PLAN_LOG, "LOG", 3, 3},
	{PLAN_SOCKET, "SOCKET", 1, 1},
	{PLAN_EXIT_FILE, "EXIT_FILE", 1, 1},
	{PLAN_CONSOLE_SOCKET, "CONSOLE_SOCKET", 1, 1},
	{PLAN_OOM_COUNTER, "OOM_COUNTER", 2, 2},
	{PLAN_CGROUP_PROCS, "CGROUP_PROCS", 1, 1},
	{PLAN_UID_MAP, "UID_MAP", 1, 1},
	{PLAN_GID_MAP, "GID_MAP", 1, 1},
	{PLAN_JOIN_PID_NS, "JOIN_PID_NS", 1, 1},
	{PLAN_CLONE, "CLONE", 1, 1},
	{PLAN_START_GATE, "START_GATE", 0, 0},
	{PLAN_ADOPT, "ADOPT", 3, 3},
	{PLAN_JOIN_NET_NS, "JOIN_NET_NS", 1, 1},
	{PLAN_SETNS, "SETNS", 2, 2},
	{PLAN_UNSHARE, "UNSHARE", 1, 1},
	{PLAN_MOUNT, "MOUNT", 6, 6},
	{PLAN_ROOT_PROPAGATION, "ROOT_PROPAGATION", 1, 1},
	{PLAN_ROOTFS, "ROOTFS", 1, 1},
	{PLAN_MKNOD, "MKNOD", 6, 6},
	{PLAN_SYMLINK, "SYMLINK", 2, 2},
	{PLAN_MKDIR, "MKDIR", 2, 2},
	{PLAN_PIVOT_ROOT, "PIVOT_ROOT", 0, 0},
	{PLAN_MASK, "MASK", 1, 1},
	{PLAN_READONLY, "READONLY", 1, 1},
	{PLAN_SYSCTL, "SYSCTL", 2, 2},
	{PLAN_HOSTNAME, "HOSTNAME", 1, 1},
	{PLAN_DOMAINNAME, "DOMAINNAME", 1, 1},
	{PLAN_RLIMIT, "RLIMIT", 3, 3},
	{PLAN_OOM_SCORE_ADJ, "OOM_SCORE_ADJ", 1, 1},
	{PLAN_CAP_BOUNDING, "CAP_BOUNDING", 1, 1},
	{PLAN_USER, "USER", 3, 3},
	{PLAN_CAPS, "CAPS", 3, 3},
	{PLAN_CAP_AMBIENT, "CAP_AMBIENT", 1, 1},
	{PLAN_NO_NEW_PRIVS, "NO_NEW_PRIVS", 0, 0},
	{PLAN_SECCOMP, "SECCOMP", 2, 2},
	{PLAN_CHDIR, "CHDIR", 1, 1},
	{PLAN_CONSOLE, "CONSOLE", 2, 2},
	{PLAN_ENV, "ENV", 0, -1},
	{PLAN_EXEC, "EXEC", 1, -1},
	{PLAN_LOOPBACK, "LOOPBACK", 0, 0},
};

// The init plan must end with its EXEC, and have no other.
static int check_init_plan(const struct plan *p, struct berr *e)
{
	for (size_t i = 0; i + 1 < p->n; i++)
		if (p->steps[i].op == PLAN_EXEC) {
			e->step = (int)i;
			return berr_set(e, EINVAL, "plan: EXEC must be the last op");
		}
	e->step = -1;
	if (p->n == 0 || p->steps[p->n - 1].op != PLAN_EXEC)
		return berr_set(e, EINVAL, "plan: no EXEC op");
	return 0;
}

const struct plan_spec init_plan_spec = {ops, sizeof ops / sizeof ops[0], PLAN_SECCOMP, check_init_plan};

static const struct plan_op_spec *op_spec(const struct plan_spec *spec, uint32_t code)
{
	for (size_t i = 0; i < spec->n; i++)
		if (spec->ops[i].code == code)
			return &spec->ops[i];
	return NULL;
}

const char *plan_spec_op_name(const struct plan_spec *spec, uint32_t code)
{
	const struct plan_op_spec *o = op_spec(spec, code);
	return o ? o->name : "UNKNOWN";
}

const char *plan_op_name(enum plan_op op)
{
	return plan_spec_op_name(&init_plan_spec, op);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

// A cursor over the wire bytes; every read is bounds-checked.
struct cursor {
	const unsigned char *p, *end;
};

static int take_u32(struct cursor *c, uint32_t *v)
{
	if (c->end - c->p < 4)
		return -1;
	*v = get_u32(c->p);
	c->p += 4;
	return 0;
}

// Pass 1 (fill == NULL): validate and size. Pass 2: copy into the arena.
struct sizes {
	size_t ops, args, bytes;
};

static int walk(const struct plan_spec *spec, const unsigned char *buf, size_t len, struct sizes *sz,
		struct plan *fill, char *arena, struct berr *e)
{
	struct cursor c = {buf, buf + len};
	char **ptrs = NULL;
	uint32_t *lens = NULL;
	char *strs = NULL;
	if (fill) {
		ptrs = (char **)(arena + align8(sz->ops * sizeof(struct plan_step)));
		lens = (uint32_t *)((char *)ptrs + (sz->args + sz->ops) * sizeof(char *));
		strs = (char *)lens + align8(sz->args * sizeof(uint32_t));
	}
	size_t n = 0;
	while (c.p < c.end) {
		e->step = (int)n;
		uint32_t code, argc;
		if (take_u32(&c, &code) < 0 || take_u32(&c, &argc) < 0)
			return berr_set(e, EINVAL, "plan: truncated op header");
		const struct plan_op_spec *info = op_spec(spec, code);
		if (!info)
			return berr_set(e, EINVAL, "plan: unknown opcode %u", code);
		if ((int64_t)argc < info->min_args || (info->max_args >= 0 && argc > (uint32_t)info->max_args))
			return berr_set(e, EINVAL, "plan: %s takes %s%d argument(s), got %u", info->name,
					info->max_args < 0 ? "at least " : "", info->min_args, argc);
		if (fill) {
			struct plan_step *s = &fill->steps[n];
			s->code = info->code;
			s->argc = argc;
			s->argv = ptrs;
			s->len = lens;
		}
		for (uint32_t i = 0; i < argc; i++) {
			uint32_t alen;
			if (take_u32(&c, &alen) < 0 || (size_t)(c.end - c.p) < alen)
				return berr_set(e, EINVAL, "plan: %s: truncated argument %u", info->name, i);
			// Only binary arguments (SECCOMP's program) may hold a NUL; elsewhere it would silently cut a path short.
			if (info->code != spec->binary_op && memchr(c.p, 0, alen))
				return berr_set(e, EINVAL, "plan: %s: argument %u contains a NUL byte", info->name, i);
			if (fill) {
				memcpy(strs, c.p, alen);
				strs[alen] = '\0';
				*ptrs++ = strs;
				*lens++ = alen;
				strs += align8((size_t)alen + 1);
			} else {
				sz->args++;
				sz->bytes += align8((size_t)alen + 1);
			}
			c.p += alen;
		}
		if (fill)
			*ptrs++ = NULL;
		n++;
	}
	if (!fill)
		sz->ops = n;
	e->step = -1;
	return 0;
}

int plan_parse_spec(const struct plan_spec *spec, const unsigned char *buf, size_t len, struct plan *p,
		    struct berr *e)
{
	struct sizes sz = {0, 0, 0};
	if (walk(spec, buf, len, &sz, NULL, NULL, e) < 0)
		return -1;
	size_t total = align8(sz.ops * sizeof(struct plan_step)) + (sz.args + sz.ops) * sizeof(char *) +
		       align8(sz.args * sizeof(uint32_t)) + sz.bytes;
	char *arena = malloc(total);
	if (!arena)
		return berr_sys(e, "plan: malloc(%zu)", total);
	p->steps = (struct plan_step *)arena;
	p->n = sz.ops;
	if (walk(spec, buf, len, &sz, p, arena, e) < 0 || (spec->check && spec->check(p, e) < 0)) {
		plan_free(p);
		return -1;
	}
	return 0;
}

int plan_parse(const unsigned char *buf, size_t len, struct plan *p, struct berr *e)
{
	return plan_parse_spec(&init_plan_spec, buf, len, p, e);
}

int plan_read_spec(const struct plan_spec *spec, int fd, struct plan *p, struct berr *e)
{
	unsigned char hdr[4];
	e->step = -1;
	// EOF (read_exact leaves errno 0) means the launcher went away: err 0 tells the caller not to answer.
	if (read_exact(fd, hdr, sizeof hdr) < 0)
		return errno ? berr_sys(e, "plan: read length") : berr_set(e, 0, "plan: fd %d closed", fd);
	uint32_t len = get_u32(hdr);
	if (len > PLAN_MAX_BYTES)
		return berr_set(e, EINVAL, "plan: %u bytes is too large", len);
	cleanup_free unsigned char *buf = malloc(len ? len : 1);
	if (!buf)
		return berr_sys(e, "plan: malloc(%u)", len);
	if (read_exact(fd, buf, len) < 0)
		return errno ? berr_sys(e, "plan: read %u bytes", len) : berr_set(e, 0, "plan: fd %d closed", fd);
	return plan_parse_spec(spec, buf, len, p, e);
}

int plan_read(int fd, struct plan *p, struct berr *e)
{
	return plan_read_spec(&init_plan_spec, fd, p, e);
}

void plan_free(struct plan *p)
{
	free(p->steps);
	p->steps = NULL;
	p->n = 0;
}

int parse_u64(const char *s, uint64_t *v)
{
	if (*s == '\0')
		return -1;
	uint64_t r = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (r > (UINT64_MAX - d) / 10)
			return -1;
		r = r * 10 + d;
	}
	*v = r;
	return 0;
}

int parse_i64(const char *s, int64_t *v)
{
	int neg = *s == '-';
	uint64_t u;
	if (parse_u64(s + neg, &u) < 0 || u > (uint64_t)INT64_MAX + (uint64_t)neg)
		return -1;
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

int plan_u64(const struct plan_step *s, uint32_t i, uint64_t *v, struct berr *e)
{
	if (parse_u64(s->argv[i], v) < 0)
		return berr_set(e, EINVAL, "plan: %s argument %u: invalid number \"%s\"", plan_op_name(s->op), i,
				s->argv[i]);
	return 0;
}

int plan_i64(const struct plan_step *s, uint32_t i, int64_t *v, struct berr *e)
{
	if (parse_i64(s->argv[i], v) < 0)
		return berr_set(e, EINVAL, "plan: %s argument %u: invalid number \"%s\"", plan_op_name(s->op), i,
				s->argv[i]);
	return 0;
}
