/* TEMPORARY: replaced by the wip-peer branch. */
#ifndef PLATFORM_PEER_H
#define PLATFORM_PEER_H
#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
bool peer_entitled(int fd, bool allow_any, char *why, size_t whylen);
#endif
