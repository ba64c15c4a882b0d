// The Ethernet interface: our addresses, ARP, and the one exit to the wire (frames arrive in
// receive.ts).
import { send_frame } from "../env";
import { put16, put32 } from "../util/bytes";
import { C, count } from "../util/counters";
import { ETH_HEADER_LEN, ETHERTYPE_ARP, ethDst, emitEth, isBroadcastMac, isGroupMac, macEquals } from "../wire/ethernet";
import {
  ARP_LEN, ARP_REPLY, ARP_REQUEST, arpValid, arpOp, arpSenderIp, arpSenderMac, arpTargetIp, emitArp,
} from "../wire/arp";
import { arpLearn, arpTick, holdFrame, holdLength, releaseHold } from "./arp_cache";
import { fragmentsPoll, fragmentsInit } from "./fragments";

const mac = memory.data(6);
const broadcast = memory.data<u8>([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const zeroMac = memory.data(6);
const arpFrame = memory.data(64, 4);
const groupMac = memory.data(6);
let group: u32 = 0; // the one IPv4 multicast group we joined (mDNS), 0 = none
let ip: u32 = 0;
let mask: u32 = 0;
let gateway: u32 = 0;
/**
 * What ARP input saw of another host using our address (RFC 5227 §2.1.1, §2.4), for acd.ts to
 * act on: a packet with our address as its sender (claimed), or a probe for it (probed); the
 * other host's MAC. Input only marks.
 */
export let arpClaimed = false;
export let arpProbed = false;
export const arpConflictMac = memory.data(6);
export function arpConflictsTaken(): void { arpClaimed = false; arpProbed = false; }

export function ifaceInit(macHi: u32, macLo: u32, addr: u32, prefixLen: u32, gw: u32): void {
  put16(mac, macHi);
  put32(mac + 2, macLo);
  ifaceSetAddress(addr, prefixLen, gw);
  fragmentsInit();
}

/** A new address (DHCP): 0 while we have none. */
export function ifaceSetAddress(addr: u32, prefixLen: u32, gw: u32): void {
  ip = addr;
  mask = prefixLen == 0 ? 0 : <u32>(0xffffffff << (32 - min(prefixLen, 32)));
  gateway = gw;
}

export function ourIp(): u32 { return ip; }

/** The Ethernet address of IPv4 multicast group g (RFC 1112 §6.4): 01:00:5e + its low 23 bits. */
export function multicastMac(out: usize, g: u32): void {
  put16(out, 0x0100);
  put32(out + 2, 0x5e000000 | (g & 0x7fffff));
}

/** Receive datagrams sent to multicast group g (one group: mDNS's). */
export function ifaceJoin(g: u32): void {
  group = g;
  multicastMac(groupMac, g);
}
export function joinedGroup(dst: u32): bool { return group != 0 && dst == group; }
export function broadcastMac(): usize { return broadcast; }
export function ourMac(): usize { return mac; }
export function netmask(): u32 { return mask; }
export function gatewayIp(): u32 { return gateway; }

/** Every frame leaves through here. */
export function linkSend(frame: usize, len: i32): void {
  count(C.ETH_OUT_FRAMES);
  send_frame(frame, <u32>len);
}

/** Frames to this MAC are ours: our own, broadcast, and the joined group's. */
@inline export function macIsOurs(dst: usize): bool {
  return macEquals(dst, mac) || isBroadcastMac(dst) || (group != 0 && macEquals(dst, groupMac));
}

/** An ARP packet (RFC 826): learn the sender, answer a request for our address. */
export function arpInput(p: usize, len: i32): void {
  if (!arpValid(p, len) || isGroupMac(arpSenderMac(p))) { count(C.ARP_DROP_MALFORMED); return; }
  count(C.ARP_IN);
  const spa = arpSenderIp(p);
  const forUs = arpTargetIp(p) == ip && ip != 0;
  if (ip != 0 && !macEquals(arpSenderMac(p), mac) && (spa == ip || (spa == 0 && forUs && arpOp(p) == ARP_REQUEST))) {
    if (spa == ip) arpClaimed = true; else arpProbed = true;
    memory.copy(arpConflictMac, arpSenderMac(p), 6);
    count(C.ARP_CONFLICTS);
  }
  if (spa != 0 && spa != ip) {
    const slot = arpLearn(spa, arpSenderMac(p), forUs);
    if (slot >= 0) sendHeld(slot, arpSenderMac(p));
  }
  if (forUs && arpOp(p) == ARP_REQUEST) {
    const f = arpFrame;
    emitEth(f, arpSenderMac(p), mac, ETHERTYPE_ARP);
    emitArp(f + ETH_HEADER_LEN, ARP_REPLY, mac, ip, arpSenderMac(p), spa);
    count(C.ARP_OUT_REPLIES);
    linkSend(f, ETH_HEADER_LEN + ARP_LEN);
  }
}

/** A held frame's next hop resolved: address it and send it. */
function sendHeld(slot: i32, dstMac: usize): void {
  const f = holdFrame(slot);
  memory.copy(ethDst(f), dstMac, 6);
  linkSend(f, holdLength(slot));
  releaseHold(slot);
}

/** Broadcast a who-has for target. */
export function arpRequest(target: u32): void { whoHas(ip, target); }

/** An RFC 5227 probe: who-has target, from 0.0.0.0 (nobody's cache learns from it). */
export function arpProbe(target: u32): void { whoHas(0, target); }

@inline function whoHas(sender: u32, target: u32): void {
  const f = arpFrame;
  emitEth(f, broadcast, mac, ETHERTYPE_ARP);
  emitArp(f + ETH_HEADER_LEN, ARP_REQUEST, mac, sender, zeroMac, target);
  count(C.ARP_OUT_REQUESTS);
  linkSend(f, ETH_HEADER_LEN + ARP_LEN);
}

/**
 * A gratuitous ARP (RFC 5227 §2.3 announcement) for a new address: neighbours that cached a
 * failed lookup for it (a DHCP server that pinged it first, say) learn where it lives now.
 */
export function arpAnnounce(): void { if (ip != 0) arpRequest(ip); }

export function ifacePoll(): u32 { return min(arpTick(arpRequest), fragmentsPoll()); }
