/*
 * Attach to an existing Linux TAP device by name (the C programs that drive a TAP share this:
 * the tapio relay, the N-API helper, the native board and the lwIP reference server).
 */
#ifndef SYNACK_TAPATTACH_H
#define SYNACK_TAPATTACH_H
#include <stddef.h>

/*
 * Open /dev/net/tun with O_RDWR | open_flags (e.g. O_NONBLOCK, O_CLOEXEC) and attach it to the
 * TAP `name` (no packet-info header). TUNSETIFF would quietly create a TAP that does not exist:
 * an interface that is not there (in this thread's namespace) is refused instead. Returns the
 * descriptor, or -1 with a one-line reason in err.
 */
int tap_attach(const char *name, int open_flags, char *err, size_t errlen);

#endif
