/*
 * rspc_int.h -- what the files of client/ share and nobody else calls.
 */
#ifndef CLIENT_RSPC_INT_H
#define CLIENT_RSPC_INT_H

/* CLOCK_MONOTONIC in milliseconds. */
long long rspc_now_ms(void);
/* Wait for events on fd until deadline (-1: none): 1, or -1 with errno. */
int	 rspc_poll(int fd, short events, long long deadline);

#endif /* CLIENT_RSPC_INT_H */
