/*
 * gdb_xfer.c -- qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH and
 * qXfer:siginfo:write.
 *
 * Each object is built whole, then the slice asked for is sent with 'm'
 * (more follows) or 'l' (last), binary-escaped.
 */
#include <sys/ptrace.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/gdb.h"
#include "daemon/log.h"
#include "platform/procfs.h"

/* Bytes of an object per reply: escaping may double them. */
#define XFER_MAX_CHUNK		(RSP_MAX_PACKET / 2 - 16)
#define XFER_MAX_ANNEX		256	/* bytes of an annex */

static void
xfer_send(struct gsess *s, const char *doc, size_t len, uint64_t off,
    uint64_t want)
{
	struct rsp_buf *b = &s->s_reply;

	rsp_buf_reset(b);
	if (off >= len || want == 0) {
		gdb_reply(s, "l");
		return;
	}
	if (want > XFER_MAX_CHUNK)
		want = XFER_MAX_CHUNK;
	if (want > len - off)
		want = len - off;
	rsp_buf_addc(b, off + want < len ? 'm' : 'l');
	rsp_buf_addbin(b, doc + off, want);
	gdb_reply_buf(s);
}

/* Bytes of the valid UTF-8 sequence at s (at most n), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		len = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

/*
 * Text into an XML document: markup characters escaped; control
 * characters and bytes that are not UTF-8 (a process may name itself
 * anything) become '?', so the document always parses.
 */
static void
xml_escape(struct rsp_buf *b, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), len;

	while (n > 0) {
		switch (*s) {
		case '<':
			rsp_buf_addf(b, "&lt;");
			break;
		case '>':
			rsp_buf_addf(b, "&gt;");
			break;
		case '&':
			rsp_buf_addf(b, "&amp;");
			break;
		case '"':
			rsp_buf_addf(b, "&quot;");
			break;
		case '\'':
			rsp_buf_addf(b, "&apos;");
			break;
		default:
			len = (*s < 0x20 || *s == 0x7f) ? 0 : utf8_len(s, n);
			if (len == 0) {
				rsp_buf_addc(b, '?');
				break;
			}
			rsp_buf_add(b, s, len);
			s += len - 1;
			n -= len - 1;
			break;
		}
		s++;
		n--;
	}
}

static int
xfer_threads(struct gsess *s, struct rsp_buf *doc)
{
	char name[64];
	struct proc *p;
	struct thr *t;
	int core;

	rsp_buf_addf(doc, "<?xml version=\"1.0\"?>\n<threads>\n");
	TAILQ_FOREACH(p, &s->s_tgt->g_procs, p_entry) {
		if (!tgt_proc_listed(p))
			continue;
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			if (t->t_gone)
				continue;
			rsp_buf_addf(doc, "<thread id=\"");
			gdb_put_ptid(s, doc, p->p_pid, t->t_tid);
			rsp_buf_addc(doc, '"');
			if ((core = procfs_thread_core(p->p_pid, t->t_tid)) >= 0)
				rsp_buf_addf(doc, " core=\"%d\"", core);
			if (procfs_thread_name(p->p_pid, t->t_tid, name,
			    sizeof(name)) == 0) {
				rsp_buf_addf(doc, " name=\"");
				xml_escape(doc, name);
				rsp_buf_addc(doc, '"');
			}
			rsp_buf_addf(doc, "/>\n");
		}
	}
	rsp_buf_addf(doc, "</threads>\n");
	return 0;
}

static int
xfer_libraries(struct gsess *s, struct rsp_buf *doc)
{
	struct proc *p = gdb_gproc(s);
	struct svr4_list sl;
	size_t i;

	if (p == NULL) {
		errno = ESRCH;
		return -1;
	}
	if (svr4_list(p, &sl) == -1)
		return -1;
	rsp_buf_addf(doc, "<library-list-svr4 version=\"1.0\"");
	/*
	 * lldb 16 reads main-lm as the address of the DT_DEBUG slot (it
	 * gets no answer to qShlibInfoAddr) and follows garbage; like
	 * lldb-server, tell lldb nothing of it.
	 */
	if (sl.sl_main_lm != 0 && !s->s_lldb)
		rsp_buf_addf(doc, " main-lm=\"0x%llx\"",
		    (unsigned long long)sl.sl_main_lm);
	rsp_buf_addc(doc, '>');
	for (i = 0; i < sl.sl_n; i++) {
		const struct svr4_lib *l = &sl.sl_libs[i];

		rsp_buf_addf(doc, "<library name=\"");
		xml_escape(doc, l->l_name);
		rsp_buf_addf(doc, "\" lm=\"0x%llx\" l_addr=\"0x%llx\" "
		    "l_ld=\"0x%llx\"", (unsigned long long)l->l_lm,
		    (unsigned long long)l->l_addr, (unsigned long long)l->l_ld);
		/* gdb's namespaces; lldb's reader refuses the attribute. */
		if (!s->s_lldb)
			rsp_buf_addf(doc, " lmid=\"0x%llx\"",
			    (unsigned long long)l->l_lmid);
		rsp_buf_addf(doc, "/>");
	}
	rsp_buf_addf(doc, "</library-list-svr4>");
	svr4_free(&sl);
	return 0;
}

static int
osdata_process(const struct procinfo *pi, void *arg)
{
	struct rsp_buf *doc = arg;
	struct passwd *pw = getpwuid(pi->pi_uid);
	char uid[16];

	snprintf(uid, sizeof(uid), "%u", (unsigned)pi->pi_uid);
	rsp_buf_addf(doc, "<item>\n<column name=\"pid\">%d</column>\n"
	    "<column name=\"user\">", (int)pi->pi_pid);
	xml_escape(doc, pw != NULL ? pw->pw_name : uid);
	rsp_buf_addf(doc, "</column>\n<column name=\"command\">");
	xml_escape(doc, pi->pi_cmdline[0] != '\0' ? pi->pi_cmdline :
	    pi->pi_name);
	rsp_buf_addf(doc, "</column>\n<column name=\"cores\">");
	xml_escape(doc, pi->pi_cores);
	rsp_buf_addf(doc, "</column>\n</item>\n");
	return 0;
}

/* qXfer:osdata:read:ANNEX ("info os"): the types, or the processes. */
static int
xfer_osdata(const char *annex, struct rsp_buf *doc)
{
	rsp_buf_addf(doc, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE target SYSTEM \"osdata.dtd\">\n");
	if (annex[0] == '\0') {
		rsp_buf_addf(doc, "<osdata type=\"types\">\n<item>\n"
		    "<column name=\"Type\">processes</column>\n"
		    "<column name=\"Description\">Listing of all processes"
		    "</column>\n<column name=\"Title\">Processes</column>\n"
		    "</item>\n</osdata>\n");
		return 0;
	}
	if (strcmp(annex, "processes") != 0) {
		errno = ENOENT;
		return -1;
	}
	rsp_buf_addf(doc, "<osdata type=\"processes\">\n");
	procfs_each_process(osdata_process, doc);
	rsp_buf_addf(doc, "</osdata>\n");
	return 0;
}

static int
xfer_exec_file(struct gsess *s, const char *annex, struct rsp_buf *doc)
{
	char path[GDB_MAX_PATH];
	struct rsp_cursor c;
	struct proc *p;
	uint64_t pid;

	rsp_cursor_init(&c, annex, strlen(annex));
	if (rsp_cursor_eof(&c)) {
		if ((p = gdb_gproc(s)) == NULL) {
			errno = ESRCH;
			return -1;
		}
		pid = p->p_pid;
	} else if (rsp_get_hex(&c, &pid) == -1 || pid > INT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (procfs_exe((pid_t)pid, path, sizeof(path)) == -1)
		return -1;
	rsp_buf_add(doc, path, strlen(path));
	return 0;
}

static int
xfer_siginfo(struct gsess *s, struct rsp_buf *doc)
{
	struct thr *t = gdb_gthread(s);
	siginfo_t si;

	if (t == NULL || !t->t_stopped) {
		errno = ESRCH;
		return -1;
	}
	if (ptrace(PTRACE_GETSIGINFO, t->t_tid, NULL, &si) == -1)
		return -1;
	rsp_buf_add(doc, &si, sizeof(si));
	return 0;
}

static int
xfer_auxv(struct gsess *s, struct rsp_buf *doc)
{
	struct proc *p = gdb_gproc(s);
	size_t len;
	char *buf;

	if (p == NULL) {
		errno = ESRCH;
		return -1;
	}
	if (procfs_read(p->p_pid, "auxv", &buf, &len) == -1)
		return -1;
	rsp_buf_add(doc, buf, len);
	free(buf);
	return 0;
}

/* qXfer:siginfo:write::OFFSET:DATA */
static void
xfer_siginfo_write(struct gsess *s, struct rsp_cursor *c)
{
	struct thr *t = gdb_gthread(s);
	siginfo_t si;
	uint64_t off;
	size_t n = rsp_cursor_left(c);

	if (rsp_get_char(c, ':') == -1 || rsp_get_hex(c, &off) == -1 ||
	    rsp_get_char(c, ':') == -1 || off > sizeof(si) ||
	    (n = rsp_cursor_left(c)) > sizeof(si) - off) {
		gdb_error(s, EINVAL, "bad siginfo write");
		return;
	}
	if (t == NULL || !t->t_stopped ||
	    ptrace(PTRACE_GETSIGINFO, t->t_tid, NULL, &si) == -1) {
		gdb_error(s, ESRCH, "no siginfo");
		return;
	}
	memcpy((char *)&si + off, c->c_p, n);
	if (ptrace(PTRACE_SETSIGINFO, t->t_tid, NULL, &si) == -1) {
		gdb_error(s, errno, "cannot write siginfo");
		return;
	}
	gdb_replyf(s, "%zx", n);
}

/* Build the document of one object: 0, -1 with errno, 1 if unknown. */
static int
xfer_build(struct gsess *s, const char *obj, size_t objlen,
    const char *annex, struct rsp_buf *doc)
{
	errno = 0;
#define IS(name) (objlen == sizeof(name) - 1 && memcmp(obj, name, objlen) == 0)
	if (IS("threads"))
		return xfer_threads(s, doc);
	if (IS("libraries-svr4"))
		return xfer_libraries(s, doc);
	if (IS("exec-file"))
		return xfer_exec_file(s, annex, doc);
	if (IS("siginfo"))
		return xfer_siginfo(s, doc);
	if (IS("auxv"))
		return xfer_auxv(s, doc);
	if (IS("osdata"))
		return xfer_osdata(annex, doc);
#undef IS
	return 1;
}

void
gdb_qxfer(struct gsess *s, struct rsp_cursor *c)
{
	char annex[XFER_MAX_ANNEX], key[sizeof(s->s_xkey)];
	const char *obj, *f;
	size_t objlen, flen, len;
	uint64_t off, want;
	int rc;

	if (rsp_get_field(c, ':', &obj, &objlen) == -1) {
		gdb_empty(s);
		return;
	}
	if (objlen == 7 && memcmp(obj, "siginfo", 7) == 0 &&
	    rsp_cursor_skip(c, "write:")) {
		xfer_siginfo_write(s, c);
		return;
	}
	if (!rsp_cursor_skip(c, "read:") ||
	    rsp_get_field(c, ':', &f, &flen) == -1 || flen >= sizeof(annex) ||
	    rsp_get_hex(c, &off) == -1 || rsp_get_char(c, ',') == -1 ||
	    rsp_get_hex(c, &want) == -1) {
		gdb_error(s, EINVAL, "bad qXfer request");
		return;
	}
	memcpy(annex, f, flen);
	annex[flen] = '\0';
	if (objlen == 8 && memcmp(obj, "features", 8) == 0) {
		/* lldb gets lldb-server's form, its test suite reads it. */
		const char *xml = s->s_lldb && strcmp(annex, "target.xml") == 0 ?
		    regs_tdesc_lldb(&len) : regs_tdesc(annex, &len);

		if (xml == NULL)
			gdb_error(s, ENOENT, "no such target description");
		else
			xfer_send(s, xml, len, off, want);
		return;
	}
	snprintf(key, sizeof(key), "%.*s:%s", (int)objlen, obj, annex);
	/*
	 * A document is built when a read starts (offset 0) and kept for the
	 * rest of that read, so every chunk comes from one snapshot even
	 * while processes come and go.
	 */
	if (off != 0 && strcmp(key, s->s_xkey) == 0) {
		xfer_send(s, rsp_buf_head(&s->s_xdoc), rsp_buf_used(&s->s_xdoc),
		    off, want);
		return;
	}
	s->s_xkey[0] = '\0';
	rsp_buf_reset(&s->s_xdoc);
	if ((rc = xfer_build(s, obj, objlen, annex, &s->s_xdoc)) == 1) {
		gdb_empty(s);
		return;
	}
	if (rc == -1) {
		gdb_error(s, errno != 0 ? errno : EIO, "cannot read object");
		return;
	}
	strlcpy(s->s_xkey, key, sizeof(s->s_xkey));
	xfer_send(s, rsp_buf_head(&s->s_xdoc), rsp_buf_used(&s->s_xdoc), off,
	    want);
}
