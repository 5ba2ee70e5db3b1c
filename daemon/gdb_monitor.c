/*
 * gdb_monitor.c -- "monitor" commands (qRcmd), as gdbserver has them.
 *
 * The command comes hex-encoded; its output goes back as O packets
 * (console output), then OK, or an error after the help text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "daemon/log.h"

#define MONITOR_MAX_CMD		1024	/* bytes of a monitor command */

static void
monitor_output(struct gsess *s, const char *text)
{
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addc(&s->s_reply, 'O');
	rsp_buf_addhex(&s->s_reply, text, strlen(text));
	gdb_reply_buf(s);
}

static void
monitor_help(struct gsess *s)
{
	monitor_output(s, "The following monitor commands are supported:\n"
	    "  set debug <0|1>\n"
	    "    Enable general debugging messages\n"
	    "  set debug-hw-points <0|1>\n"
	    "    Enable h/w breakpoint/watchpoint debugging messages\n"
	    "  set remote-debug <0|1>\n"
	    "    Enable remote protocol debugging messages\n"
	    "  set event-loop-debug <0|1>\n"
	    "    Enable event loop debugging messages\n"
	    "  set debug-format option1[,option2,...]\n"
	    "    Add additional information to debugging messages\n"
	    "    Options: all, none, timestamp\n"
	    "  set debug-file [FILE]\n"
	    "    Send debugging messages to FILE, or to stderr\n"
	    "  exit\n"
	    "    Quit the server\n");
}

/*
 * "set debug-format all,none,timestamp": our messages always carry a
 * timestamp; the options are accepted and said back as gdbserver does.
 * Returns -1 after saying which option is unknown.
 */
static int
debug_format(struct gsess *s, const char *opts)
{
	char copy[MONITOR_MAX_CMD], msg[MONITOR_MAX_CMD + 64], *o, *save = NULL;

	strlcpy(copy, opts, sizeof(copy));
	for (o = strtok_r(copy, ",", &save); o != NULL;
	    o = strtok_r(NULL, ",", &save)) {
		if (strcmp(o, "all") == 0)
			monitor_output(s, "All extra debug format options "
			    "enabled.\n");
		else if (strcmp(o, "none") == 0)
			monitor_output(s, "All extra debug format options "
			    "disabled.\n");
		else if (strcmp(o, "timestamp") == 0)
			monitor_output(s, "Timestamps will be added to debug "
			    "output.\n");
		else {
			snprintf(msg, sizeof(msg),
			    "Unknown debug-format argument: \"%s\"\n", o);
			monitor_output(s, msg);
			return -1;
		}
	}
	return 0;
}

/*
 * gdbserver finds libthread_db along this path to answer qGetTLSAddr.
 * We compute thread-local addresses without it (platform/tls.c), so the
 * path is accepted and said back, and changes nothing.
 */
static void
monitor_search_path(struct gsess *s, const char *path)
{
	char msg[MONITOR_MAX_CMD + 64];

	while (*path == ' ')
		path++;
	snprintf(msg, sizeof(msg), "libthread-db-search-path set to `%s'\n",
	    *path != '\0' ? path : "$pdir:$sdir");
	monitor_output(s, msg);
	gdb_ok(s);
}

static const struct {
	const char	*m_cmd;
	int		 m_level;	/* log level to set, -1: none */
	const char	*m_said;
} monitor_sets[] = {
	{ "set debug 1", LOG_LEVEL_DEBUG, "Debug output enabled.\n" },
	{ "set debug 0", LOG_LEVEL_INFO, "Debug output disabled.\n" },
	{ "set remote-debug 1", LOG_LEVEL_PACKET,
	    "Protocol debug output enabled.\n" },
	{ "set remote-debug 0", LOG_LEVEL_INFO,
	    "Protocol debug output disabled.\n" },
	{ "set debug-hw-points 1", -1,
	    "H/W point debugging output enabled.\n" },
	{ "set debug-hw-points 0", -1,
	    "H/W point debugging output disabled.\n" },
	{ "set event-loop-debug 1", -1, "Event loop debug output enabled.\n" },
	{ "set event-loop-debug 0", -1, "Event loop debug output disabled.\n" },
};

static void
monitor_run(struct gsess *s, const char *cmd)
{
	size_t i;

	for (i = 0; i < sizeof(monitor_sets) / sizeof(monitor_sets[0]); i++) {
		if (strcmp(cmd, monitor_sets[i].m_cmd) != 0)
			continue;
		if (monitor_sets[i].m_level >= 0)
			log_level = monitor_sets[i].m_level;
		monitor_output(s, monitor_sets[i].m_said);
		gdb_ok(s);
		return;
	}
	if (strncmp(cmd, "set debug-format ", 17) == 0) {
		if (debug_format(s, cmd + 17) == 0) {
			gdb_ok(s);
			return;
		}
		monitor_help(s);
		gdb_error(s, EINVAL, "unknown debug-format argument");
	} else if (strcmp(cmd, "set debug-file") == 0) {
		log_init(log_level, NULL);
		gdb_ok(s);
	} else if (strncmp(cmd, "set debug-file ", 15) == 0) {
		log_init(log_level, cmd + 15);
		gdb_ok(s);
	} else if (strncmp(cmd, "set libthread-db-search-path", 28) == 0 &&
	    (cmd[28] == '\0' || cmd[28] == ' ')) {
		monitor_search_path(s, cmd + 28);
	} else if (strcmp(cmd, "help") == 0) {
		monitor_help(s);
		gdb_ok(s);
	} else if (strcmp(cmd, "exit") == 0) {
		gdb_ok(s);
		log_info("monitor exit: ending the server");
		s->s_quit = true;
		s->s_once = true;
		conn_close(s->s_conn);	/* after the OK is out */
		s->s_conn = NULL;
	} else {
		monitor_output(s, "Unknown monitor command.\n\n");
		monitor_help(s);
		gdb_error(s, EINVAL, "unknown monitor command");
	}
}

/* qRcmd,HEX */
void
gdb_monitor(struct gsess *s, struct rsp_cursor *c)
{
	char cmd[MONITOR_MAX_CMD];
	size_t n;

	if (rsp_get_hexbytes(c, '\0', cmd, sizeof(cmd) - 1, &n) == -1) {
		gdb_error(s, EINVAL, "bad monitor command");
		return;
	}
	cmd[n] = '\0';
	monitor_run(s, cmd);
}
