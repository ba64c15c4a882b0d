// The host's mirror of the synack ABI, typed. The ABI is written once, in assembly/abi.table.json
// (docs/api.md "The ABI"); test/abi/mirrors.test.ts fails when this file drifts from it.
//
// Imports (module "env") the host supplies:
//   send_frame(ptr, len)   put one Ethernet II frame (no FCS) on the wire; must not re-enter
//   random_u32() -> u32    32 random bits (ISN key, ephemeral ports)
//   log(ptr, len)          one UTF-8 line for the host's log; "tcp <id> <lport> <rip>:<rport> A -> B"
//                          lines report state transitions
//   checksum(ptr, len)     optional: RFC 1071 sum (folded, network order, not complemented); called
//                          only after use_checksum_import(1); the firmware has it in C
// Lifecycle: instantiate, _start(), init(...), then frame_received / poll / sock_* from one thread.
// Time: u32 milliseconds on every call that may act on time; it may wrap.
// IPv4 addresses: u32 in host order (10.77.0.2 = 0x0A4D0002).

export interface SynackExports {
  memory: WebAssembly.Memory;
  _start(): void;
  /**
   * Optional, before init: connection slots, receive ring (window, 1024..65535), send ring
   * (1024..1 MiB), linear-memory cap in bytes; 0 keeps a default. Returns the bytes the layout
   * needs, E.INVAL, or E.NOBUFS when it does not fit the cap.
   */
  configure(conns: number, rxRing: number, txRing: number, memoryLimit: number): number;
  configure_udp(sockets: number): number;
  configure_pool(bytes: number): number;
  /** MAC = mac_hi (bytes 0-1) + mac_lo (bytes 2-5); gateway 0 = none; ip 0 = DHCP. Lays out memory, starts the selected services; 0 or E.NOBUFS. */
  init(macHi: number, macLo: number, ip: number, prefixLen: number, gateway: number, now: number): number;
  /** Built-in services init starts (call before init): a mask of SERVICES; default all. */
  select_services(mask: number): void;
  /** The mDNS name (label before .local) from len bytes of the io buffer; 0 or E_INVAL. */
  mdns_set_name(len: number): number;
  /** 1: checksums through env.checksum; 0 (default): in wasm. */
  use_checksum_import(on: number): void;
  /** Bytes of linear memory in use (below the heap's top; fixed once init has laid memory out). */
  memory_used(): number;
  /** 1 once the start-up exchanges are over (address static or leased, mDNS name announced). */
  settled(): number;
  /** Our address (0 until DHCP leases one, when init got ip 0) and its prefix length. */
  address(): number;
  prefix_len(): number;
  /** Where a received frame goes before frame_received: the io buffer's end (it moves at init). */
  rx_buffer(): number;
  rx_buffer_size(): number;
  frame_received(len: number, now: number): void;
  /** Returns ms until the module next needs a poll. */
  poll(now: number): number;
  io_buffer(): number;
  io_buffer_size(): number;
  set_msl(ms: number): void;
  set_ecn(mode: number): number;
  sock_listen(port: number, backlog: number): number;
  sock_accept(id: number): number;
  sock_connect(ip: number, port: number): number;
  /** Queue len bytes from the io buffer; returns how many were taken. */
  sock_send(id: number, len: number): number;
  /** Up to len bytes into the io buffer; 0 = end of stream, E_AGAIN = nothing yet. */
  sock_recv(id: number, len: number): number;
  sock_shutdown(id: number): number;
  sock_close(id: number): number;
  sock_abort(id: number): number;
  sock_state(id: number): number;
  /** Peer address/port and our port; 0 for an id that is not yours. */
  sock_remote_ip(id: number): number;
  sock_remote_port(id: number): number;
  sock_local_port(id: number): number;
  /** Bytes sock_send would take now / sock_recv would return now. */
  sock_send_space(id: number): number;
  sock_recv_avail(id: number): number;
  /** Keep-alive: probe after idleMs, every intervalMs, reset after count unanswered; idleMs 0 = off. */
  sock_keepalive(id: number, idleMs: number, intervalMs: number, count: number): number;
  /** Abort when sent data stays unacknowledged for ms; 0 = off. */
  sock_user_timeout(id: number, ms: number): number;
  /** 1: send small segments at once (TCP_NODELAY); 0 (default): Nagle's algorithm. */
  sock_nodelay(id: number, on: number): number;
  /** Exiting: close everything (abort 1: RST); returns connections not yet in TIME-WAIT/CLOSED. */
  sock_close_all(abort: number): number;
  stats_text(): number;
  /** The build's version ("0.1.0+<git describe>") into the io buffer, any time; its length. */
  version_text(): number;
  /** UDP sockets (ids 0..udpSockets-1, their own space): bind (0 = ephemeral), sendto from the io buffer (<= 1472 bytes),
   *  recvfrom into the io buffer (E_AGAIN when empty) with the source in udp_from_ip/port. */
  udp_bind(port: number): number;
  udp_sendto(id: number, ip: number, port: number, len: number): number;
  udp_recvfrom(id: number, len: number): number;
  udp_from_ip(): number;
  udp_from_port(): number;
  udp_local_port(id: number): number;
  udp_close(id: number): number;
  conns_text(): number;
  /** Look up the name in len bytes of the io buffer: a handle, or E.INVAL / E.AGAIN (no address) / E.NOBUFS. */
  resolve(len: number): number;
  /** 0: resolved (resolve_address); E.AGAIN: asking; E.NOTFOUND, E.TIMEDOUT, E.INVAL (stale handle). */
  resolve_result(handle: number): number;
  resolve_address(handle: number): number;
  /** DNS servers to ask (0: none; both 0: DHCP's), and server k (0, 1) asked now. */
  dns_servers(a: number, b: number): void;
  dns_server(k: number): number;
  /** What runs the module, for the status page: len bytes of the io buffer (printable, 1..47). */
  set_engine(len: number): number;
}

/** Socket errors (negative, errno-like); see assembly/util/errors.ts. */
export const E = {
  AGAIN: -11, BADF: -9, INVAL: -22, NOBUFS: -105, ADDRINUSE: -98,
  RESET: -104, TIMEDOUT: -110, REFUSED: -111, PIPE: -32, HOSTUNREACH: -113, NOTFOUND: -2,
} as const;

/** Each error code's errno name, as node:net's err.code and packetdrill write it. */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  [E.AGAIN]: "EAGAIN", [E.BADF]: "EBADF", [E.INVAL]: "EINVAL", [E.NOBUFS]: "ENOBUFS",
  [E.ADDRINUSE]: "EADDRINUSE", [E.RESET]: "ECONNRESET", [E.TIMEDOUT]: "ETIMEDOUT",
  [E.REFUSED]: "ECONNREFUSED", [E.PIPE]: "EPIPE", [E.HOSTUNREACH]: "EHOSTUNREACH", [E.NOTFOUND]: "ENOTFOUND",
};

/** RFC 9293 states, numbered as sock_state returns them. */
export const STATES = [
  "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
  "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
] as const;
export type StateName = (typeof STATES)[number];

/** The built-in services, as select_services takes them (assembly/apps/builtin.ts). */
export const SERVICES = { echo: 1, discard: 2, chargen: 4, console: 8, http: 16, mdns: 32 } as const;
export type ServiceName = keyof typeof SERVICES;
export const ALL_SERVICES = 63;

/** "echo,http" (or an array of names) as a mask; throws on an unknown name. "" / "none" = 0. */
export function servicesMask(list: string | readonly string[]): number {
  const names = typeof list === "string" ? list.split(",").map((x) => x.trim()).filter((x) => x && x !== "none") : list;
  let m = 0;
  for (const n of names) {
    if (n === "all") { m |= ALL_SERVICES; continue; }
    const bit = (SERVICES as Record<string, number>)[n];
    if (!bit) throw new Error(`unknown service: ${n} (echo, discard, chargen, console, http, mdns)`);
    m |= bit;
  }
  return m;
}
