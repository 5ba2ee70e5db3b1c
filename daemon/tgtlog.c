/*
 * tgtlog.c -- one log line for each fact platform/ hands up (struct
 * tgt_note): children it let go, threads it had to forget.
 */
#include <string.h>

#include "daemon/log.h"
#include "daemon/tgtlog.h"

static const char *
child_how(enum tgt_child_how how)
{
	switch (how) {
	case CHILD_FORK:
		return "fork";
	case CHILD_VFORK:
		return "vfork";
	case CHILD_CLONE:
		return "clone without CLONE_THREAD";
	}
	return "?";
}

static void
note_dropped(const struct tgt_note *n)
{
	const char *err = strerror(n->n_errno);

	if (n->n_state == 'Z')
		log_warnx("thread %d of process %d cannot be stopped (%s): "
		    "a zombie; forgotten", (int)n->n_tid, (int)n->n_pid, err);
	else if (n->n_tgid == -1)
		log_warnx("thread %d of process %d cannot be stopped (%s): "
		    "gone; forgotten", (int)n->n_tid, (int)n->n_pid, err);
	else if (n->n_tgid != n->n_pid)
		log_warnx("thread %d of process %d cannot be stopped (%s): "
		    "a task of process %d; forgotten", (int)n->n_tid,
		    (int)n->n_pid, err, (int)n->n_tgid);
	else
		log_warnx("thread %d of process %d cannot be stopped (%s), "
		    "state %c; forgotten", (int)n->n_tid, (int)n->n_pid, err,
		    n->n_state == -1 ? '?' : n->n_state);
}

void
tgtlog_note(void *arg, const struct tgt_note *n)
{
	(void)arg;
	switch (n->n_kind) {
	case NOTE_CHILD_DETACHED:
		log_info("process %d ppid %d (%s%s) detached without "
		    "breakpoints", (int)n->n_pid, (int)n->n_ppid,
		    child_how(n->n_how), n->n_shared_vm ? ", shared memory" : "");
		if (n->n_bps_left > 0)
			log_warnx("process %d shares the memory of %d: %u "
			    "breakpoints stay in it", (int)n->n_pid,
			    (int)n->n_ppid, n->n_bps_left);
		break;
	case NOTE_CHILD_LOST:
		log_info("process %d ppid %d (%s) gone before detach",
		    (int)n->n_pid, (int)n->n_ppid, child_how(n->n_how));
		break;
	case NOTE_THREAD_DROPPED:
		note_dropped(n);
		break;
	case NOTE_EXEC:
		log_info("process %d runs a new program: %s", (int)n->n_pid,
		    n->n_exe[0] != '\0' ? n->n_exe : "?");
		if (n->n_setid_lost)
			log_warnx("process %d: %s is set-uid or set-gid (owner "
			    "%lu, group %lu) but runs as uid %lu, gid %lu, "
			    "without that privilege: the kernel does not raise "
			    "a traced program's", (int)n->n_pid, n->n_exe,
			    (unsigned long)n->n_file_uid,
			    (unsigned long)n->n_file_gid,
			    (unsigned long)n->n_euid, (unsigned long)n->n_egid);
		break;
	}
}

static void
last_word(const struct proc *p, unsigned removed)
{
	if (p->p_attached)
		log_warnx("process %d detached, running, as this process "
		    "dies (the kernel's detach): %u breakpoints taken out",
		    (int)p->p_pid, removed);
	else
		log_warnx("process %d killed with this process "
		    "(PTRACE_O_EXITKILL)", (int)p->p_pid);
}

void
tgtlog_last_words(void)
{
	tgt_last_words(last_word);
}
