/*
 * gdb_procs.c -- the processes of the host as lldb's platform packets
 * see them (lldb-server 16's formats): qfProcessInfo with its filters,
 * qsProcessInfo, qProcessInfoPID, and the names behind uids and gids
 * (qUserName, qGroupName).
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/gdb_platform.h"
#include "daemon/log.h"
#include "platform/procfs.h"

#define PLAT_MAX_ARGS		32768	/* bytes of a process's cmdline sent */
#define PLAT_MAX_PROCS		(1 << 22) /* listed: PID_MAX_LIMIT */
#define PLAT_MAX_NAME		1024	/* bytes of a qfProcessInfo name */
#define PLAT_MAX_IDBUF		16384	/* bytes for getpwuid_r and friends */

#define PLAT_TRIPLE64		"x86_64-pc-linux-gnu"
#define PLAT_TRIPLE32		"i386-pc-linux-gnu"

/* The list qfProcessInfo made; qsProcessInfo walks it. */
struct gplat {
	pid_t		*gp_pids;
	size_t		 gp_n;
	size_t		 gp_cap;
	size_t		 gp_next;
};

enum name_match {
	NM_IGNORE, NM_EQUALS, NM_STARTS, NM_ENDS, NM_CONTAINS, NM_REGEX,
};

/* qfProcessInfo's filter; -1 in a number matches any. */
struct pfilter {
	char		 pf_name[PLAT_MAX_NAME];
	bool		 pf_has_name;
	enum name_match	 pf_match;
	regex_t		 pf_re;
	bool		 pf_re_set;
	int64_t		 pf_pid, pf_ppid, pf_uid, pf_gid, pf_euid, pf_egid;
	bool		 pf_all_users;
	char		 pf_arch[32];		/* "" matches any */
	struct gplat	*pf_out;
};

static void
put_hex(struct rsp_buf *b, const char *key, const char *val)
{
	rsp_buf_addf(b, "%s:", key);
	rsp_buf_addhex(b, val, strlen(val));
	rsp_buf_addc(b, ';');
}

/* The executable of pid without " (deleted)", or "". */
static void
proc_exe(pid_t pid, char *buf, size_t cap)
{
	size_t n;

	if (procfs_exe(pid, buf, cap) == -1) {
		buf[0] = '\0';
		return;
	}
	n = strlen(buf);
	if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
		buf[n - 10] = '\0';
}

/* The triple of pid's executable from its ELF class, or NULL. */
static const char *
proc_triple(pid_t pid)
{
	char path[64];
	unsigned char id[5];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	n = pread(fd, id, sizeof(id), 0);
	close(fd);
	if (n != sizeof(id) || memcmp(id, "\177ELF", 4) != 0)
		return NULL;
	return id[4] == 2 ? PLAT_TRIPLE64 : id[4] == 1 ? PLAT_TRIPLE32 : NULL;
}

/*
 * One process in lldb-server's form: ids in decimal, the executable and
 * each argument in hex, arguments joined by '-'.  Arguments are sent
 * whole while they fit in PLAT_MAX_ARGS bytes of /proc/PID/cmdline.
 */
static int
put_process(struct rsp_buf *b, pid_t pid)
{
	char exe[GDB_MAX_PATH], *cmd;
	struct procinfo pi;
	const char *triple;
	size_t len, off, n, used = 0;

	if (procfs_process(pid, &pi) == -1)
		return -1;
	proc_exe(pid, exe, sizeof(exe));
	rsp_buf_addf(b, "pid:%d;ppid:%d;uid:%u;gid:%u;euid:%u;egid:%u;",
	    (int)pi.pi_pid, (int)pi.pi_ppid, (unsigned)pi.pi_uid,
	    (unsigned)pi.pi_gid, (unsigned)pi.pi_euid, (unsigned)pi.pi_egid);
	put_hex(b, "name", exe);
	rsp_buf_addf(b, "args:");
	if (procfs_read(pid, "cmdline", &cmd, &len) == 0) {
		for (off = 0; off < len; off += n + 1) {
			n = strnlen(cmd + off, len - off);
			if ((used += n + 1) > PLAT_MAX_ARGS)
				break;
			if (off > 0)
				rsp_buf_addc(b, '-');
			rsp_buf_addhex(b, cmd + off, n);
		}
		free(cmd);
	}
	rsp_buf_addc(b, ';');
	if ((triple = proc_triple(pid)) != NULL)
		put_hex(b, "triple", triple);
	return 0;
}

static bool
arch_equal(const char *a, const char *b)
{
	bool a86 = strlen(a) == 4 && a[0] == 'i' && strcmp(a + 2, "86") == 0;
	bool b86 = strlen(b) == 4 && b[0] == 'i' && strcmp(b + 2, "86") == 0;

	return strcmp(a, b) == 0 || (a86 && b86);
}

/* The architecture of a triple: up to the first '-'. */
static void
triple_arch(const char *triple, char *arch, size_t cap)
{
	size_t n = strcspn(triple, "-");

	if (n >= cap)
		n = cap - 1;
	memcpy(arch, triple, n);
	arch[n] = '\0';
}

static bool
name_matches(const struct pfilter *f, const char *name)
{
	size_t n = strlen(name), k = strlen(f->pf_name);

	if (!f->pf_has_name || f->pf_match == NM_IGNORE)
		return true;
	switch (f->pf_match) {
	case NM_EQUALS:
		return strcmp(name, f->pf_name) == 0;
	case NM_STARTS:
		return strncmp(name, f->pf_name, k) == 0;
	case NM_ENDS:
		return n >= k && strcmp(name + n - k, f->pf_name) == 0;
	case NM_CONTAINS:
		return strstr(name, f->pf_name) != NULL;
	case NM_REGEX:
		return regexec(&f->pf_re, name, 0, NULL, 0) == 0;
	default:
		return true;
	}
}

static bool
id_ok(int64_t want, unsigned have)
{
	return want == -1 || (uint64_t)want == have;
}

static int
collect(const struct procinfo *pi, void *arg)
{
	struct pfilter *f = arg;
	struct gplat *gp = f->pf_out;
	char exe[GDB_MAX_PATH], arch[32];
	const char *base, *triple;
	uid_t me = getuid();

	/* As lldb-server: not us, not traced processes, not zombies. */
	if (pi->pi_pid == getpid() || pi->pi_tracer != 0 ||
	    pi->pi_state == 'Z')
		return 0;
	if (!f->pf_all_users && me != 0 && pi->pi_uid != me)
		return 0;
	if (!id_ok(f->pf_pid, (unsigned)pi->pi_pid) ||
	    !id_ok(f->pf_ppid, (unsigned)pi->pi_ppid) ||
	    !id_ok(f->pf_uid, pi->pi_uid) || !id_ok(f->pf_gid, pi->pi_gid) ||
	    !id_ok(f->pf_euid, pi->pi_euid) || !id_ok(f->pf_egid, pi->pi_egid))
		return 0;
	if (f->pf_arch[0] != '\0') {
		if ((triple = proc_triple(pi->pi_pid)) == NULL)
			return 0;
		triple_arch(triple, arch, sizeof(arch));
		if (!arch_equal(arch, f->pf_arch))
			return 0;
	}
	if (f->pf_has_name && f->pf_match != NM_IGNORE) {
		proc_exe(pi->pi_pid, exe, sizeof(exe));
		base = strrchr(exe, '/') != NULL ? strrchr(exe, '/') + 1 : exe;
		if (!name_matches(f, base))
			return 0;
	}
	if (gp->gp_n == PLAT_MAX_PROCS)
		return 1;
	if (gp->gp_n == gp->gp_cap) {
		gp->gp_cap = gp->gp_cap == 0 ? 256 : gp->gp_cap * 2;
		gp->gp_pids = xreallocarray(gp->gp_pids, gp->gp_cap,
		    sizeof(*gp->gp_pids));
	}
	gp->gp_pids[gp->gp_n++] = pi->pi_pid;
	return 0;
}

/* OptionArgParser::ToBoolean's words. */
static int
get_bool_word(const char *v, size_t n, bool *b)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strlen(yes[i]) == n && strncasecmp(v, yes[i], n) == 0) {
			*b = true;
			return 0;
		}
		if (strlen(no[i]) == n && strncasecmp(v, no[i], n) == 0) {
			*b = false;
			return 0;
		}
	}
	return -1;
}

/* A number as llvm's getAsInteger(0): decimal, 0x hex, 0 octal. */
static int
get_num(const char *v, size_t n, int64_t *out)
{
	char buf[24], *end;
	unsigned long long x;

	if (n == 0 || n >= sizeof(buf) || v[0] == '-' || v[0] == '+' ||
	    v[0] == ' ')
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	errno = 0;
	x = strtoull(buf, &end, 0);
	if (errno != 0 || *end != '\0' || x > UINT32_MAX)
		return -1;
	*out = (int64_t)x;
	return 0;
}

static int
filter_key(struct pfilter *f, const char *k, size_t kn, const char *v,
    size_t vn)
{
	static const struct { const char *k; size_t off; } ids[] = {
		{ "pid", offsetof(struct pfilter, pf_pid) },
		{ "parent_pid", offsetof(struct pfilter, pf_ppid) },
		{ "uid", offsetof(struct pfilter, pf_uid) },
		{ "gid", offsetof(struct pfilter, pf_gid) },
		{ "euid", offsetof(struct pfilter, pf_euid) },
		{ "egid", offsetof(struct pfilter, pf_egid) },
	};
	static const char *const matches[] = {
		"equals", "starts_with", "ends_with", "contains", "regex",
	};
	struct rsp_cursor c;
	size_t i;

#define KEY(s)	(kn == strlen(s) && memcmp(k, s, kn) == 0)
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (KEY(ids[i].k))
			return get_num(v, vn, (int64_t *)((char *)f +
			    ids[i].off));
	if (KEY("name")) {
		rsp_cursor_init(&c, v, vn);
		f->pf_has_name = true;
		return plat_hexstr(&c, '\0', f->pf_name, sizeof(f->pf_name));
	}
	if (KEY("name_match")) {
		for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
			if (vn == strlen(matches[i]) &&
			    memcmp(v, matches[i], vn) == 0) {
				f->pf_match = (enum name_match)(i + 1);
				return 0;
			}
		return -1;
	}
	if (KEY("all_users"))
		return get_bool_word(v, vn, &f->pf_all_users);
	if (KEY("triple")) {
		for (i = 0; i < vn && i < sizeof(f->pf_arch) - 1 && v[i] != '-';
		    i++)
			f->pf_arch[i] = v[i];
		f->pf_arch[i] = '\0';
		return i < vn && v[i] != '-' ? -1 : 0;
	}
#undef KEY
	return -1;
}

/* "key:value;..." after "qfProcessInfo:". */
static int
filter_parse(struct pfilter *f, struct rsp_cursor *c)
{
	const char *fld, *colon;
	size_t n;

	while (rsp_get_field(c, ';', &fld, &n) == 0) {
		if (n == 0 && rsp_cursor_eof(c))
			break;
		if ((colon = memchr(fld, ':', n)) == NULL || colon == fld ||
		    filter_key(f, fld, colon - fld, colon + 1,
		    n - (colon + 1 - fld)) == -1)
			return -1;
	}
	if (f->pf_has_name && f->pf_match == NM_REGEX) {
		if (regcomp(&f->pf_re, f->pf_name, REG_EXTENDED | REG_NOSUB) !=
		    0)
			return -1;
		f->pf_re_set = true;
	}
	return 0;
}

void
gdb_platform_free(struct gsess *s)
{
	if (s->s_plat == NULL)
		return;
	free(s->s_plat->gp_pids);
	free(s->s_plat);
	s->s_plat = NULL;
}

/* qsProcessInfo: the next process of the list still there. */
void
plat_next_process(struct gsess *s)
{
	struct gplat *gp = s->s_plat;

	rsp_buf_reset(&s->s_reply);
	while (gp != NULL && gp->gp_next < gp->gp_n) {
		if (put_process(&s->s_reply, gp->gp_pids[gp->gp_next++]) == 0) {
			gdb_reply_buf(s);
			return;
		}
		rsp_buf_reset(&s->s_reply);	/* gone meanwhile */
	}
	gdb_platform_free(s);
	gdb_error(s, ESRCH, "no more processes");
}

/* qfProcessInfo[:FILTER]: list the matching processes, send the first. */
void
plat_first_process(struct gsess *s, struct rsp_cursor *c)
{
	struct pfilter f;

	memset(&f, 0, sizeof(f));
	f.pf_pid = f.pf_ppid = f.pf_uid = f.pf_gid = -1;
	f.pf_euid = f.pf_egid = -1;
	gdb_platform_free(s);
	if (rsp_cursor_skip(c, ":") && filter_parse(&f, c) == -1) {
		gdb_error(s, EINVAL, "bad process filter");
		goto out;
	} else if (!rsp_cursor_eof(c)) {
		gdb_error(s, EINVAL, "bad process filter");
		goto out;
	}
	s->s_plat = f.pf_out = xcalloc(1, sizeof(*s->s_plat));
	procfs_each_process(collect, &f);
	if (s->s_plat->gp_n == 0) {
		gdb_platform_free(s);
		gdb_error(s, ESRCH, "no matching process");
		goto out;
	}
	plat_next_process(s);
out:
	if (f.pf_re_set)
		regfree(&f.pf_re);
}

/* qProcessInfoPID:PID (decimal) */
void
plat_process_pid(struct gsess *s, struct rsp_cursor *c)
{
	uint64_t pid;

	rsp_buf_reset(&s->s_reply);
	if (plat_dec(c->c_p, rsp_cursor_left(c), INT32_MAX, &pid) == -1 ||
	    pid == 0) {
		gdb_error(s, EINVAL, "bad pid");
		return;
	}
	if (put_process(&s->s_reply, (pid_t)pid) == -1) {
		rsp_buf_reset(&s->s_reply);
		gdb_error(s, ESRCH, "no such process");
		return;
	}
	gdb_reply_buf(s);
}

/* qUserName:UID / qGroupName:GID (decimal): the name in hex. */
void
plat_id_name(struct gsess *s, struct rsp_cursor *c, bool user)
{
	static char buf[PLAT_MAX_IDBUF];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	const char *name = NULL;
	uint64_t id;
	int rc;

	if (plat_dec(c->c_p, rsp_cursor_left(c), UINT32_MAX - 1, &id) == -1) {
		gdb_error(s, EINVAL, "bad id");
		return;
	}
	if (user) {
		rc = getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &pwp);
		name = pwp != NULL ? pwp->pw_name : NULL;
	} else {
		rc = getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &grp);
		name = grp != NULL ? grp->gr_name : NULL;
	}
	if (name == NULL) {
		gdb_error(s, rc != 0 ? rc : ENOENT, user ? "no such user" :
		    "no such group");
		return;
	}
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addhex(&s->s_reply, name, strlen(name));
	gdb_reply_buf(s);
}
