/*
 * handoffd.h -- the sub-commands of the one binary.
 */
#ifndef DAEMON_HANDOFFD_H
#define DAEMON_HANDOFFD_H

int	cmd_gdbserver(int argc, char **argv);
int	cmd_platform(int argc, char **argv);
void	handoffd_version(void);
void	proc_title(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif /* DAEMON_HANDOFFD_H */
