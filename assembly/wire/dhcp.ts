// DHCP messages (RFC 2131 over BOOTP, options from RFC 2132): parse a server's reply into a
// repr, and build a client's DISCOVER or REQUEST.
import { get8, get32, put8, put16, put32 } from "../util/bytes";

export const DHCP_DISCOVER: u32 = 1;
export const DHCP_OFFER: u32 = 2;
export const DHCP_REQUEST: u32 = 3;
export const DHCP_DECLINE: u32 = 4;
export const DHCP_ACK: u32 = 5;
export const DHCP_NAK: u32 = 6;

const OP: usize = 0;
const XID: usize = 4;
const FLAGS: usize = 10;
const CIADDR: usize = 12;
const YIADDR: usize = 16;
const CHADDR: usize = 28;
const MAGIC: usize = 236;
const OPTIONS: usize = 240;
const MAGIC_COOKIE: u32 = 0x63825363;
export const DHCP_MIN_LEN: i32 = 240;

const OPT_PAD: u32 = 0;
const OPT_SUBNET: u32 = 1;
const OPT_ROUTER: u32 = 3;
const OPT_HOST_NAME: u32 = 12;
const OPT_DNS: u32 = 6;
const OPT_REQUESTED_IP: u32 = 50;
const OPT_LEASE: u32 = 51;
const OPT_MSG_TYPE: u32 = 53;
const OPT_SERVER_ID: u32 = 54;
const OPT_PARAMS: u32 = 55;
const OPT_END: u32 = 255;

export class DhcpReply {
  xid: u32 = 0;
  type: u32 = 0;
  yiaddr: u32 = 0;
  serverId: u32 = 0;
  leaseSecs: u32 = 0;
  mask: u32 = 0;
  router: u32 = 0;
  /** Domain name servers (option 6), the first two; 0 = none. */
  dns1: u32 = 0;
  dns2: u32 = 0;
}

/** Parse a BOOTREPLY for our MAC. False when malformed or not for us. */
export function parseDhcpReply(p: usize, len: i32, mac: usize, r: DhcpReply): bool {
  if (len < DHCP_MIN_LEN + 4 || get8(p + OP) != 2 || get32(p + MAGIC) != MAGIC_COOKIE) return false;
  for (let i: usize = 0; i < 6; i++) if (load<u8>(p + CHADDR + i) != load<u8>(mac + i)) return false;
  r.xid = get32(p + XID);
  r.yiaddr = get32(p + YIADDR);
  r.type = 0; r.serverId = 0; r.leaseSecs = 0; r.mask = 0; r.router = 0; r.dns1 = 0; r.dns2 = 0;
  let o = p + OPTIONS;
  const end = p + <usize>len;
  while (o < end) {
    const code = get8(o);
    if (code == OPT_END) break;
    if (code == OPT_PAD) { o++; continue; }
    if (o + 1 >= end) return false;
    const olen = get8(o + 1);
    if (o + 2 + <usize>olen > end) return false;
    const v = o + 2;
    if (code == OPT_MSG_TYPE && olen == 1) r.type = get8(v);
    else if (code == OPT_SERVER_ID && olen == 4) r.serverId = get32(v);
    else if (code == OPT_LEASE && olen == 4) r.leaseSecs = get32(v);
    else if (code == OPT_SUBNET && olen == 4) r.mask = get32(v);
    else if (code == OPT_ROUTER && olen >= 4) r.router = get32(v);
    else if (code == OPT_DNS && olen >= 4) { r.dns1 = get32(v); if (olen >= 8) r.dns2 = get32(v + 4); }
    o += 2 + <usize>olen;
  }
  return r.type != 0;
}

/**
 * Build a DISCOVER, REQUEST or DECLINE at p; returns its length. requested/server are 0 to leave those
 * options out; ciaddr is our address while renewing. Replies are asked to come back broadcast.
 * The host name (hostLen bytes at host, 1..63; 0 leaves it out) goes in every message (RFC 2132 §3.14).
 */
export function emitDhcpRequest(p: usize, type: u32, xid: u32, mac: usize, ciaddr: u32, requested: u32, server: u32, secs: u32,
                                host: usize, hostLen: i32): i32 {
  memory.fill(p, 0, <usize>OPTIONS);
  put8(p, 1); put8(p + 1, 1); put8(p + 2, 6);
  put32(p + XID, xid);
  put16(p + 8, min(secs, 0xffff));
  put16(p + FLAGS, ciaddr == 0 ? 0x8000 : 0);
  put32(p + CIADDR, ciaddr);
  memory.copy(p + CHADDR, mac, 6);
  put32(p + MAGIC, MAGIC_COOKIE);
  let o = p + OPTIONS;
  put8(o, OPT_MSG_TYPE); put8(o + 1, 1); put8(o + 2, type); o += 3;
  if (requested != 0) { put8(o, OPT_REQUESTED_IP); put8(o + 1, 4); put32(o + 2, requested); o += 6; }
  if (server != 0) { put8(o, OPT_SERVER_ID); put8(o + 1, 4); put32(o + 2, server); o += 6; }
  if (hostLen > 0) { put8(o, OPT_HOST_NAME); put8(o + 1, hostLen); memory.copy(o + 2, host, <usize>hostLen); o += 2 + <usize>hostLen; }
  if (type != DHCP_DECLINE) { // a DECLINE asks for nothing (RFC 2131 table 5)
    put8(o, OPT_PARAMS); put8(o + 1, 4); put8(o + 2, OPT_SUBNET); put8(o + 3, OPT_ROUTER); put8(o + 4, OPT_LEASE);
    put8(o + 5, OPT_DNS); o += 6;
  }
  put8(o, OPT_END); o++;
  let len = <i32>(o - p);
  while (len < 300) { put8(p + <usize>len, 0); len++; } // BOOTP's minimum message size
  return len;
}
