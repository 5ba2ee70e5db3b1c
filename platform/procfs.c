/*
 * procfs.c -- facts from /proc and from the dynamic linker's r_debug.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/procfs.h"
#include "platform/target.h"

int
procfs_exe(pid_t pid, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, buf, cap - 1)) == -1)
		return -1;
	if ((size_t)n == cap - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

int
procfs_read(pid_t pid, const char *name, char **out, size_t *len)
{
	char path[128], *buf = NULL;
	size_t cap = 0, used = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if (used == cap) {
			char *nb;

			if (cap >= PROCFS_MAX_FILE) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		if ((n = read(fd, buf + used, cap - used)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		used += n;
	}
	close(fd);
	*out = buf;
	*len = used;
	return 0;
fail:
	close(fd);
	free(buf);
	return -1;
}

int
procfs_thread_name(pid_t pid, pid_t tid, char *buf, size_t cap)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid,
	    (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return -1;
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

/* The field after the command in /proc/PID/task/TID/stat. */
static int
procfs_stat_field(pid_t pid, pid_t tid, int want, char *out, size_t cap)
{
	char path[128], buf[1024], *p, *end;
	int fd, field;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
	    (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* Fields count from after the command, which may hold spaces. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	for (field = 2; *p != '\0'; p++) {
		if (*p != ' ' || ++field != want)
			continue;
		p++;
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) >= cap)
			return -1;
		memcpy(out, p, end - p);
		out[end - p] = '\0';
		return 0;
	}
	return -1;
}

int
procfs_thread_state(pid_t pid, pid_t tid)
{
	char f[8];

	return procfs_stat_field(pid, tid, 3, f, sizeof(f)) == 0 ? f[0] : -1;
}

int
procfs_thread_core(pid_t pid, pid_t tid)
{
	char f[16];

	return procfs_stat_field(pid, tid, 39, f, sizeof(f)) == 0 ? atoi(f) :
	    -1;
}

/* ------------------------------------------------------------ processes */

/* "Uid:\tR\tE\t..." lines of /proc/PID/status. */
static void
status_ids(const char *status, const char *key, unsigned *real, unsigned *eff)
{
	const char *p = strstr(status, key);

	if (p != NULL)
		sscanf(p + strlen(key), "%u %u", real, eff);
}

/* The distinct cores of a process's threads, comma-separated. */
static void
process_cores(pid_t pid, char *out, size_t cap)
{
	char path[64], one[16], seen[160] = ",";
	struct dirent *de;
	DIR *d;
	int core;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    (core = procfs_thread_core(pid, atoi(de->d_name))) < 0)
			continue;
		snprintf(one, sizeof(one), ",%d,", core);
		if (strstr(seen, one) != NULL)
			continue;
		strlcat(seen, one + 1, sizeof(seen));
		strlcat(out, out[0] != '\0' ? one : one + 1, cap);
		out[strlen(out) - 1] = '\0';	/* the trailing comma */
	}
	closedir(d);
}

int
procfs_lineage(pid_t pid, pid_t *tgid, pid_t *ppid)
{
	const char *p;
	char *buf;
	size_t len;
	int t = pid, pp = 0;

	if (procfs_read(pid, "status", &buf, &len) == -1)
		return -1;
	buf[len > 0 ? len - 1 : 0] = '\0';
	if ((p = strstr(buf, "\nTgid:")) != NULL)
		sscanf(p + 6, "%d", &t);
	if ((p = strstr(buf, "\nPPid:")) != NULL)
		sscanf(p + 6, "%d", &pp);
	free(buf);
	*tgid = t;
	*ppid = pp;
	return 0;
}

uint64_t
procfs_start_time(pid_t pid)
{
	char f[24];
	uint64_t start;

	errno = 0;
	if (procfs_stat_field(pid, pid, 22, f, sizeof(f)) == -1) {
		if (errno == 0)
			errno = EINVAL;	/* read, but not as stat is */
		return 0;
	}
	if ((start = strtoull(f, NULL, 10)) == 0)
		errno = EINVAL;
	return start;
}

int
procfs_process(pid_t pid, struct procinfo *pi)
{
	char *buf;
	size_t len, i;
	unsigned u[2] = { 0, 0 }, g[2] = { 0, 0 };
	int ppid = 0, tracer = 0;

	memset(pi, 0, sizeof(*pi));
	pi->pi_pid = pid;
	if (procfs_read(pid, "status", &buf, &len) == -1)
		return -1;
	buf[len > 0 ? len - 1 : 0] = '\0';
	status_ids(buf, "\nUid:", &u[0], &u[1]);
	status_ids(buf, "\nGid:", &g[0], &g[1]);
	if (strstr(buf, "\nPPid:") != NULL)
		sscanf(strstr(buf, "\nPPid:") + 6, "%d", &ppid);
	if (strstr(buf, "\nState:") != NULL)
		sscanf(strstr(buf, "\nState:") + 7, " %c", &pi->pi_state);
	if (strstr(buf, "\nTracerPid:") != NULL)
		sscanf(strstr(buf, "\nTracerPid:") + 11, "%d", &tracer);
	free(buf);
	pi->pi_tracer = tracer;
	pi->pi_ppid = ppid;
	pi->pi_uid = u[0];
	pi->pi_euid = u[1];
	pi->pi_gid = g[0];
	pi->pi_egid = g[1];
	procfs_thread_name(pid, pid, pi->pi_name, sizeof(pi->pi_name));
	if (procfs_read(pid, "cmdline", &buf, &len) == 0) {
		for (i = 0; i + 1 < len && i + 1 < sizeof(pi->pi_cmdline); i++)
			pi->pi_cmdline[i] = buf[i] == '\0' ? ' ' : buf[i];
		free(buf);
	}
	process_cores(pid, pi->pi_cores, sizeof(pi->pi_cores));
	return 0;
}

int
procfs_each_process(int (*cb)(const struct procinfo *, void *), void *arg)
{
	struct procinfo pi;
	struct dirent *de;
	const char *errstr;
	pid_t pid;
	DIR *d;
	int rc = 0;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		pid = strtonum(de->d_name, 1, INT32_MAX, &errstr);
		if (errstr != NULL || procfs_process(pid, &pi) == -1)
			continue;
		rc = cb(&pi, arg);
	}
	closedir(d);
	return rc;
}

/* ------------------------------------------------------------ r_debug */

static int
read_u64(struct proc *p, uint64_t addr, uint64_t *v)
{
	return mem_read(p, addr, v, sizeof(*v)) == sizeof(*v) ? 0 : -1;
}

/* The address of r_debug from DT_DEBUG; 0 if not set yet. */
static int
find_r_debug(struct proc *p, uint64_t *r_debug)
{
	uint64_t phdr = 0, phnum = 0, bias = 0, dyn = 0, i;
	char *auxv;
	size_t len, k;
	Elf64_Phdr ph;
	Elf64_Dyn d;

	if (procfs_read(p->p_pid, "auxv", &auxv, &len) == -1)
		return -1;
	for (k = 0; k + 16 <= len; k += 16) {
		uint64_t key, val;

		memcpy(&key, auxv + k, 8);
		memcpy(&val, auxv + k + 8, 8);
		if (key == AT_PHDR)
			phdr = val;
		else if (key == AT_PHNUM)
			phnum = val;
	}
	free(auxv);
	if (phdr == 0 || phnum == 0 || phnum > 256) {
		errno = ENOENT;
		return -1;
	}
	for (i = 0; i < phnum; i++) {
		if (mem_read(p, phdr + i * sizeof(ph), &ph, sizeof(ph)) !=
		    sizeof(ph))
			return -1;
		if (ph.p_type == PT_PHDR)
			bias = phdr - ph.p_vaddr;
		else if (ph.p_type == PT_DYNAMIC)
			dyn = ph.p_vaddr;
	}
	if (dyn == 0) {
		errno = ENOENT;
		return -1;
	}
	for (dyn += bias, i = 0; i < 4096; i++, dyn += sizeof(d)) {
		if (mem_read(p, dyn, &d, sizeof(d)) != sizeof(d))
			return -1;
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_DEBUG) {
			*r_debug = d.d_un.d_ptr;
			return 0;
		}
	}
	*r_debug = 0;
	return 0;
}

static int
svr4_add(struct proc *p, struct svr4_list *sl, uint64_t lm, uint64_t lmid)
{
	struct link_map m;
	struct svr4_lib *l;
	char name[SVR4_MAX_NAME];
	ssize_t n;

	if (mem_read(p, lm, &m, sizeof(m)) != sizeof(m))
		return -1;
	n = mem_read(p, (uint64_t)m.l_name, name, sizeof(name) - 1);
	name[n > 0 ? n : 0] = '\0';
	if (name[0] == '\0')
		return 0;
	l = reallocarray(sl->sl_libs, sl->sl_n + 1, sizeof(*l));
	if (l == NULL)
		return -1;
	sl->sl_libs = l;
	l += sl->sl_n;
	if ((l->l_name = strdup(name)) == NULL)
		return -1;
	l->l_lm = lm;
	l->l_addr = m.l_addr;
	l->l_ld = (uint64_t)m.l_ld;
	l->l_lmid = lmid;
	sl->sl_n++;
	return 0;
}

int
svr4_list(struct proc *p, struct svr4_list *sl)
{
	uint64_t r_debug, lm, next, walked = 0;
	struct r_debug rd;
	bool first = true;

	memset(sl, 0, sizeof(*sl));
	if (find_r_debug(p, &r_debug) == -1)
		return -1;
	while (r_debug != 0 && walked < SVR4_MAX_LIBS) {
		if (mem_read(p, r_debug, &rd, sizeof(rd)) != sizeof(rd) ||
		    rd.r_version < 1)
			break;
		lm = (uint64_t)rd.r_map;
		if (first && lm != 0) {
			/* The first entry is the main program. */
			sl->sl_main_lm = lm;
			if (read_u64(p, lm + offsetof(struct link_map, l_next),
			    &lm) == -1)
				break;
		}
		first = false;
		for (; lm != 0 && walked < SVR4_MAX_LIBS; lm = next, walked++) {
			if (svr4_add(p, sl, lm, r_debug) == -1 ||
			    read_u64(p, lm + offsetof(struct link_map, l_next),
			    &next) == -1)
				break;
		}
		/* r_version 2 (glibc 2.35) chains the dlmopen namespaces. */
		if (rd.r_version < 2 ||
		    read_u64(p, r_debug + sizeof(struct r_debug), &r_debug) == -1)
			break;
	}
	return 0;
}

void
svr4_free(struct svr4_list *sl)
{
	size_t i;

	for (i = 0; i < sl->sl_n; i++)
		free(sl->sl_libs[i].l_name);
	free(sl->sl_libs);
	memset(sl, 0, sizeof(*sl));
}
