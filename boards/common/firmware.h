/*
 * The firmware core: synack.wasm under wasm3, fed by the W5500. The ABI is assembly/abi.ts's:
 * imports env.send_frame / env.random_u32 / env.log / env.checksum, exports _start, configure,
 * configure_udp, select_services, mdns_set_name, init, use_checksum_import, set_msl, memory_used,
 * address, prefix_len, settled, rx_buffer, rx_buffer_size, frame_received, poll.
 */
#ifndef SYNACK_FIRMWARE_H
#define SYNACK_FIRMWARE_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t mac[6];
  uint32_t ip, prefix_len, gateway; /* host order: 10.77.0.2 = 0x0A4D0002; ip 0: DHCP */
  uint32_t msl_ms;                  /* 0: the module's default */
  /* The module's memory layout; all 0 = the board default (assembly/config.ts: 18 connections,
   * 17 for anyone and one kept for the console, rings of up to 7 KiB receive and 2 KiB send
   * drawing on one shared 20,480-byte pool; with every service, HTTP too, it needs 64,607
   * bytes, inside one 64 KiB page). Any number given lays out rings held whole instead. */
  uint32_t max_conns;               /* connection slots */
  uint32_t rx_ring, tx_ring;        /* bytes per connection: receive ring (= window, at most
                                       FW_RX_RING_MAX), send ring */
  uint32_t udp_sockets;             /* UDP sockets at once (mDNS takes one), 1..16; 0: the module's 2 */
  uint32_t memory_limit;            /* bytes of linear memory wasm3 may give the module; 0: what the
                                       layout needs (asked of the module, and no more is kept) */
  uint32_t stack_bytes;             /* wasm3's value stack; 0: FW_VALUE_STACK */
  uint32_t code_budget;             /* bytes of compiled code kept; 0: FW_CODE_BUDGET */
  int no_store;                     /* compile into the heap as code runs, even where the board has
                                       a code store (prepared.h) */
  int verbose;                      /* pass the module's log lines to fw_log */
  int checksum_in_c;                /* let the module's checksums run in C (env.checksum) */
  int services_set;                 /* 0: the module's default built-in services; 1: services below */
  uint32_t services;                /* mask: echo 1, discard 2, chargen 4, console 8, http 16, mdns 32 */
  const char *name;                 /* mDNS name (label before .local); NULL: "synack" */
} fw_config;

/*
 * The largest receive ring (window) the firmware lets the module offer. Every frame the peer may
 * send within it must fit the W5500's 16 KB of RX memory, headers and all (1516 bytes in the
 * chip per 1460 of payload), next to the up to 8 KB the driver has read but not yet handed back
 * (it releases RX space in batches: boards/common/w5500.c). Seven KiB is under five full frames.
 */
#define FW_RX_RING_MAX 7168u

/* Provided by the board: where log lines and errors go. */
void fw_log(const char *line);

/* Load and start the module; 0, or -1 with the reason already logged. */
/*
 * wasm3's value stack by default: the deepest the module goes is 2,172 bytes (echo, discard,
 * chargen, the console and HTTP on the emulated Xtensa board, painted: npm run bench), so this
 * leaves 900 bytes (41%) spare. A module that overruns it traps ("stack overflow") instead of
 * corrupting memory.
 */
#define FW_VALUE_STACK 3072u

/*
 * Where the board has a code store (hal_store), the whole module runs from it (prepared.h) and no
 * code is compiled into the heap. Without one (or with no_store), wasm3 compiles each function on
 * its first call and keeps the code while its runtime lives: a board up for weeks would compile
 * every path it ever takes (DHCP renewals, ICMP errors, SYN cookies, the console, keep-alives),
 * more than the heap holds. When a step ends with more code than this, the module moves to a fresh
 * runtime (fresh_runtime: memory and globals carry over, connections go on) and only what runs next
 * is compiled again. The three transfers of the bench and a console session on the default board
 * compile about 91 KB (the pool's run-based chains and HTTP's paged responses); HTTP's pages add
 * about 10 KB more, so they may move once.
 */
#define FW_CODE_BUDGET (96u * 1024u)

int fw_start(const uint8_t *wasm, size_t wasm_len, const fw_config *cfg);
/* Free the runtime and the module (all its connections are gone); fw_start may follow. */
void fw_stop(void);
/* Move every waiting frame from the chip into the module, run its timers; ms until the next. */
uint32_t fw_step(void);
/* Our IPv4 address now (0 while DHCP has none yet; cfg.ip 0 asks for DHCP) and its prefix. */
uint32_t fw_address(uint32_t *prefix_len);
/* Bytes of linear memory the module has now, and the bytes it uses (its heap's top). */
uint32_t fw_memory_size(void);
uint32_t fw_memory_used(void);
/* Bytes of code compiled in the current runtime, and how often the budget sent it back. */
uint32_t fw_code_bytes(void);
uint32_t fw_code_resets(void);
/* 1 once the module's start-up exchanges were over (settled()) and their code went back. */
int fw_settled(void);

#endif
