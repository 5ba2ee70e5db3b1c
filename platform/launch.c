/*
 * launch.c -- starting, attaching to, detaching from and killing
 * processes.
 */
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/ptrace_int.h"
#include "platform/signals.h"
#include "platform/target.h"

#define LAUNCH_MAX_CMDLINE	65536	/* bytes of a shell command line */

/* Where the child failed, sent to the parent with errno. */
enum launch_stage {
	LAUNCH_AT_EXEC = 0,
	LAUNCH_AT_STDIN,		/* then stdout, stderr */
	LAUNCH_AT_CWD = LAUNCH_AT_STDIN + 3,
};

/*
 * Append one word for sh -c.  A word is escaped the way gdbserver does it
 * (construct_inferior_arguments): a backslash before each character the
 * shell treats specially, a newline inside quotes, '' for an empty word;
 * so arguments reach the program as they were given.
 */
static int
shell_append(char *buf, size_t cap, size_t *len, const char *w, bool raw)
{
	static const char special[] = "\"!#$&*()\\|[]{}<>?'`~^; \t\n";
	const char *s;

	if (*w == '\0' && !raw) {
		w = "''";
		raw = true;
	}
	for (s = w; *s != '\0'; s++) {
		if (*len + 4 >= cap)
			return -1;
		if (!raw && *s == '\n') {
			memcpy(buf + *len, "'\n'", 3);
			*len += 3;
			continue;
		}
		if (!raw && strchr(special, *s) != NULL)
			buf[(*len)++] = '\\';
		buf[(*len)++] = *s;
	}
	if (*len + 2 >= cap)
		return -1;
	buf[(*len)++] = ' ';
	buf[*len] = '\0';
	return 0;
}

/*
 * In the child: fds 0, 1, 2 open the files l_stdio names, as
 * lldb-server's file actions do (read-only for stdin; created,
 * write-only and not truncated for the others).
 */
static int
launch_stdio(const struct launch *l, int *stage)
{
	int fd, i, flags;

	for (i = 0; i < 3; i++) {
		if (l->l_stdio[i] == NULL)
			continue;
		*stage = LAUNCH_AT_STDIN + i;
		flags = O_NOCTTY | (i == 0 ? O_RDONLY : O_WRONLY | O_CREAT);
		if ((fd = open(l->l_stdio[i], flags, 0666)) == -1)
			return -1;
		if (fd != i) {
			if (dup2(fd, i) == -1)
				return -1;
			close(fd);
		}
	}
	return 0;
}

/* The child side of launching: never returns. */
static void __attribute__((noreturn))
launch_child(const struct launch *l, int errfd)
{
	static char cmd[LAUNCH_MAX_CMDLINE];
	char *argv_sh[4];
	const char *shell;
	size_t len = 0;
	int msg[2], i, stage = LAUNCH_AT_EXEC;

	sig_reset_all();
	setpgid(0, 0);
	if (l->l_stdio_quiet) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd != -1) {
			dup2(fd, 0);
			close(fd);
		}
		dup2(2, 1);
	}
	if (launch_stdio(l, &stage) == -1)
		goto fail;
	stage = LAUNCH_AT_CWD;
	if (l->l_cwd != NULL && chdir(l->l_cwd) == -1)
		goto fail;
	stage = LAUNCH_AT_EXEC;
	if (l->l_no_aslr)
		personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE);
	/* Nothing of ours leaks in; errfd is close-on-exec. */
	if (errfd > 3)
		close_range(3, errfd - 1, 0);
	close_range(errfd + 1, ~0U, 0);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1)
		goto fail;
	if (l->l_shell) {
		if ((shell = getenv("SHELL")) == NULL || *shell == '\0')
			shell = "/bin/sh";
		shell_append(cmd, sizeof(cmd), &len, "exec", true);
		if (l->l_wrapper != NULL)
			shell_append(cmd, sizeof(cmd), &len, l->l_wrapper, true);
		for (i = 0; l->l_argv[i] != NULL; i++) {
			if (shell_append(cmd, sizeof(cmd), &len, l->l_argv[i],
			    false) == -1) {
				errno = E2BIG;
				goto fail;
			}
		}
		argv_sh[0] = (char *)shell;
		argv_sh[1] = "-c";
		argv_sh[2] = cmd;
		argv_sh[3] = NULL;
		execve(shell, argv_sh, l->l_envp);
	} else {
		execvpe(l->l_argv[0], l->l_argv, l->l_envp);
	}
fail:
	msg[0] = stage;
	msg[1] = errno;
	(void)!write(errfd, msg, sizeof(msg));
	_exit(127);
}

/* The parent's words for the child's failure at stage with errno e. */
static void
launch_message(const struct launch *l, int stage, int e, char *err,
    size_t errlen)
{
	if (stage >= LAUNCH_AT_STDIN && stage < LAUNCH_AT_STDIN + 3)
		snprintf(err, errlen, "cannot open %s for fd %d: %s",
		    l->l_stdio[stage - LAUNCH_AT_STDIN], stage - LAUNCH_AT_STDIN,
		    strerror(e));
	else if (stage == LAUNCH_AT_CWD)
		snprintf(err, errlen, "cannot enter %s: %s", l->l_cwd,
		    strerror(e));
	else
		snprintf(err, errlen, "%s: execve failed: %s", l->l_argv[0],
		    strerror(e));
}

/* Split a wrapper command line into words (no quoting rules). */
static char **
split_words(const char *s, char **argv, int max)
{
	char *copy = strdup(s), *w, *save = NULL;
	int n = 0;

	if (copy == NULL)
		return NULL;
	for (w = strtok_r(copy, " \t", &save); w != NULL && n < max - 1;
	    w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n] = NULL;
	return argv;
}

/* Wait for the launched program's own exec, past the shell and wrapper. */
static int
launch_wait_execs(pid_t pid, int execs, char *err, size_t errlen)
{
	int status, sig;

	for (;;) {
		if (waitpid(pid, &status, __WALL) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (WIFEXITED(status)) {
			snprintf(err, errlen,
			    "During startup program exited with code %d.",
			    WEXITSTATUS(status));
			return -1;
		}
		if (WIFSIGNALED(status)) {
			snprintf(err, errlen,
			    "During startup program terminated with signal %d.",
			    WTERMSIG(status));
			return -1;
		}
		sig = WSTOPSIG(status);
		if (sig == SIGTRAP && ((unsigned)status >> 16 == 0 ||
		    (unsigned)status >> 16 == PTRACE_EVENT_EXEC)) {
			if (--execs == 0)
				return 0;
			sig = 0;
		} else if (sig == SIGTRAP) {
			sig = 0;	/* a fork of the shell; it is detached */
		}
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig) == -1) {
			snprintf(err, errlen, "ptrace: %s", strerror(errno));
			return -1;
		}
	}
}

int
tgt_launch(struct target *g, const struct launch *l, struct proc **pp,
    char *err, size_t errlen)
{
	struct launch lw = *l;
	char *wargv[TGT_MAX_ARGS + 2];
	char *wcopy[TGT_MAX_ARGS + 1];
	int pfd[2], msg[2], e, n, execs = 1;
	struct proc *p;
	ssize_t r;
	pid_t pid;

	if (l->l_wrapper != NULL && !l->l_shell) {
		/* No shell: the wrapper's words come first in argv. */
		if (split_words(l->l_wrapper, wcopy, TGT_MAX_ARGS) == NULL)
			return -1;
		for (n = 0; wcopy[n] != NULL; n++)
			wargv[n] = wcopy[n];
		for (e = 0; l->l_argv[e] != NULL && n < TGT_MAX_ARGS; e++)
			wargv[n++] = l->l_argv[e];
		wargv[n] = NULL;
		lw.l_argv = wargv;
		lw.l_wrapper = NULL;
	}
	if (l->l_shell)
		execs++;
	if (l->l_wrapper != NULL)
		execs++;
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		launch_child(&lw, pfd[1]);
	}
	if (l->l_wrapper != NULL && !l->l_shell)
		free(wcopy[0]);
	close(pfd[1]);
	r = read(pfd[0], msg, sizeof(msg));
	close(pfd[0]);
	if (r == (ssize_t)sizeof(msg)) {
		waitpid(pid, NULL, __WALL);
		launch_message(l, msg[0], msg[1], err, errlen);
		errno = msg[1];
		return -1;
	}
	if (launch_wait_execs(pid, execs, err, errlen) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		errno = ENOEXEC;	/* it ran, but not into the program */
		return -1;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
	    (void *)(long)(PTR_OPTIONS | PTRACE_O_EXITKILL)) == -1 ||
	    (p = proc_new(g, pid, false)) == NULL ||
	    thr_new(p, pid) == NULL) {
		snprintf(err, errlen, "ptrace: %s", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		return -1;
	}
	TAILQ_FIRST(&p->p_threads)->t_stopped = true;
	TAILQ_FIRST(&p->p_threads)->t_stop.s_kind = STOP_SIGNAL;
	TAILQ_FIRST(&p->p_threads)->t_stop.s_signo = SIGTRAP;
	*pp = p;
	return 0;
}
