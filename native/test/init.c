/* berth-test-init: a static multi-tool run inside test containers (and, for recvtty, on the host).
 * argv[1] names the tool; each tool is one function. Output formats are part of the test contract:
 * change them only together with the tests that parse them. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Exit codes shared by all tools. */
enum {
  EXIT_OK = 0,
  EXIT_ERR = 1,          /* a syscall failed (message on stderr names it) */
  EXIT_WINCH_TIMEOUT = 2,
  EXIT_SIGNALS_TIMEOUT = 3,
  EXIT_STILL_ALIVE = 4,  /* kill-self: the signal did not kill us (pid 1 without a handler) */
  EXIT_USAGE = 64,
};

#define MIB (1024 * 1024)

static const char *errname(int err) {
  const char *name = strerrorname_np(err);
  static char buf[16];
  if (name != NULL) return name;
  snprintf(buf, sizeof buf, "E%d", err);
  return buf;
}

/* "SIGTERM" for 15; "SIG<n>" for numbers without an abbreviation (e.g. real-time signals). */
static const char *signame(int sig) {
  static char buf[24];
  const char *abbrev = sigabbrev_np(sig);
  if (abbrev != NULL) snprintf(buf, sizeof buf, "SIG%s", abbrev);
  else snprintf(buf, sizeof buf, "SIG%d", sig);
  return buf;
}

static int fail(const char *what, const char *arg) {
  int err = errno;
  if (arg != NULL) fprintf(stderr, "berth-test-init: %s %s: %s (%s)\n", what, arg, strerror(err), errname(err));
  else fprintf(stderr, "berth-test-init: %s: %s (%s)\n", what, strerror(err), errname(err));
  return EXIT_ERR;
}

static int usage(const char *msg) {
  fprintf(stderr, "berth-test-init: usage: %s\n", msg);
  return EXIT_USAGE;
}

/* Parses a non-negative decimal integer; -1 on junk. */
static long parse_count(const char *s) {
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0) return -1;
  return v;
}

static void sleep_seconds(double seconds) {
  struct timespec ts = {.tv_sec = (time_t)seconds, .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

/* hog <MiB>: allocate and touch memory 1 MiB at a time; prints "allocated N" only when done. */
static int tool_hog(int argc, char **argv) {
  if (argc != 3) return usage("hog <MiB>");
  long mib = parse_count(argv[2]);
  if (mib < 0) return usage("hog <MiB>");
  for (long i = 0; i < mib; i++) {
    char *p = malloc(MIB);
    if (p == NULL) return fail("malloc", NULL);
    memset(p, 0xa5, MIB);
  }
  printf("allocated %ld\n", mib);
  return EXIT_OK;
}

/* forkbomb <n>: fork up to n sleepers; prints "forked K failed E" (E = errno name of the first failed fork,
 * or "none"), then kills and reaps them. */
static int tool_forkbomb(int argc, char **argv) {
  if (argc != 3) return usage("forkbomb <n>");
  long n = parse_count(argv[2]);
  if (n < 0) return usage("forkbomb <n>");
  pid_t *kids = calloc((size_t)n + 1, sizeof *kids);
  if (kids == NULL) return fail("calloc", NULL);
  fflush(NULL);
  long forked = 0;
  int first_err = 0;
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      first_err = errno;
      break;
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the parent, even if it is killed mid-way */
      sleep_seconds(30);
      _exit(0);
    }
    kids[forked++] = pid;
  }
  printf("forked %ld failed %s\n", forked, first_err != 0 ? errname(first_err) : "none");
  fflush(stdout);
  for (long i = 0; i < forked; i++) kill(kids[i], SIGKILL);
  for (long i = 0; i < forked; i++) {
    while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR) {
    }
  }
  free(kids);
  return EXIT_OK;
}

/* caps: the capability, NoNewPrivs and Seccomp lines of /proc/self/status, verbatim. */
static int tool_caps(void) {
  static const char *const keys[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:"};
  FILE *f = fopen("/proc/self/status", "re");
  if (f == NULL) return fail("open", "/proc/self/status");
  char line[512];
  while (fgets(line, sizeof line, f) != NULL) {
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
      if (strncmp(line, keys[i], strlen(keys[i])) == 0) fputs(line, stdout);
    }
  }
  fclose(f);
  return EXIT_OK;
}

/* ids: "uid=<real>/<effective> gid=<real>/<effective> groups=<g1,g2,...>" (groups empty when none). */
static int tool_ids(void) {
  gid_t groups[NGROUPS_MAX];
  int n = getgroups(NGROUPS_MAX, groups);
  if (n < 0) return fail("getgroups", NULL);
  printf("uid=%u/%u gid=%u/%u groups=", getuid(), geteuid(), getgid(), getegid());
  for (int i = 0; i < n; i++) printf("%s%u", i > 0 ? "," : "", groups[i]);
  printf("\n");
  return EXIT_OK;
}

static int print_winsize(void) {
  struct winsize ws;
  if (ioctl(0, TIOCGWINSZ, &ws) < 0) return fail("ioctl(TIOCGWINSZ)", "fd 0");
  printf("%u %u\n", ws.ws_row, ws.ws_col);
  fflush(stdout);
  return EXIT_OK;
}

/* tty: line 1 ttyname(0) or "not a tty"; line 2 "rows cols" (only when fd 0 is a tty). */
static int tool_tty(void) {
  const char *name = ttyname(0);
  if (name == NULL) {
    printf("not a tty\n");
    return EXIT_OK;
  }
  printf("%s\n", name);
  return print_winsize();
}

static void note_signal(int sig) {
  (void)sig; /* a handler (not SIG_DFL) so pid 1 in a pid namespace gets the signal; sigtimedwait consumes it */
}

static int block_with_handlers(const int *sigs, size_t n, sigset_t *set) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = note_signal;
  sigemptyset(set);
  for (size_t i = 0; i < n; i++) {
    if (sigaction(sigs[i], &sa, NULL) < 0) return fail("sigaction", signame(sigs[i]));
    sigaddset(set, sigs[i]);
  }
  if (sigprocmask(SIG_BLOCK, set, NULL) < 0) return fail("sigprocmask", NULL);
  return EXIT_OK;
}

/* winch: prints "rows cols", waits up to 10 s for SIGWINCH, prints the new "rows cols"; exit 2 on timeout. */
static int tool_winch(void) {
  static const int sigs[] = {SIGWINCH};
  sigset_t set;
  int rc = block_with_handlers(sigs, 1, &set); /* before printing, so a resize right after is not lost */
  if (rc != EXIT_OK) return rc;
  rc = print_winsize();
  if (rc != EXIT_OK) return rc;
  struct timespec timeout = {.tv_sec = 10, .tv_nsec = 0};
  for (;;) {
    int sig = sigtimedwait(&set, NULL, &timeout);
    if (sig == SIGWINCH) return print_winsize();
    if (sig < 0 && errno == EINTR) continue;
    if (sig < 0 && errno == EAGAIN) {
      fprintf(stderr, "berth-test-init: winch: no SIGWINCH within 10 s\n");
      return EXIT_WINCH_TIMEOUT;
    }
    if (sig < 0) return fail("sigtimedwait", NULL);
  }
}

/* signals: handles TERM, INT, HUP, USR1; prints "ready", then one "SIG<NAME>" line per signal; exit 0 after
 * SIGTERM, 3 if 20 s pass without any signal. */
static int tool_signals(void) {
  static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
  sigset_t set;
  int rc = block_with_handlers(sigs, sizeof sigs / sizeof sigs[0], &set);
  if (rc != EXIT_OK) return rc;
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    struct timespec timeout = {.tv_sec = 20, .tv_nsec = 0};
    int sig = sigtimedwait(&set, NULL, &timeout);
    if (sig < 0 && errno == EINTR) continue;
    if (sig < 0 && errno == EAGAIN) {
      fprintf(stderr, "berth-test-init: signals: nothing within 20 s\n");
      return EXIT_SIGNALS_TIMEOUT;
    }
    if (sig < 0) return fail("sigtimedwait", NULL);
    printf("%s\n", signame(sig));
    fflush(stdout);
    if (sig == SIGTERM) return EXIT_OK;
  }
}

static int tool_exit(int argc, char **argv) {
  if (argc != 3) return usage("exit <code>");
  long code = parse_count(argv[2]);
  if (code < 0 || code > 255) return usage("exit <code 0-255>");
  fflush(NULL);
  return (int)code;
}

/* pid 1 of a pid namespace ignores signals it has no handler for, raise() included; faults raised by the CPU are
 * forced and still kill it, so for these signals cause the real fault. */
static void force_fault(int sig) {
  volatile uintptr_t zero = 0;
  switch (sig) {
    case SIGSEGV:
      *(volatile int *)zero = 1;
      break;
    case SIGFPE: {
      volatile int a = 1;
      volatile int b = (int)zero;
      a = a / b;
      break;
    }
    case SIGILL:
      __builtin_trap();
      break;
    default:
      break;
  }
}

/* kill-self <signal>: die by the signal with its default disposition. Exit 4 if still alive afterwards. */
static int tool_kill_self(int argc, char **argv) {
  if (argc != 3) return usage("kill-self <signal number>");
  long sig = parse_count(argv[2]);
  if (sig < 1 || sig >= NSIG) return usage("kill-self <signal number 1-64>");
  fflush(NULL);
  /* SIGKILL and SIGSTOP cannot be changed, and are already at their default */
  if (sig != SIGKILL && sig != SIGSTOP && signal((int)sig, SIG_DFL) == SIG_ERR) return fail("signal", signame((int)sig));
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, (int)sig);
  if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0) return fail("sigprocmask", NULL);
  if (raise((int)sig) != 0) return fail("raise", signame((int)sig));
  force_fault((int)sig);
  fprintf(stderr, "berth-test-init: kill-self: still alive after %s (pid %d; pid 1 ignores unhandled signals)\n",
          signame((int)sig), getpid());
  return EXIT_STILL_ALIVE;
}

/* write <path> [content]: create/truncate and write (default content "berth\n"); prints "ok" or "error <ERRNO>". */
static int tool_write(int argc, char **argv) {
  if (argc != 3 && argc != 4) return usage("write <path> [content]");
  const char *content = argc == 4 ? argv[3] : "berth\n";
  size_t len = strlen(content);
  int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = 0;
  if (fd < 0) {
    err = errno;
  } else {
    ssize_t n = write(fd, content, len);
    if (n < 0) err = errno;
    else if ((size_t)n != len) err = EIO;
    if (close(fd) < 0 && err == 0) err = errno;
  }
  if (err != 0) {
    printf("error %s\n", errname(err));
    return EXIT_ERR;
  }
  printf("ok\n");
  return EXIT_OK;
}

/* read <path>: copies the file to stdout, or prints "error <ERRNO>" and exits 1. */
static int tool_read(int argc, char **argv) {
  if (argc != 3) return usage("read <path>");
  int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    printf("error %s\n", errname(errno));
    return EXIT_ERR;
  }
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      printf("error %s\n", errname(err));
      return EXIT_ERR;
    }
    if (n == 0) break;
    fwrite(buf, 1, (size_t)n, stdout);
  }
  close(fd);
  return EXIT_OK;
}

/* sleep <seconds>: fractional seconds allowed; installs no handlers and reaps nothing. */
static int tool_sleep(int argc, char **argv) {
  if (argc != 3) return usage("sleep <seconds>");
  char *end = NULL;
  double s = strtod(argv[2], &end);
  if (end == argv[2] || *end != '\0' || s < 0) return usage("sleep <seconds>");
  sleep_seconds(s);
  return EXIT_OK;
}

/* pid1: "pid=<getpid> ppid=<getppid> procs=<numeric entries in /proc>". */
static int tool_pid1(void) {
  DIR *d = opendir("/proc");
  if (d == NULL) return fail("opendir", "/proc");
  int procs = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *p = e->d_name;
    while (*p >= '0' && *p <= '9') p++;
    if (p != e->d_name && *p == '\0') procs++;
  }
  closedir(d);
  printf("pid=%d ppid=%d procs=%d\n", getpid(), getppid(), procs);
  return EXIT_OK;
}

/* Receives one fd (SCM_RIGHTS) from the connection; the message data is the name and is ignored. */
static int recv_fd(int conn, int *fd_out) {
  char name[4096];
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = {.iov_base = name, .iov_len = sizeof name};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf};
  ssize_t n;
  do n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return fail("recvmsg", NULL);
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) {
    fprintf(stderr, "berth-test-init: recvtty: message carried no fd (flags 0x%x)\n", msg.msg_flags);
    return EXIT_ERR;
  }
  memcpy(fd_out, CMSG_DATA(c), sizeof(int));
  return EXIT_OK;
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Copies master → stdout and stdin → master until the master reports EOF or EIO (all slave fds closed). */
static int pump_pty(int master) {
  struct pollfd fds[2] = {{.fd = master, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
  char buf[8192];
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return fail("poll", NULL);
    }
    if (fds[0].revents != 0) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0 || (n < 0 && errno == EIO)) return EXIT_OK;
      if (n < 0) return fail("read", "pty master");
      if (write_all(1, buf, (size_t)n) < 0) return fail("write", "stdout");
    }
    if (fds[1].revents != 0) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fds[1].fd = -1; /* stdin closed: keep relaying output */
      else if (write_all(master, buf, (size_t)n) < 0) return fail("write", "pty master");
    }
  }
}

/* recvtty <socket-path>: like runc's contrib/cmd/recvtty (single mode). The socket is bound under a temporary
 * name and renamed into place once listening, so its existence means connect() will succeed. Prints "received"
 * once the pty master arrives, then relays it. */
static int tool_recvtty(int argc, char **argv) {
  if (argc != 3) return usage("recvtty <socket-path>");
  const char *path = argv[2];
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  char tmp[sizeof addr.sun_path];
  if (snprintf(tmp, sizeof tmp, "%s.%d", path, getpid()) >= (int)sizeof tmp) {
    errno = ENAMETOOLONG;
    return fail("bind", path);
  }
  memcpy(addr.sun_path, tmp, strlen(tmp) + 1);
  signal(SIGPIPE, SIG_IGN);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return fail("socket", NULL);
  if (bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("bind", tmp);
  if (listen(sock, 1) < 0) return fail("listen", tmp);
  if (rename(tmp, path) < 0) {
    int rc = fail("rename", path);
    unlink(tmp);
    return rc;
  }
  int conn;
  do conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0) return fail("accept", path);
  close(sock);
  unlink(path);
  int master = -1;
  int rc = recv_fd(conn, &master);
  close(conn);
  if (rc != EXIT_OK) return rc;
  printf("received\n");
  fflush(stdout);
  rc = pump_pty(master);
  close(master);
  return rc;
}

/* udp-echo PORT: answers each datagram on PORT (IPv4 and IPv6, all addresses) with "echo:" and the datagram. */
static int tool_udp_echo(int argc, char **argv) {
  if (argc < 3) return usage("udp-echo PORT");
  int port = atoi(argv[2]);
  int sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return fail("socket", "AF_INET6");
  int off = 0;
  setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  struct sockaddr_in6 addr = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = in6addr_any};
  if (bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("bind", argv[2]);
  printf("listening\n");
  fflush(stdout);
  for (;;) {
    char buf[2048];
    memcpy(buf, "echo:", 5);
    struct sockaddr_in6 from;
    socklen_t fromlen = sizeof from;
    ssize_t n = recvfrom(sock, buf + 5, sizeof buf - 5, 0, (struct sockaddr *)&from, &fromlen);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("recvfrom", argv[2]);
    }
    sendto(sock, buf, (size_t)n + 5, 0, (struct sockaddr *)&from, fromlen);
  }
}

/* syscall NAME...: makes each named call (harmless arguments; a refused call is the point) and prints
 * "NAME ok" or "NAME ERRNO-NAME" per line. A number N calls syscall N with zero arguments. */
static long try_syscall(const char *name) {
  if (strcmp(name, "unshare-user") == 0) return syscall(SYS_unshare, 0x10000000L); /* CLONE_NEWUSER */
  if (strcmp(name, "unshare-net") == 0) return syscall(SYS_unshare, 0x40000000L);  /* CLONE_NEWNET */
  if (strcmp(name, "clone-newuser") == 0) {
    long pid = syscall(SYS_clone, 0x10000000L | SIGCHLD, 0L, 0L, 0L, 0L);
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid((pid_t)pid, NULL, 0);
    return pid < 0 ? -1 : 0;
  }
  if (strcmp(name, "mount") == 0) return syscall(SYS_mount, "none", "/mnt", "tmpfs", 0L, NULL);
  if (strcmp(name, "keyctl") == 0) return syscall(SYS_keyctl, 0L /* KEYCTL_GET_KEYRING_ID */, -3L, 0L);
  if (strcmp(name, "add_key") == 0) return syscall(SYS_add_key, "user", "berth", "x", 1L, -3L);
  if (strcmp(name, "bpf") == 0) return syscall(SYS_bpf, 0L, NULL, 0L); /* EFAULT/EINVAL when allowed */
  if (strcmp(name, "perf_event_open") == 0) return syscall(SYS_perf_event_open, NULL, 0L, -1L, -1L, 0L);
  if (strcmp(name, "clock_settime") == 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return syscall(SYS_clock_settime, CLOCK_REALTIME, &ts);
  }
  if (strcmp(name, "open_by_handle_at") == 0) return syscall(SYS_open_by_handle_at, -1L, NULL, 0L);
  if (strcmp(name, "mkdir") == 0) return syscall(SYS_mkdir, "/tmp/berth-syscall-probe", 0700L);
  if (strcmp(name, "getpid") == 0) return syscall(SYS_getpid);
  if (strcmp(name, "personality-query") == 0) return syscall(SYS_personality, 0xffffffffL);
  if (strcmp(name, "personality-norandom") == 0) return syscall(SYS_personality, 0x0040000L);
  if (strcmp(name, "socket-vsock") == 0) return syscall(SYS_socket, 40L, (long)SOCK_STREAM, 0L);
  char *end;
  long nr = strtol(name, &end, 10);
  if (*name != '\0' && *end == '\0') return syscall(nr, 0L, 0L, 0L, 0L, 0L, 0L);
  return -2;
}

static int tool_syscall(int argc, char **argv) {
  if (argc < 3) return usage("syscall NAME...");
  for (int i = 2; i < argc; i++) {
    errno = 0;
    long r = try_syscall(argv[i]);
    if (r == -2) {
      fprintf(stderr, "berth-test-init: syscall: unknown name %s\n", argv[i]);
      return EXIT_USAGE;
    }
    printf("%s %s\n", argv[i], r < 0 ? errname(errno) : "ok");
  }
  return EXIT_OK;
}

/* breakout NAME...: attempts an escape from the container's confinement, harmless if it worked (it opens, never
 * writes), and prints "NAME ok", "NAME empty" (read-kcore: opened, nothing to read) or "NAME ERRNO-NAME" per line:
 *   remount-proc-sys  mount(MS_REMOUNT|MS_BIND) of /proc/sys without MS_RDONLY
 *   write-proc-sys    open /proc/sys/kernel/domainname for writing
 *   write-sys         open /sys/kernel/profiling for writing
 *   mknod-disk        mknod /dev/berth-disk as block device 8:0 (sda)
 *   open-disk         open it (made first if missing)
 *   raw-socket        socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *   read-kcore        open and read /proc/kcore */
static const char *try_breakout(const char *name) {
  static const char *const disk = "/dev/berth-disk";
  int fd = -1;
  if (strcmp(name, "remount-proc-sys") == 0) {
    if (mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL) < 0) return errname(errno);
    return "ok";
  }
  if (strcmp(name, "write-proc-sys") == 0) fd = open("/proc/sys/kernel/domainname", O_WRONLY | O_CLOEXEC);
  else if (strcmp(name, "write-sys") == 0) fd = open("/sys/kernel/profiling", O_WRONLY | O_CLOEXEC);
  else if (strcmp(name, "mknod-disk") == 0) {
    unlink(disk);
    if (mknod(disk, S_IFBLK | 0600, makedev(8, 0)) < 0) return errname(errno);
    return "ok";
  } else if (strcmp(name, "open-disk") == 0) {
    if (mknod(disk, S_IFBLK | 0600, makedev(8, 0)) < 0 && errno != EEXIST) return errname(errno);
    fd = open(disk, O_RDONLY | O_CLOEXEC);
  } else if (strcmp(name, "raw-socket") == 0) fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  else if (strcmp(name, "read-kcore") == 0) {
    fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errname(errno);
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf);
    int err = errno;
    close(fd);
    if (n < 0) return errname(err);
    return n == 0 ? "empty" : "ok";
  } else return NULL;
  if (fd < 0) return errname(errno);
  close(fd);
  return "ok";
}

static int tool_breakout(int argc, char **argv) {
  if (argc < 3) return usage("breakout NAME...");
  for (int i = 2; i < argc; i++) {
    errno = 0;
    const char *r = try_breakout(argv[i]);
    if (r == NULL) {
      fprintf(stderr, "berth-test-init: breakout: unknown name %s\n", argv[i]);
      return EXIT_USAGE;
    }
    printf("%s %s\n", argv[i], r);
  }
  return EXIT_OK;
}

int main(int argc, char **argv) {
  const char *tools =
      "hog|forkbomb|caps|ids|tty|winch|signals|exit|kill-self|write|read|sleep|pid1|recvtty|udp-echo|syscall|"
      "breakout";
  if (argc < 2) return usage(tools);
  const char *t = argv[1];
  if (strcmp(t, "hog") == 0) return tool_hog(argc, argv);
  if (strcmp(t, "forkbomb") == 0) return tool_forkbomb(argc, argv);
  if (strcmp(t, "caps") == 0) return tool_caps();
  if (strcmp(t, "ids") == 0) return tool_ids();
  if (strcmp(t, "tty") == 0) return tool_tty();
  if (strcmp(t, "winch") == 0) return tool_winch();
  if (strcmp(t, "signals") == 0) return tool_signals();
  if (strcmp(t, "exit") == 0) return tool_exit(argc, argv);
  if (strcmp(t, "kill-self") == 0) return tool_kill_self(argc, argv);
  if (strcmp(t, "write") == 0) return tool_write(argc, argv);
  if (strcmp(t, "read") == 0) return tool_read(argc, argv);
  if (strcmp(t, "sleep") == 0) return tool_sleep(argc, argv);
  if (strcmp(t, "pid1") == 0) return tool_pid1();
  if (strcmp(t, "recvtty") == 0) return tool_recvtty(argc, argv);
  if (strcmp(t, "udp-echo") == 0) return tool_udp_echo(argc, argv);
  if (strcmp(t, "syscall") == 0) return tool_syscall(argc, argv);
  if (strcmp(t, "breakout") == 0) return tool_breakout(argc, argv);
  fprintf(stderr, "berth-test-init: unknown tool %s\n", t);
  return usage(tools);
}
