/*
 * check_dialect.c -- lldb's dialect against gdb's, on the wire: what a
 * client that sends lldb's qSupported (a bare one, or xmlRegisters=
 * with lldb's features) gets, as lldb-server 16 sends it, and that a
 * gdb-style client still gets gdbserver's replies.
 *
 * The client here is raw: it frames, acknowledges and reads packets
 * itself, so run-length encoding is seen as sent.  Each test starts
 * "handoffd gdbserver --once" on a free port with its program.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "client/rspc.h"
#include "rsp/rsp.h"
#include "tests/ck.h"
#include "tests/integration/itest.h"

#define SRV_START_MS	10000	/* for "Listening on port N" */
#define SRV_EXIT_MS	10000	/* for the server to exit */
#define REPLY_MS	10000	/* for one reply */
#define SRV_MAX_ERR	16384	/* bytes of the server's stderr kept */
#define RAW_MAX		(RSP_MAX_PACKET + 16) /* bytes of one raw reply */

#define LISTENING	"Listening on port "

/* A gdb 13 qSupported on x86-64. */
#define GDB_FEATURES	"qSupported:multiprocess+;swbreak+;hwbreak+;" \
	"qRelocInsn+;fork-events+;vfork-events+;exec-events+;" \
	"vContSupported+;QThreadEvents+;no-resumed+;xmlRegisters=i386"
/* lldb 16's. */
#define LLDB_FEATURES	"qSupported:xmlRegisters=i386,arm,mips,arc;" \
	"multiprocess+;fork-events+;vfork-events+"
/* lldb-server 16's reply to a bare qSupported, PacketSize aside. */
#define LLDB_REPLY	"QStartNoAckMode+;qEcho+;native-signals+;" \
	"QThreadSuffixSupported+;QListThreadsInStopReply+;" \
	"qXfer:features:read+;QPassSignals+;qXfer:auxv:read+;" \
	"qXfer:libraries-svr4:read+;qXfer:siginfo:read+"

struct srv {
	pid_t		 s_pid;
	int		 s_errfd;
	char		 s_err[SRV_MAX_ERR];
	size_t		 s_errlen;
	int		 s_fd;		/* the raw connection */
	char		 s_in[RAW_MAX];
	size_t		 s_inlen;
	char		 s_reply[RAW_MAX];	/* payload, as sent */
};

/* Start handoffd on argv (absolute program path first) and connect. */
static void
srv_start(struct srv *sv, char *const prog[])
{
	char *argv[16], exe[1024];
	struct sockaddr_in sin;
	const char *hit;
	int n = 0, i;

	memset(sv, 0, sizeof(*sv));
	path_of(exe, sizeof(exe), "handoffd");
	argv[n++] = exe;
	argv[n++] = "gdbserver";
	argv[n++] = "--once";
	argv[n++] = "127.0.0.1:0";
	for (i = 0; prog[i] != NULL && n < 15; i++)
		argv[n++] = prog[i];
	argv[n] = NULL;
	sv->s_pid = spawn(argv, &sv->s_errfd);
	hit = read_until(sv->s_errfd, sv->s_err, sizeof(sv->s_err),
	    &sv->s_errlen, LISTENING, now_ms() + SRV_START_MS);
	ck_assert_msg(hit != NULL, "server did not start: %s", sv->s_err);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(hit + strlen(LISTENING)));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(sv->s_fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(connect(sv->s_fd, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
}

static void
srv_finish(struct srv *sv)
{
	close(sv->s_fd);
	kill(sv->s_pid, SIGTERM);
	if (wait_exit(sv->s_pid, SRV_EXIT_MS) == -1) {
		kill(sv->s_pid, SIGKILL);
		waitpid(sv->s_pid, NULL, 0);
	}
	close(sv->s_errfd);
}

static void
raw_send(struct srv *sv, const char *pkt)
{
	struct rsp_buf b;

	rsp_buf_init(&b);
	ck_assert_int_eq(rsp_frame(&b, '$', pkt, strlen(pkt), false), 0);
	ck_assert_int_eq(write(sv->s_fd, rsp_buf_head(&b), rsp_buf_used(&b)),
	    (ssize_t)rsp_buf_used(&b));
	rsp_buf_free(&b);
}

/* The next packet's payload as sent (acks skipped); acknowledged. */
static const char *
raw_wait(struct srv *sv)
{
	struct pollfd pfd = { .fd = sv->s_fd, .events = POLLIN };
	long long end = now_ms() + REPLY_MS;
	char *dollar, *hash;
	size_t n;
	ssize_t got;

	for (;;) {
		sv->s_in[sv->s_inlen] = '\0';
		if ((dollar = strchr(sv->s_in, '$')) != NULL &&
		    (hash = strchr(dollar, '#')) != NULL &&
		    (size_t)(hash + 3 - sv->s_in) <= sv->s_inlen)
			break;
		ck_assert_msg(now_ms() < end && poll(&pfd, 1, REPLY_MS) == 1,
		    "no reply; have \"%s\"", sv->s_in);
		got = read(sv->s_fd, sv->s_in + sv->s_inlen,
		    sizeof(sv->s_in) - 1 - sv->s_inlen);
		ck_assert_int_gt(got, 0);
		sv->s_inlen += (size_t)got;
	}
	n = (size_t)(hash - dollar - 1);
	memcpy(sv->s_reply, dollar + 1, n);
	sv->s_reply[n] = '\0';
	n = (size_t)(hash + 3 - sv->s_in);
	memmove(sv->s_in, sv->s_in + n, sv->s_inlen - n);
	sv->s_inlen -= n;
	ck_assert_int_eq(write(sv->s_fd, "+", 1), 1);
	return (sv->s_reply);
}

static const char *
raw_req(struct srv *sv, const char *pkt)
{
	raw_send(sv, pkt);
	return (raw_wait(sv));
}

#define REPLY_IS(sv, pkt, want) do {					\
	const char *r_ = raw_req((sv), (pkt));				\
	ck_assert_msg(strcmp(r_, (want)) == 0,				\
	    "%s: got \"%.300s\", want \"%s\"", (pkt), r_, (want));	\
} while (0)

static void
start_hello(struct srv *sv)
{
	static char path[1024];
	char *prog[2] = { path, NULL };

	path_of(path, sizeof(path), "tests/progs/hello");
	srv_start(sv, prog);
}

static pid_t
inferior_pid(struct srv *sv)
{
	const char *hit = strstr(sv->s_err, "pid = ");

	ck_assert_msg(hit != NULL, "no pid in %s", sv->s_err);
	return ((pid_t)atoi(hit + 6));
}

/* ------------------------------------------------------------ qSupported */

START_TEST(bare_qsupported_gets_lldb_servers_features)
{
	struct srv sv;
	const char *r;

	start_hello(&sv);
	r = raw_req(&sv, "qSupported");
	ck_assert_msg(strncmp(r, "PacketSize=", 11) == 0 &&
	    strstr(r, ";" LLDB_REPLY) != NULL &&
	    strcmp(strstr(r, ";" LLDB_REPLY), ";" LLDB_REPLY) == 0,
	    "got %s", r);
	srv_finish(&sv);
}
END_TEST

START_TEST(lldbs_qsupported_gets_multiprocess_as_well)
{
	struct srv sv;
	const char *r;

	start_hello(&sv);
	r = raw_req(&sv, LLDB_FEATURES);
	ck_assert_msg(strstr(r, ";" LLDB_REPLY ";multiprocess+") != NULL &&
	    strstr(r, "swbreak") == NULL && strstr(r, "QNonStop") == NULL,
	    "got %s", r);
	REPLY_IS(&sv, "qEcho:1", "qEcho:1");
	REPLY_IS(&sv, "qMemoryRegionInfo", "OK");
	srv_finish(&sv);
}
END_TEST

START_TEST(gdbs_qsupported_gets_gdbservers_features)
{
	struct srv sv;
	const char *r;

	start_hello(&sv);
	r = raw_req(&sv, GDB_FEATURES);
	ck_assert_msg(strstr(r, "swbreak+") != NULL &&
	    strstr(r, "QProgramSignals+") != NULL &&
	    strstr(r, "qEcho") == NULL, "got %s", r);
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ replies */

START_TEST(gdb_gets_run_length_encoding_and_registers_first)
{
	struct srv sv;
	const char *r;

	start_hello(&sv);
	raw_req(&sv, GDB_FEATURES);
	r = raw_req(&sv, "g");
	ck_assert_msg(strchr(r, '*') != NULL, "g: no run in %s", r);
	r = raw_req(&sv, "?");
	ck_assert_msg(strncmp(r, "T0506:", 6) == 0 &&
	    strstr(r, ";thread:") != NULL, "?: got %s", r);
	srv_finish(&sv);
}
END_TEST

START_TEST(lldb_gets_plain_hex_and_thread_first)
{
	struct srv sv;
	const char *r;

	start_hello(&sv);
	raw_req(&sv, "qSupported");
	r = raw_req(&sv, "g");
	ck_assert_msg(strchr(r, '*') == NULL, "g: a run in %s", r);
	r = raw_req(&sv, "?");
	ck_assert_msg(strncmp(r, "T05thread:", 10) == 0 &&
	    strchr(r, '*') == NULL, "?: got %s", r);
	ck_assert_msg(strstr(r, ";00:") != NULL && strstr(r, ";06:") != NULL &&
	    strstr(r, ";10:") != NULL, "?: registers missing in %s", r);
	ck_assert_msg(strstr(r, ";10:") < strstr(r, "reason:"),
	    "?: reason before registers in %s", r);
	srv_finish(&sv);
}
END_TEST

/* The whole target.xml, read in pieces of 0x800 bytes. */
static void
read_target_xml(struct srv *sv, char *xml, size_t size)
{
	char pkt[64];
	const char *r;
	size_t len = 0, n;

	for (;;) {
		snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,"
		    "800", len);
		r = raw_req(sv, pkt);
		ck_assert_msg(*r == 'm' || *r == 'l', "%s: got %.100s", pkt, r);
		n = strlen(r + 1);
		ck_assert_uint_lt(len + n, size);
		memcpy(xml + len, r + 1, n);
		len += n;
		if (*r == 'l')
			break;
	}
	xml[len] = '\0';
}

/* The value of KEY in a qRegisterInfo reply ("KEY:VALUE;"), or "". */
static const char *
reginfo_key(const char *r, const char *key, char *out, size_t size)
{
	const char *at = r, *end;

	out[0] = '\0';
	/* A whole key: "set:" is not the end of "offset:". */
	while ((at = strstr(at, key)) != NULL && at != r && at[-1] != ';')
		at++;
	if (at != NULL && (end = strchr(at += strlen(key), ';')) != NULL)
		snprintf(out, size, "%.*s", (int)(end - at), at);
	return (out);
}

/*
 * target.xml: BFD's architecture name and GDB's features for gdb; for
 * lldb, lldb-server's form: one feature, and each register as its
 * qRegisterInfo reply describes it (lldb's TestGdbRemoteTargetXmlPacket).
 */
START_TEST(target_xml_is_each_clients_own)
{
	static char xml[65536];
	char pkt[32], want[512], k[6][64];
	const char *r, *p;
	struct srv sv;
	unsigned n, regs;

	start_hello(&sv);
	raw_req(&sv, GDB_FEATURES);
	read_target_xml(&sv, xml, sizeof(xml));
	ck_assert_msg(strstr(xml, "<architecture>i386:x86-64</architecture>") !=
	    NULL && strstr(xml, "<feature name=\"org.gnu.gdb.i386.core\">") !=
	    NULL, "gdb: got %.300s", xml);
	srv_finish(&sv);

	start_hello(&sv);
	raw_req(&sv, "qSupported");
	read_target_xml(&sv, xml, sizeof(xml));
	ck_assert_msg(strstr(xml, "<architecture>x86_64</architecture>") !=
	    NULL, "lldb: got %.300s", xml);
	p = strstr(xml, "<feature>");
	ck_assert_msg(p != NULL && strstr(p + 1, "<feature") == NULL,
	    "lldb: not one feature: %.300s", xml);
	for (regs = 0, p = xml; (p = strstr(p, "<reg ")) != NULL; p++)
		regs++;
	for (n = 0;; n++) {
		snprintf(pkt, sizeof(pkt), "qRegisterInfo%x", n);
		if (strcmp(r = raw_req(&sv, pkt), "E45") == 0)
			break;
		snprintf(want, sizeof(want), "<reg name=\"%s\" bitsize=\"%s\" "
		    "regnum=\"%u\" offset=\"%s\" encoding=\"%s\" "
		    "format=\"%s\" group=\"%s\"",
		    reginfo_key(r, "name:", k[0], sizeof(k[0])),
		    reginfo_key(r, "bitsize:", k[1], sizeof(k[1])), n,
		    reginfo_key(r, "offset:", k[2], sizeof(k[2])),
		    reginfo_key(r, "encoding:", k[3], sizeof(k[3])),
		    reginfo_key(r, "format:", k[4], sizeof(k[4])),
		    reginfo_key(r, "set:", k[5], sizeof(k[5])));
		ck_assert_msg(strstr(xml, want) != NULL, "register %u: no %s",
		    n, want);
	}
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(regs, n);
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ packets */

START_TEST(lldb_single_packets_as_lldb_server_answers_them)
{
	struct srv sv;
	char pkt[64];
	pid_t pid;

	start_hello(&sv);
	raw_req(&sv, "qSupported");
	pid = inferior_pid(&sv);
	snprintf(pkt, sizeof(pkt), "Hgp0.%x", (unsigned)pid);
	REPLY_IS(&sv, pkt, "Eff");
	snprintf(pkt, sizeof(pkt), "Hgp-1.%x", (unsigned)pid);
	REPLY_IS(&sv, pkt, "Eff");
	snprintf(pkt, sizeof(pkt), "Hgp1.%x", (unsigned)pid);
	REPLY_IS(&sv, pkt, "Eff");
	snprintf(pkt, sizeof(pkt), "Hgp%x.%x", (unsigned)pid, (unsigned)pid);
	REPLY_IS(&sv, pkt, "OK");
	REPLY_IS(&sv, "Hg0", "OK");
	REPLY_IS(&sv, "Hc-1", "OK");
	REPLY_IS(&sv, "QPassSignals:a;c ", "OK");
	srv_finish(&sv);
}
END_TEST

/* lldb-server's tests start with QStartNoAckMode and no qSupported. */
START_TEST(qstartnoackmode_first_is_lldb)
{
	struct srv sv;
	const char *r;
	char pkt[64];

	start_hello(&sv);
	REPLY_IS(&sv, "QStartNoAckMode", "OK");
	r = raw_req(&sv, "g");
	ck_assert_msg(strchr(r, '*') == NULL, "g: a run in %s", r);
	REPLY_IS(&sv, "QThreadSuffixSupported", "OK");
	snprintf(pkt, sizeof(pkt), "P0=0100000000000000;thread:%x",
	    (unsigned)inferior_pid(&sv));
	REPLY_IS(&sv, pkt, "OK");
	snprintf(pkt, sizeof(pkt), "p0;thread:%x", (unsigned)inferior_pid(&sv));
	REPLY_IS(&sv, pkt, "0100000000000000");
	REPLY_IS(&sv, "k", "X09");
	srv_finish(&sv);
}
END_TEST

START_TEST(gdb_keeps_hg_with_pid_zero)
{
	struct srv sv;

	start_hello(&sv);
	raw_req(&sv, GDB_FEATURES);
	REPLY_IS(&sv, "Hgp0.0", "OK");
	REPLY_IS(&sv, "Hgp-1.-1", "OK");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ interrupt */

static void
start_spin(struct srv *sv)
{
	static char path[1024];
	char *prog[2] = { path, NULL };

	path_of(path, sizeof(path), "tests/progs/spin");
	srv_start(sv, prog);
}

/* Run, let it run a moment, interrupt: the stop reply. */
static const char *
run_and_interrupt(struct srv *sv)
{
	raw_send(sv, "c");
	usleep(200000);		/* it runs */
	ck_assert_int_eq(write(sv->s_fd, "\003", 1), 1);
	return (raw_wait(sv));
}

START_TEST(lldb_interrupt_is_sigstop_and_c_signals_the_process)
{
	struct srv sv;
	const char *r;

	start_spin(&sv);
	raw_req(&sv, "qSupported");
	r = run_and_interrupt(&sv);
	ck_assert_msg(strncmp(r, "T13thread:", 10) == 0, "0x03: got %s", r);
	r = raw_req(&sv, "C0a");
	ck_assert_msg(strncmp(r, "T0athread:", 10) == 0 &&
	    strstr(r, ";reason:signal;") != NULL, "C0a: got %s", r);
	srv_finish(&sv);
}
END_TEST

START_TEST(gdb_interrupt_is_sigint)
{
	struct srv sv;
	const char *r;

	start_spin(&sv);
	raw_req(&sv, GDB_FEATURES);
	r = run_and_interrupt(&sv);
	ck_assert_msg(strncmp(r, "T02", 3) == 0, "0x03: got %s", r);
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ exec */

static void
start_exec(struct srv *sv)
{
	char *prog[] = { "/bin/sh", "-c", "exec /bin/true", NULL };

	srv_start(sv, prog);
}

START_TEST(lldb_sees_exec_as_lldb_server_reports_it)
{
	struct srv sv;
	const char *r;

	start_exec(&sv);
	raw_req(&sv, "qSupported");
	r = raw_req(&sv, "c");
	ck_assert_msg(strncmp(r, "T13thread:", 10) == 0 &&
	    strstr(r, ";reason:exec;") != NULL, "c: got %s", r);
	srv_finish(&sv);
}
END_TEST

START_TEST(gdb_without_exec_events_sees_a_sigtrap)
{
	struct srv sv;
	const char *r;

	start_exec(&sv);
	raw_req(&sv, "qSupported:multiprocess+;swbreak+");
	r = raw_req(&sv, "c");
	ck_assert_msg(strncmp(r, "T05", 3) == 0 && strstr(r, "exec") == NULL,
	    "c: got %s", r);
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ Z3 */

/* Where sym is in the program pid runs (PIE: its first mapping). */
static unsigned long long
symbol_address(pid_t pid, const char *prog, const char *sym)
{
	char cmd[1200], line[512], path[64];
	unsigned long long off = 0, base = 0;
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "nm %s", prog);
	ck_assert_ptr_nonnull(fp = popen(cmd, "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		char name[256], type;

		if (sscanf(line, "%llx %c %255s", &off, &type, name) == 3 &&
		    strcmp(name, sym) == 0)
			break;
		off = 0;
	}
	pclose(fp);
	ck_assert_msg(off != 0, "no %s in %s", sym, prog);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	ck_assert_ptr_nonnull(fp = fopen(path, "re"));
	ck_assert_int_eq(fscanf(fp, "%llx", &base), 1);
	fclose(fp);
	return (base + off);
}

START_TEST(lldb_gets_an_access_watchpoint_for_z3)
{
	struct srv sv;
	char path[1024], pkt[64];
	char *prog[] = { path, NULL };
	unsigned long long a;
	const char *r;

	path_of(path, sizeof(path), "tests/progs/watch");
	srv_start(&sv, prog);
	raw_req(&sv, "qSupported");
	a = symbol_address(inferior_pid(&sv), path, "watched");
	snprintf(pkt, sizeof(pkt), "Z3,%llx,8", a);
	REPLY_IS(&sv, pkt, "OK");
	r = raw_req(&sv, "c");
	ck_assert_msg(strncmp(r, "T05thread:", 10) == 0 &&
	    strstr(r, ";reason:watchpoint;") != NULL, "c: got %s", r);
	snprintf(pkt, sizeof(pkt), "z3,%llx,8", a);
	REPLY_IS(&sv, pkt, "OK");
	srv_finish(&sv);
}
END_TEST

START_TEST(gdb_gets_no_z3)
{
	struct srv sv;
	char path[1024], pkt[64];
	char *prog[] = { path, NULL };

	path_of(path, sizeof(path), "tests/progs/watch");
	srv_start(&sv, prog);
	raw_req(&sv, GDB_FEATURES);
	snprintf(pkt, sizeof(pkt), "Z3,%llx,8", symbol_address(
	    inferior_pid(&sv), path, "watched"));
	REPLY_IS(&sv, pkt, "");
	srv_finish(&sv);
}
END_TEST

static Suite *
dialect_suite(void)
{
	Suite *s = suite_create("dialect");

	ck_add(s, "bare_qsupported", bare_qsupported_gets_lldb_servers_features,
	    30, NULL);
	ck_add(s, "lldb_qsupported", lldbs_qsupported_gets_multiprocess_as_well,
	    30, NULL);
	ck_add(s, "gdb_qsupported", gdbs_qsupported_gets_gdbservers_features,
	    30, NULL);
	ck_add(s, "gdb_rle", gdb_gets_run_length_encoding_and_registers_first,
	    30, NULL);
	ck_add(s, "lldb_plain", lldb_gets_plain_hex_and_thread_first, 30, NULL);
	ck_add(s, "lldb_packets", lldb_single_packets_as_lldb_server_answers_them,
	    30, NULL);
	ck_add(s, "gdb_hg", gdb_keeps_hg_with_pid_zero, 30, NULL);
	ck_add(s, "noack_first", qstartnoackmode_first_is_lldb, 30, NULL);
	ck_add(s, "lldb_interrupt",
	    lldb_interrupt_is_sigstop_and_c_signals_the_process, 30, NULL);
	ck_add(s, "gdb_interrupt", gdb_interrupt_is_sigint, 30, NULL);
	ck_add(s, "lldb_exec", lldb_sees_exec_as_lldb_server_reports_it, 30,
	    NULL);
	ck_add(s, "gdb_exec", gdb_without_exec_events_sees_a_sigtrap, 30, NULL);
	ck_add(s, "lldb_z3", lldb_gets_an_access_watchpoint_for_z3, 30, NULL);
	ck_add(s, "gdb_z3", gdb_gets_no_z3, 30, NULL);
	ck_add(s, "target_xml", target_xml_is_each_clients_own, 30, NULL);
	return s;
}

int
main(void)
{
	return ck_run(dialect_suite());
}
