// Configuration: every fixed buffer and slot size in synack is here. The connection table and its
// rings are laid out once at init from run-time numbers (layout.ts); these are their defaults and
// bounds. Nothing is allocated after init(). The defaults are the board's: they fit an ESP32
// without PSRAM in one 64 KiB page of linear memory.

/** Default TCP connection slots (17 for anyone: 16 clients and a page; one kept for the console), and the most configure() accepts. */
export const DEFAULT_CONNS: i32 = 18;
export const CONNS_LIMIT: i32 = 1024;
/** Default per-connection receive ring (bytes): the most we ever advertise as window (the firmware's 7 KiB). */
export const DEFAULT_RX_RING: i32 = 7168;
/** Default per-connection send ring (bytes). */
export const DEFAULT_TX_RING: i32 = 2048;
/**
 * The buffer pool of the default layout (the board's), which its rings share: what one 64 KiB
 * page leaves with every service on (test/module/layout.test.ts). Other layouts default to a pool
 * that holds every ring full.
 */
export const DEFAULT_POOL: i32 = 20480;
/** The smallest receive buffer (unread bytes + window) a connection starts with in a shared pool (two blocks). */
export const RCV_BUFFER_MIN: i32 = 256;
/** Ring bounds: at least one full segment; receive at most what a window field without scaling says. */
export const RING_MIN: i32 = 1024;
export const RX_RING_MAX: i32 = 65535;
export const TX_RING_MAX: i32 = 1 << 20;
/** Bytes per block of the buffer pool the rings share (tcp/pool.ts), a power of two (offsets split
 *  by shifts: lx106 has no divider): small enough that a ring's partly used first and last blocks
 *  waste little. */
export const POOL_SHIFT: i32 = 7;
export const POOL_BLOCK: i32 = 1 << POOL_SHIFT;
/** Listening sockets. */
export const MAX_LISTENERS: i32 = 12; // the built-in services take up to 5
/** Out-of-order ranges remembered per connection (data sits in the RX ring itself). */
export const OOO_RANGES: i32 = 4;
/** Blocks the RFC 6675 scoreboard keeps per connection (what the peer SACKed above SND.UNA). */
export const SACK_BLOCKS: i32 = 4;
/** SYN-RECEIVED connections a listener may hold before new SYNs are dropped. */
export const DEFAULT_BACKLOG: i32 = 4;

/** ARP cache entries and how long an entry lives. */
export const ARP_CACHE_SIZE: i32 = 10; // as lwIP's ARP_TABLE_SIZE
export const ARP_TTL_MS: u32 = 60_000;
/** Frames held while their next hop resolves (one per pending entry at most). */
export const ARP_HOLD_SLOTS: i32 = 1;
/** ARP request retry interval and tries before the held frame is dropped. */
export const ARP_RETRY_MS: u32 = 1000;
export const ARP_MAX_TRIES: i32 = 3;

/** Ethernet payload MTU and the largest frame we send or accept (no FCS). */
export const MTU: i32 = 1500;
export const FRAME_MAX: i32 = 1514;

/**
 * IPv4 reassembly: datagrams at once (one per REASM_POOL_PER_SLOT bytes of the rings' pool, within
 * the bounds: layout.ts reasmSlots), payload bytes each, fragments each, and their lifetime.
 */
export const REASM_SLOTS_MIN: i32 = 1;
export const REASM_SLOTS_MAX: i32 = 8;
export const REASM_POOL_PER_SLOT: i32 = 32768;
export const REASM_MAX: i32 = 2048;
export const REASM_MAX_FRAGS: i32 = 16;
export const REASM_TIMEOUT_MS: u32 = 15_000;
/** ICMP errors we send (destination unreachable), at most this many per second. */
export const ICMP_ERRORS_PER_SECOND: u32 = 10;

/** Maximum segment lifetime; TIME-WAIT lasts 2*MSL. Changeable at run time (set_msl). */
export const DEFAULT_MSL_MS: u32 = 30_000;

/** RFC 6298 retransmission: initial RTO, bounds, and tries before we give up. */
export const RTO_INITIAL_MS: u32 = 1000;
export const RTO_MIN_MS: u32 = 1000; // RFC 6298 §2.4 rounds up to 1 s
export const RTO_MAX_MS: u32 = 60_000;
export const MAX_RETRIES: i32 = 8;
/** SYN,ACK retransmissions of a passive open before its half-open entry is dropped. */
export const MAX_SYNACK_RETRIES: i32 = 5;
/**
 * R2 for a SYN (RFC 9293 MUST-23: at least 3 minutes): an active open gives up once its first SYN
 * has gone this long unanswered (SYNs at 0, 1, 3, 7, 15, 31, 63 and 123 s, giving up at 183 s).
 * A user timeout (sock_user_timeout) replaces it, longer or shorter (MUST-21).
 */
export const SYN_R2_MS: u32 = 180_000;
/** RFC 5961 §7 challenge ACK budget, shared by all connections. */
export const CHALLENGE_ACKS_PER_SECOND: u32 = 100;
/** Delayed ACK (RFC 1122 says at most 500 ms; we use much less). */
export const DELAYED_ACK_MS: u32 = 40;
/** RFC 6298 §5.7: the RTO once established when the SYN or SYN-ACK had to be retransmitted. */
export const RTO_AFTER_SYN_RTX_MS: u32 = 3000;
/** Sender SWS avoidance override (RFC 9293 §3.8.6.2.1 suggests 0.1 to 1 s). */
export const SWS_OVERRIDE_MS: u32 = 200;
/** Persist timer bounds for zero-window probes. */
export const PERSIST_MIN_MS: u32 = 500;
export const PERSIST_MAX_MS: u32 = 60_000;

/** Ephemeral port range for active opens (RFC 6335 dynamic range). */
export const EPHEMERAL_LO: i32 = 49152;
export const EPHEMERAL_HI: i32 = 65535;

/** Longest idle interval poll() reports when no timer is armed. */
export const IDLE_POLL_MS: u32 = 1000;

/** The scratch/io buffer (util/scratch.ts): the send ring's size, within these bounds. */
export const SCRATCH_MIN: i32 = 4096;
export const SCRATCH_MAX: i32 = 65536;

/** Console sessions at once (each holds a line and a reply buffer); more are turned away. */
export const CONSOLE_SESSIONS: i32 = 3;

/**
 * UDP sockets (services' and applications'): by default two (mDNS and one more), at most
 * UDP_SOCKETS_MAX (a layout choice: configure_udp); each reserves a datagram queue when first bound.
 */
export const DEFAULT_UDP_SOCKETS: i32 = 2;
export const UDP_SOCKETS_MAX: i32 = 16;
export const UDP_QUEUE_SIZE: i32 = 1536; // one largest datagram (1472 + its 8-byte record) fits

/** HTTP (port 80): sessions at once (more get 503), request head bound, request line bound. */
export const HTTP_SESSIONS: i32 = 4;
export const HTTP_HEAD_MAX: i32 = 1024;
export const HTTP_LINE_MAX: i32 = 256;
/** An idle keep-alive connection is closed (by us, first) after this; a partial request gets 408. */
export const HTTP_KEEPALIVE_MS: u32 = 5000;
export const HTTP_REQUEST_MS: u32 = 10_000;
