/* TEMPORARY: replaced by the wip-peer branch. */
#include "platform/peer.h"
bool peer_entitled(int fd, bool allow_any, char *why, size_t whylen) { (void)fd; (void)allow_any; (void)why; (void)whylen; return true; }
