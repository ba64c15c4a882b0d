// UDP sockets for applications (the host through abi.ts, and services): bind a port, send to
// any address, receive datagrams with their source. Each bound socket queues what arrives in a
// ring of its own, reserved the first time its slot is used; a datagram that does not fit is
// dropped and counted (UDP has no flow control). Length-prefixed records: [len][port][ip][bytes].
import { UDP_SOCKETS_MAX, UDP_QUEUE_SIZE, EPHEMERAL_LO, EPHEMERAL_HI } from "../config";
import { C, count } from "../util/counters";
import { reserve, get16, put16, get32, put32 } from "../util/bytes";
import { RESERVE_OVERHEAD, udpSockets } from "../layout";
import { E_AGAIN, E_BADF, E_INVAL, E_NOBUFS, E_ADDRINUSE } from "../util/errors";
import { randomPort } from "../util/random";
import { ourIp } from "./iface";
import { udpTxPayload, udpSend } from "./udp";

const REC: i32 = 8; // record header: length, source port, source address
/** The largest payload one Ethernet frame carries (1500 - 20 - 8). */
export const UDP_MAX_PAYLOAD: i32 = 1472;

// UDP_SOCKETS_MAX entries each, as literals: static memory, no global or start-up code.
const port: StaticArray<u32> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // 0 = free; the first udpSockets are in use
const queue: StaticArray<usize> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const used: StaticArray<i32> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const cap: StaticArray<i32> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
// The literals must be UDP_SOCKETS_MAX long (they are indexed unchecked): a module built with
// another bound stops at start-up here rather than writing past them.
if (port.length != UDP_SOCKETS_MAX || queue.length != UDP_SOCKETS_MAX || used.length != UDP_SOCKETS_MAX ||
    cap.length != UDP_SOCKETS_MAX) unreachable();
let fromIp: u32 = 0;
let fromPort: u32 = 0;

function valid(id: i32): bool { return id >= 0 && id < udpSockets && unchecked(port[id]) != 0; }

/** The socket bound to p, or -1. */
function find(p: u32): i32 {
  for (let i = 0; i < udpSockets; i++) if (unchecked(port[i]) == p) return i;
  return -1;
}

/** What the sockets may reserve on bind, all of them bound (the layout counts it before init). */
export function udpBytes(): u32 { return <u32>udpSockets * (<u32>UDP_QUEUE_SIZE + RESERVE_OVERHEAD); }


/**
 * Bind a port (0: an ephemeral one). Returns the socket id or a negative error. The socket's
 * queue (queueSize bytes, default UDP_QUEUE_SIZE) is reserved the first time its slot is used.
 */
export function udpBind(p: u32, queueSize: i32 = UDP_QUEUE_SIZE): i32 {
  if (p > 65535) return E_INVAL;
  if (p == 0) {
    p = randomPort(EPHEMERAL_LO, EPHEMERAL_HI);
    for (let tries = 0; find(p) >= 0 && tries < 64; tries++) p = randomPort(EPHEMERAL_LO, EPHEMERAL_HI);
  }
  if (find(p) >= 0) return E_ADDRINUSE;
  for (let i = 0; i < udpSockets; i++) {
    if (unchecked(port[i]) != 0) continue;
    if (unchecked(queue[i]) == 0) { unchecked(queue[i] = reserve(queueSize)); unchecked(cap[i] = queueSize); }
    else if (unchecked(cap[i]) < queueSize) continue; // a slot with a smaller queue: try the next
    unchecked(port[i] = p);
    unchecked(used[i] = 0);
    return i;
  }
  return E_NOBUFS;
}

/** Whether socket id has a datagram waiting (a poller's cheap look before udpRecvFrom). */
@inline export function udpPending(id: i32): bool { return valid(id) && unchecked(used[id]) != 0; }

export function udpLocalPort(id: i32): u32 { return valid(id) ? unchecked(port[id]) : 0; }

export function udpClose(id: i32): i32 {
  if (!valid(id)) return E_BADF;
  unchecked(port[id] = 0);
  unchecked(used[id] = 0);
  return 0;
}

/** Send len bytes at ptr from the socket's port to ip:dport. Returns len or a negative error. */
export function udpSendTo(id: i32, ip: u32, dport: u32, ptr: usize, len: i32): i32 {
  if (!valid(id)) return E_BADF;
  if (ip == 0 || dport == 0 || dport > 65535 || len < 0 || len > UDP_MAX_PAYLOAD) return E_INVAL;
  if (ourIp() == 0) return E_AGAIN; // no address yet (DHCP)
  memory.copy(udpTxPayload(), ptr, <usize>len);
  udpSend(ip, unchecked(port[id]), dport, len);
  return len;
}

/** The oldest datagram, up to cap bytes of it (the rest is discarded), or E_AGAIN. */
export function udpRecvFrom(id: i32, ptr: usize, cap: i32): i32 {
  if (!valid(id)) return E_BADF;
  const n = unchecked(used[id]);
  if (n == 0) return E_AGAIN;
  const q = unchecked(queue[id]);
  const len = <i32>get16(q);
  fromPort = get16(q + 2);
  fromIp = get32(q + 4);
  const take = min(len, max(cap, 0));
  memory.copy(ptr, q + <usize>REC, <usize>take);
  const rec = REC + len;
  memory.copy(q, q + <usize>rec, <usize>(n - rec));
  unchecked(used[id] = n - rec);
  return take;
}

/** Source of the datagram udpRecvFrom returned last. */
export function udpFromIp(): u32 { return fromIp; }
export function udpFromPort(): u32 { return fromPort; }

/** A datagram for dport: queue it on the socket bound there. False when no socket is bound. */
export function udpDeliver(src: u32, sport: u32, dport: u32, p: usize, len: i32): bool {
  const id = find(dport);
  if (id < 0) return false;
  const n = unchecked(used[id]);
  if (n + REC + len > unchecked(cap[id])) { count(C.UDP_DROP_QUEUE_FULL); return true; }
  const r = unchecked(queue[id]) + <usize>n;
  put16(r, <u32>len);
  put16(r + 2, sport);
  put32(r + 4, src);
  memory.copy(r + <usize>REC, p, <usize>len);
  unchecked(used[id] = n + REC + len);
  return true;
}
