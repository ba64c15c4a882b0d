// ============================================================================================
// The synack ABI: the one seam between this module and any host (Node.js, wasm3 on the board).
// Its table (names, arguments, results, one line each; error codes, states, services) is
// abi.table.json beside this file: test/abi/ checks this file, env.ts, the built module and every
// mirror (host/engine/abi.ts, boards/common, docs/api.md) against it.
//
// Conventions
// - Every integer is an i32/u32. IPv4 addresses are u32 in host order (10.77.0.2 = 0x0A4D0002).
// - Time is u32 milliseconds from any origin the host likes, passed on every call that may act
//   on time. It may wrap; the module only compares times modulo 2^32.
// - Pointers are offsets into the module's exported `memory`. The module never calls back into
//   the host except through the imports in env.ts, and never during a host's memory write.
// - Lifecycle: instantiate, call `_start` (module start-up: reserves every buffer), then `init`,
//   then any mix of `frame_received`, `poll` and socket calls, from one thread.
// ============================================================================================

// ---- Exports ---------------------------------------------------------------------------------

import { setNow } from "./util/clock";
import { setChecksumImport } from "./wire/checksum";
import { reserve } from "./util/bytes";
import { scratch, scratchSize, scratchInit } from "./util/scratch";
import { ifaceInit, ifacePoll, ourIp, netmask } from "./net/iface";
import { frameArrives } from "./receive";
import { dhcpStart, dhcpPoll, dhcpActive, dhcpSettled } from "./net/dhcp";
import { acdStart, acdPoll, acdDue, acdSettled } from "./net/acd";
import { tcpInit, tcpPoll, tcpUnreachable } from "./tcp/stack";
import { arpUnansweredAny } from "./net/arp_cache";
import { tcbTableInit, stateChanges } from "./tcp/tcb";
import { dispatchOwed } from "./tcp/output";
import { configure as layoutConfigure, configureUdp, configurePool, reserveLayout, scratchBytes, heapTop, setServiceBytes } from "./layout";
import * as sock from "./tcp/socket";
import * as udp from "./net/udpsock";
import { servicesPoll, servicesPollAgain, servicesChanged } from "./apps/registry";
import { selectServices, startBuiltins, builtinBytes } from "./apps/builtin";
import { mdnsSetName, mdnsSettled } from "./apps/mdns";
import { setEcnMode } from "./tcp/ecn";
import { setEngine } from "./apps/engine";
import { statsText, connsText } from "./apps/report";
import { versionText } from "./util/version";
import { resolveStart, resolvePoll, resolveAsking } from "./apps/resolve";
import { IDLE_POLL_MS } from "./config";

// A little larger than the largest frame, so oversized frames reach the module and are counted.
// The frame is read in the io buffer's last bytes (scratch, at least SCRATCH_MIN): nothing there
// is kept across calls, and frame_received has consumed the frame before its services use it.
const RX_BUFFER_SIZE: i32 = 1536;
@inline function rxFrame(): usize { return scratch + <usize>(scratchSize - RX_BUFFER_SIZE); }

/** Tell the layout what the chosen services and the UDP sockets will reserve. */
function countServices(): void { setServiceBytes(builtinBytes() + udp.udpBytes()); }

/**
 * Optional, before init: choose the memory layout. conns = connection slots (TIME-WAIT
 * included), rx_ring/tx_ring = each slot's receive ring (the window we offer, 1024..65535) and
 * send ring (1024..1 MiB), memory_limit = bytes of linear memory the host gives the module (0 =
 * no cap: memory is grown once, at init, to what the layout needs). Any 0 keeps the default (the
 * board's: config.ts). Returns the bytes of linear memory the layout needs, -22 (E_INVAL) for
 * numbers out of bounds or a call after init, -105 (E_NOBUFS) when it would not fit the cap.
 */
export function configure(conns: u32, rx_ring: u32, tx_ring: u32, memory_limit: u32): i32 {
  countServices();
  return layoutConfigure(conns, rx_ring, tx_ring, memory_limit);
}

/**
 * Optional, before configure: how many UDP sockets may be bound at once (services' and the
 * host's; mDNS takes one), 1..16; 0 keeps the default, 2. Each costs a 1.5 KB datagram queue in
 * the layout. Returns 0, or -22 (E_INVAL) out of bounds or after init.
 */
export function configure_udp(sockets: u32): i32 { return configureUdp(sockets); }

/**
 * Choose the bytes of the buffer pool every connection's rings draw on (call before configure):
 * 0 keeps the default, enough for every ring to be full at once; less shares it (a connection
 * then offers the window the pool can hold). 1024..64 MiB. Returns 0, or -22 (E_INVAL).
 */
export function configure_pool(bytes: u32): i32 { return configurePool(bytes); }

/**
 * Bring the interface up. MAC = mac_hi (top 16 bits: bytes 0-1) and mac_lo (bytes 2-5).
 * ip/prefix_len/gateway: our IPv4 address, its prefix length, the default gateway (0 = none).
 * ip 0 asks for an address by DHCP instead; address() tells when one is leased.
 * Lays out the connection table (configure's numbers or the defaults) and starts the built-in
 * services chosen by select_services (default: all of them). Returns 0, or -105 (E_NOBUFS) when
 * the layout does not fit the memory there is (nothing is started then).
 */
export function init(mac_hi: u32, mac_lo: u32, ip: u32, prefix_len: u32, gateway: u32, now: u32): i32 {
  countServices(); // select_services may have come after configure
  if (!reserveLayout()) return -105;
  scratchInit(scratchBytes());
  tcbTableInit();
  setNow(now);
  ifaceInit(mac_hi, mac_lo, ip, prefix_len, gateway);
  tcpInit();
  startBuiltins();
  if (ip == 0) dhcpStart();
  else acdStart();
  return 0;
}

/**
 * Choose the built-in services init starts (call before init): a mask of echo 1 (TCP 7),
 * discard 2 (9), chargen 4 (19), console 8 (23), http 16 (80), mdns 32 (UDP 5353). Default 63.
 * A service not chosen reserves no memory.
 */
export function select_services(mask: u32): void { selectServices(mask); }

/** Bytes of linear memory in use: everything below the heap's top (after init, this never moves). */
export function memory_used(): u32 { return <u32>heapTop(); }

/**
 * The host name (the mDNS label before .local and the DHCP Host Name; default "synack"): len bytes of the io buffer, letters,
 * digits and '-', at most 63. Any time: a running responder probes for the new name. 0 or E_INVAL.
 */
export function mdns_set_name(len: u32): i32 {
  servicesChanged();
  return mdnsSetName(scratch, <i32>min(len, 64)) ? 0 : sock.E_INVAL;
}

/**
 * What runs the module, for the status page: len bytes of the io buffer, printable ASCII (no '<'
 * or '&'), 1..47 of them ("V8, Node v20.11.0", "native board"). Any time. 0 or E_INVAL.
 */
export function set_engine(len: u32): i32 { return setEngine(scratch, <i32>min(len, 48)) ? 0 : sock.E_INVAL; }

/**
 * 1 once the start-up exchanges are over: the address is static or leased and probed and announced
 * (RFC 5227), and the mDNS name (if the responder runs) probed and announced; else 0. A board may then drop the code compiled for
 * them (boards/common/firmware.c moves to a fresh wasm3 runtime at that point).
 */
export function settled(): u32 { return dhcpSettled() && ourIp() != 0 && mdnsSettled() && acdSettled() ? 1 : 0; }

/** Our IPv4 address (0 until DHCP has leased one) and its prefix length. */
export function address(): u32 { return ourIp(); }
export function prefix_len(): u32 { return <u32>popcnt(netmask()); }

/**
 * Where the host writes one received frame before calling frame_received: the io buffer's last
 * bytes (a frame written there replaces what the io buffer held), so it moves with it at init.
 */
export function rx_buffer(): usize { return rxFrame(); }
/** Size of that buffer. Frames up to FRAME_MAX (1514) are accepted; hosts drop what does not fit. */
export function rx_buffer_size(): u32 { return RX_BUFFER_SIZE; }

/** A frame of `len` bytes is in the receive buffer. Replies may be sent before this returns. */
export function frame_received(len: u32, now: u32): void {
  setNow(now);
  frameArrives(rxFrame(), <i32>min(len, <u32>RX_BUFFER_SIZE)); // the ladder drops anything over FRAME_MAX
  dispatchOwed(); // what TCP input left to send
  servicesPoll();
}

/**
 * Run timers and services at time `now`. Returns milliseconds until the module next needs a
 * poll (the host may call earlier, and must call again after any frame_received or socket call).
 */
export function poll(now: u32): u32 {
  setNow(now);
  const changes = stateChanges, ip = ourIp();
  let next = servicesPollAgain(); // frame_received may have just run them
  next = min(next, tcpPoll());
  next = min(next, ifacePoll());
  // Each called only when it has work: a board compiles no code for them in a quiet steady state.
  if (acdDue()) next = min(next, acdPoll()); // before DHCP, which declines an address it finds lost
  if (arpUnansweredAny()) tcpUnreachable(); // what waited for a next hop ARP just gave up on
  if (dhcpActive()) next = min(next, dhcpPoll()); // a static address never runs (or compiles) the client
  if (resolveAsking()) next = min(next, resolvePoll());
  // A second round only when the first changed what services see (a connection's state, our
  // address): they answer it now, and TCP sends what they wrote. Otherwise it would find nothing.
  if (stateChanges != changes || ourIp() != ip) {
    next = min(next, servicesPoll());
    next = min(next, tcpPoll());
  }
  return min(next, IDLE_POLL_MS);
}

/** Scratch buffer for socket data and text exports (laid out at init: at least 4 KiB, up to the send ring). */
export function io_buffer(): usize { return scratch; }
export function io_buffer_size(): u32 { return <u32>scratchSize; }

/** Let checksums go through the host's env.checksum (1) or stay in wasm (0, the default). */
export function use_checksum_import(on: u32): void { setChecksumImport(on != 0); }

/** TIME-WAIT lasts 2*MSL; default 30 s. Tests shorten it. */
export { setMsl as set_msl } from "./tcp/close";

/**
 * ECN (RFC 3168), as Linux's net.ipv4.tcp_ecn: 0 off, 1 offered on active opens too, 2 agreed
 * only when a peer's SYN offers it (the default). Returns 0, or -22 (E_INVAL) for another mode.
 */
export function set_ecn(mode: u32): i32 { return setEcnMode(mode) ? 0 : -22; }

// Sockets. Every call returns >= 0 on success or a negative error (see tcp/socket.ts: E_*).
// A socket id names a listener or a connection; the caller owns it until sock_close.
// The socket calls that never make a segment due are tcp/socket.ts's own functions, exported
// under their ABI names (a wrapper would be one more function wasm3 keeps a record of); the
// others only mark what the connection owes, and their wrapper here sends it (`sent`).
function sent(r: i32): i32 { dispatchOwed(); return r; }
export { listen as sock_listen } from "./tcp/socket";
/** Next established connection on a listener, or E_AGAIN. */
export { accept as sock_accept } from "./tcp/socket";
/** Active open to ip:port from a random ephemeral port. */
export function sock_connect(ip: u32, port: u32): i32 { return sent(sock.connect(ip, port)); }
/** Queue `len` bytes from the io buffer; returns how many were taken (maybe 0). */
export function sock_send(id: i32, len: u32): i32 { return sent(sock.send(id, scratch, <i32>min(len, <u32>scratchSize))); }
/** Copy up to `len` received bytes into the io buffer; 0 = end of stream, E_AGAIN = none yet. */
export function sock_recv(id: i32, len: u32): i32 { return sent(sock.recv(id, scratch, <i32>min(len, <u32>scratchSize))); }
/** Close our sending side (FIN after queued data); we keep receiving. */
export function sock_shutdown(id: i32): i32 { return sent(sock.shutdown(id)); }
/** Give the socket back: graceful close (FIN), the stack finishes the teardown on its own. */
export function sock_close(id: i32): i32 { return sent(sock.close(id)); }
/** Reset the connection (RST) and free it. */
export function sock_abort(id: i32): i32 { return sent(sock.abort(id)); }
/** RFC 9293 state of the socket: see tcp/state.ts (CLOSED = 0 ... TIME_WAIT = 10). */
export { state as sock_state } from "./tcp/socket";

/** The peer's address and port, and our port (listeners too); 0 for an id that is not yours. */
export function sock_remote_ip(id: i32): u32 { return sock.remoteIp(id); }
export function sock_remote_port(id: i32): u32 { return sock.remotePort(id); }
export function sock_local_port(id: i32): u32 { return sock.localPort(id); }
/** Bytes sock_send would take now, and bytes sock_recv would return now. */
export { sendSpace as sock_send_space } from "./tcp/socket";
export function sock_recv_avail(id: i32): i32 { return sock.recvAvail(id); }

/** Keep-alive, off by default: probe after idle_ms, every interval_ms, reset after count unanswered. */
export function sock_keepalive(id: i32, idle_ms: u32, interval_ms: u32, count: i32): i32 {
  return sock.keepAlive(id, idle_ms, interval_ms, count);
}
/** Abort when sent data stays unacknowledged for ms (0 = off). */
export function sock_user_timeout(id: i32, ms: u32): i32 { return sock.userTimeout(id, ms); }
/**
 * The host is exiting: close every listener and connection, gracefully (abort 0: FIN, or RST
 * where unread data would be lost) or not (abort 1: RST). Returns the connections not yet in
 * TIME-WAIT or CLOSED; call again (after polls) to watch them finish.
 */
export function sock_close_all(abort: u32): i32 { return sent(sock.closeAll(abort != 0)); }
/** Nagle's algorithm (RFC 896) is on by default; on != 0 turns it off (TCP_NODELAY). */
export function sock_nodelay(id: i32, on: u32): i32 { return sent(sock.noDelay(id, on != 0)); }

/** Text reports, written into the io buffer; they return the length. The console shows the same. */
export function stats_text(): u32 { return statsText(scratch, scratchSize); }
export function conns_text(): u32 { return connsText(scratch, scratchSize); }
/** The build's version ("0.1.0+<git describe>", util/version.ts), at any time, also before init. */
export function version_text(): u32 { return versionText(scratch, scratchSize); }
// Names (apps/resolve.ts): DNS over UDP, .local by mDNS, localhost, dotted quads.
/**
 * Look up the name in the first len bytes of the io buffer ("peer.test", "synack-2.local").
 * Returns a handle for resolve_result, or E_INVAL (malformed name), E_AGAIN (no address yet),
 * E_NOBUFS (every lookup slot busy). The answer may be there at once (cached, local, literal).
 */
export function resolve(len: u32): i32 { return resolveStart(scratch, <i32>min(len, <u32>scratchSize)); }
/** 0: resolved (resolve_address); E_AGAIN: still asking (poll); E_NOTFOUND (-2), E_TIMEDOUT, E_INVAL (stale handle). */
export { resolveResult as resolve_result } from "./apps/resolve";
export { resolveAddress as resolve_address } from "./apps/resolve";
/** The DNS servers to ask (0 = none; both 0: those DHCP handed out), and the one asked as k (0, 1).
 *  These three are apps/resolve.ts's own functions under their ABI names (no wrapper to keep a record of). */
export { resolveServers as dns_servers } from "./apps/resolve";
export { resolveServer as dns_server } from "./apps/resolve";

// UDP sockets: ids 0..udpSockets-1 (configure_udp), their own space (not socket ids). Payloads pass through the io buffer.
/** Bind a UDP port (0: an ephemeral one); returns the id, E_ADDRINUSE or E_NOBUFS. */
export function udp_bind(port: u32): i32 { return udp.udpBind(port); }
/** Send `len` bytes of the io buffer to ip:port (at most 1472); returns len or an error. */
export function udp_sendto(id: i32, ip: u32, port: u32, len: u32): i32 {
  return udp.udpSendTo(id, ip, port, scratch, <i32>min(len, <u32>scratchSize));
}
/** The oldest queued datagram into the io buffer (truncated to len), or E_AGAIN; its source by udp_from_*. */
export function udp_recvfrom(id: i32, len: u32): i32 { return udp.udpRecvFrom(id, scratch, <i32>min(len, <u32>scratchSize)); }
export function udp_from_ip(): u32 { return udp.udpFromIp(); }
export function udp_from_port(): u32 { return udp.udpFromPort(); }
export function udp_local_port(id: i32): u32 { return udp.udpLocalPort(id); }
export function udp_close(id: i32): i32 { return udp.udpClose(id); }

