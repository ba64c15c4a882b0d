#include "tapattach.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int tap_attach(const char *name, int open_flags, char *err, size_t errlen) {
  if (strlen(name) >= IFNAMSIZ || if_nametoindex(name) == 0) {
    snprintf(err, errlen, "no such interface: %s", name);
    return -1;
  }
  int fd = open("/dev/net/tun", O_RDWR | open_flags);
  if (fd < 0) {
    snprintf(err, errlen, "cannot open /dev/net/tun: %s", strerror(errno));
    return -1;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  memcpy(ifr.ifr_name, name, strlen(name));
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    snprintf(err, errlen, "cannot attach to TAP %s: %s", name, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}
