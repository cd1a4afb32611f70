// The init plan: opcodes mirror `Opcode` in src/runtime/plan/ops.ts exactly; docs/helper-protocol.md is the spec.
#ifndef BERTH_PLAN_H
#define BERTH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum plan_op {
	// shim ops: configuration, applied by the shim before clone
	PLAN_STDIO = 1,
	PLAN_LOG = 2,
	PLAN_SOCKET = 3,
	PLAN_EXIT_FILE = 4,
	PLAN_CONSOLE_SOCKET = 5,
	PLAN_OOM_COUNTER = 6,
	PLAN_CGROUP_PROCS = 7,
	PLAN_UID_MAP = 8,
	PLAN_GID_MAP = 9,
	PLAN_JOIN_PID_NS = 10,
	PLAN_CLONE = 11,
	PLAN_START_GATE = 12,
	PLAN_ADOPT = 13,
	PLAN_JOIN_NET_NS = 14,
	// child ops: run in order by the container child
	PLAN_SETNS = 32,
	PLAN_UNSHARE = 33,
	PLAN_MOUNT = 34,
	PLAN_ROOT_PROPAGATION = 35,
	PLAN_ROOTFS = 36,
	PLAN_MKNOD = 37,
	PLAN_SYMLINK = 38,
	PLAN_MKDIR = 39,
	PLAN_PIVOT_ROOT = 40,
	PLAN_MASK = 41,
	PLAN_READONLY = 42,
	PLAN_SYSCTL = 44,
	PLAN_HOSTNAME = 45,
	PLAN_DOMAINNAME = 46,
	PLAN_RLIMIT = 47,
	PLAN_OOM_SCORE_ADJ = 48,
	PLAN_CAP_BOUNDING = 49,
	PLAN_USER = 50,
	PLAN_CAPS = 51,
	PLAN_CAP_AMBIENT = 52,
	PLAN_NO_NEW_PRIVS = 53,
	PLAN_SECCOMP = 54,
	PLAN_CHDIR = 55,
	PLAN_CONSOLE = 56,
	PLAN_ENV = 57,
	PLAN_EXEC = 59,
	PLAN_LOOPBACK = 60,
};

#define PLAN_FIRST_CHILD_OP 32
#define PLAN_MAX_BYTES (64u << 20)

// One op. argv[argc] is NULL, each argv[i] is NUL-terminated (and 8-byte aligned); len[i] is its wire length, for
// the one binary argument (SECCOMP's program). `code` is the raw opcode, for plans of other kinds (netplan.h).
struct plan_step {
	union {
		enum plan_op op;
		uint32_t code;
	};
	uint32_t argc;
	char **argv;
	uint32_t *len;
};

// The ops one kind of plan accepts; the same wire format carries the init plan and the network plan (netplan.h).
struct plan_op_spec {
	uint32_t code;
	const char *name;
	int16_t min_args, max_args; // max -1: any number
};

struct plan {
	struct plan_step *steps;
	size_t n;
};

struct plan_spec {
	const struct plan_op_spec *ops;
	size_t n;
	uint32_t binary_op; // the one op whose arguments may hold NUL bytes (SECCOMP's program), 0 for none
	int (*check)(const struct plan *p, struct berr *e); // whole-plan rules after parsing, may be NULL
};

extern const struct plan_spec init_plan_spec;

int plan_read_spec(const struct plan_spec *spec, int fd, struct plan *p, struct berr *e);
int plan_parse_spec(const struct plan_spec *spec, const unsigned char *buf, size_t len, struct plan *p,
		    struct berr *e);
const char *plan_spec_op_name(const struct plan_spec *spec, uint32_t code);

// Read `u32 length` + body from fd and parse it as an init plan. On error e->step is the offending op (or -1); e->err is 0 only
// when fd reached EOF first.
int plan_read(int fd, struct plan *p, struct berr *e);
int plan_parse(const unsigned char *buf, size_t len, struct plan *p, struct berr *e);
void plan_free(struct plan *p);
const char *plan_op_name(enum plan_op op);

// Decimal argument parsers; the message names the op and the argument.
int plan_u64(const struct plan_step *s, uint32_t i, uint64_t *v, struct berr *e);
int plan_i64(const struct plan_step *s, uint32_t i, int64_t *v, struct berr *e);
int parse_u64(const char *s, uint64_t *v);
int parse_i64(const char *s, int64_t *v);

#endif
