/*
 * The firmware's command line, one parser for every board that has one (boards/native,
 * boards/xtensa): synack serve's flags, as the host writes them (host/engine/boardargs.ts), so
 * no flag can mean something else on another engine:
 *   --ip A.B.C.D/N | --dhcp   [--gw A.B.C.D] [--mac xx:xx:xx:xx:xx:xx] [--msl MS]
 *   [--services MASK] [--name NAME] [--conns N] [--rx-ring BYTES] [--tx-ring BYTES]
 *   [--udp-sockets N] [--memory-limit BYTES] [--code-budget BYTES] [--no-store] [--verbose]
 * and the board's own (its wire, its channel), which the board's callback takes.
 */
#ifndef SYNACK_FLAGS_H
#define SYNACK_FLAGS_H
#include "firmware.h"

typedef enum { FLAG_UNKNOWN, FLAG_SWITCH, FLAG_VALUE, FLAG_BAD } flag_taken;

/*
 * A board's own flag: FLAG_SWITCH (taken, it has no value), FLAG_VALUE (taken with VALUE, which
 * is NULL when the flag came last), FLAG_BAD (VALUE is wrong) or FLAG_UNKNOWN.
 */
typedef flag_taken (*flag_board)(const char *flag, const char *value);

/*
 * Parse argv[1..] into CFG (zeroed first; without --mac, 02:53:4b and the address's low three
 * bytes, or random ones with --dhcp, as the host does). 0, or -1 with a one-line reason in ERR.
 */
int fw_parse_flags(int argc, char *const *argv, fw_config *cfg, flag_board board, char *err, size_t errlen);

#endif
