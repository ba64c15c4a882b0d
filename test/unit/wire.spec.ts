/// <reference types="@as-pect/assembly/types/as-pect" />
// The wire formats on their own: golden bytes both ways (emit writes exactly these bytes, parse
// reads these fields), round trips, and every truncation and malformation dropped with its counter.
import { ipCheck, emitIpv4, Ipv4, parseIpv4, PROTO_TCP } from "../../assembly/wire/ipv4";
import { parseSegment, emitSegment, Segment, SYN, ACK_FLAG, FIN, RST } from "../../assembly/wire/tcp";
import { arpValid, emitArp, ARP_REQUEST } from "../../assembly/wire/arp";
import { Icmp, emitIcmp, ICMP_ECHO_REPLY } from "../../assembly/wire/icmp";
import { udpCheck, emitUdp } from "../../assembly/wire/udp";
import { sumBytes, finish, pseudoHeaderSum } from "../../assembly/wire/checksum";
import { C } from "../../assembly/util/counters";
import { put8, put16 } from "../../assembly/util/bytes";

const SRC: u32 = 0x0a4d0001; // 10.77.0.1
const DST: u32 = 0x0a4d0002; // 10.77.0.2

/** A segment repr from SRC to DST with no options and no data. */
function repr(srcPort: u32, dstPort: u32, seq: u32, ack: u32, flags: u32, wnd: u32, mss: u32 = 0): Segment {
  const s = new Segment();
  s.srcIp = SRC; s.dstIp = DST; s.srcPort = srcPort; s.dstPort = dstPort;
  s.seq = seq; s.ack = ack; s.flags = flags; s.wnd = wnd; s.mss = mss;
  return s;
}

/** The bytes at p equal `golden`. */
function expectBytes(p: usize, golden: Array<u8>): void {
  for (let i = 0; i < golden.length; i++) expect<u8>(load<u8>(p + <usize>i)).toBe(golden[i], `byte ${i}`);
}

function copyIn(p: usize, golden: Array<u8>): i32 {
  for (let i = 0; i < golden.length; i++) store<u8>(p + <usize>i, golden[i]);
  return golden.length;
}

// 10.77.0.1 -> 10.77.0.2, TCP, 20 bytes of payload, ident 1, DF, TTL 64.
const IPV4_GOLDEN: Array<u8> = [0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x26, 0x33,
  0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d, 0x00, 0x02];
// 1234 -> 80, SYN, seq 1000, window 4096, MSS 1460.
const SYN_GOLDEN: Array<u8> = [0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,
  0x60, 0x02, 0x10, 0x00, 0x6a, 0x80, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4];
// Echo reply, identifier 0x1234, sequence 1, data "abcd".
const ECHO_REPLY_GOLDEN: Array<u8> = [0x00, 0x00, 0x29, 0x04, 0x12, 0x34, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64];

describe("IPv4 golden bytes", () => {
  it("emits exactly the golden header", () => {
    const p = heap.alloc(64);
    emitIpv4(p, SRC, DST, PROTO_TCP, 20, 1);
    expectBytes(p, IPV4_GOLDEN);
  });
  it("parses the golden header into its repr", () => {
    const p = heap.alloc(64);
    copyIn(p, IPV4_GOLDEN);
    const ip = new Ipv4();
    expect(parseIpv4(p, 40, ip)).toBe(-1);
    expect(ip.src).toBe(SRC);
    expect(ip.dst).toBe(DST);
    expect(ip.proto).toBe(PROTO_TCP);
    expect(ip.headerLen).toBe(20);
    expect(ip.payloadLen).toBe(20);
    expect(ip.fragment).toBe(false);
  });
  it("drops every truncation of the golden datagram", () => {
    const p = heap.alloc(64);
    copyIn(p, IPV4_GOLDEN);
    const ip = new Ipv4();
    for (let n = 0; n < 20; n++) expect(parseIpv4(p, n, ip)).toBe(C.IP_DROP_SHORT);
    for (let n = 20; n < 40; n++) expect(parseIpv4(p, n, ip)).toBe(C.IP_DROP_TOTAL_LEN);
  });
});

describe("TCP golden bytes", () => {
  it("emits exactly the golden SYN from its repr", () => {
    const p = heap.alloc(64);
    expect(emitSegment(p, repr(1234, 80, 1000, 0, SYN, 4096, 1460))).toBe(24);
    expectBytes(p, SYN_GOLDEN);
  });
  it("parses a SYN with MSS, SACK-permitted, timestamps and window scale", () => {
    const p = heap.alloc(64);
    const n = copyIn(p, [0x9c, 0x40, 0x1f, 0x90, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00,
      0x01, 0x03, 0x03, 0x07]);
    put16(p + 16, checksumFor(p, n)); // its checksum is not part of what is tested here
    const s = new Segment();
    expect(parseSegment(SRC, DST, p, n, s)).toBe(-1);
    expect(s.srcPort).toBe(40000);
    expect(s.dstPort).toBe(8080);
    expect(s.mss).toBe(1460);
    expect(s.sackOk).toBe(true);
    expect(s.hasTs).toBe(true);
    expect(s.tsVal).toBe(7);
    expect(s.wscale).toBe(7);
    expect(s.wnd).toBe(64240);
  });
  it("drops every truncation of the golden SYN", () => {
    const p = heap.alloc(64);
    copyIn(p, SYN_GOLDEN);
    const s = new Segment();
    for (let n = 0; n < 20; n++) expect(parseSegment(SRC, DST, p, n, s)).toBe(C.TCP_DROP_SHORT);
    for (let n = 20; n < 24; n++) expect(parseSegment(SRC, DST, p, n, s)).toBe(C.TCP_DROP_DATA_OFFSET);
    expect(parseSegment(SRC, DST, p, 24, s)).toBe(-1);
  });
  it("drops an option that runs past the header, and an MSS of the wrong length", () => {
    const p = heap.alloc(64);
    copyIn(p, SYN_GOLDEN);
    const s = new Segment();
    put8(p + 21, 6); // MSS claims 6 bytes, 4 are left
    put16(p + 16, checksumFor(p, 24));
    expect(parseSegment(SRC, DST, p, 24, s)).toBe(C.TCP_DROP_OPTIONS);
    put8(p + 21, 3); // inside the header, but not MSS's length
    put16(p + 16, checksumFor(p, 24));
    expect(parseSegment(SRC, DST, p, 24, s)).toBe(C.TCP_DROP_OPTIONS);
  });
});

/** The TCP checksum of the n bytes at p (its checksum field zeroed first) from SRC to DST. */
function checksumFor(p: usize, n: i32): u32 {
  put16(p + 16, 0);
  return finish(sumBytes(p, n, pseudoHeaderSum(SRC, DST, PROTO_TCP, <u32>n)));
}

describe("ICMP golden bytes", () => {
  it("emits exactly the golden echo reply from its repr", () => {
    const p = heap.alloc(64);
    const data = heap.alloc(4);
    store<u32>(data, 0x64636261); // "abcd"
    const m = new Icmp();
    m.type = ICMP_ECHO_REPLY; m.code = 0; m.rest = 0x12340001; m.data = data; m.dataLen = 4;
    expect(emitIcmp(p, m)).toBe(12);
    expectBytes(p, ECHO_REPLY_GOLDEN);
  });
});

describe("UDP", () => {
  it("drops every truncation of a datagram, and a length field past the packet", () => {
    const p = heap.alloc(64);
    const n = emitUdp(p, SRC, DST, 5353, 5353, 12);
    expect(udpCheck(SRC, DST, p, n)).toBe(-1);
    for (let k = 0; k < n; k++) expect(udpCheck(SRC, DST, p, k)).toBe(C.UDP_DROP_SHORT);
    put8(p + 7, load<u8>(p + 7) ^ 1);
    expect(udpCheck(SRC, DST, p, n)).toBe(C.UDP_DROP_CHECKSUM);
  });
});

describe("IPv4 validation", () => {
  it("accepts what it emits", () => {
    const p = heap.alloc(64);
    emitIpv4(p, SRC, DST, PROTO_TCP, 20, 1);
    expect(ipCheck(p, 40)).toBe(-1);
  });
  it("rejects IHL < 5, IHL beyond the packet, bad lengths, bad checksum, fragments", () => {
    const p = heap.alloc(64);
    emitIpv4(p, SRC, DST, PROTO_TCP, 20, 1); put8(p, 0x44);
    expect(ipCheck(p, 40)).toBe(C.IP_DROP_IHL);
    emitIpv4(p, SRC, DST, PROTO_TCP, 0, 1); put8(p, 0x4f);
    expect(ipCheck(p, 20)).toBe(C.IP_DROP_IHL);
    emitIpv4(p, SRC, DST, PROTO_TCP, 20, 1);
    expect(ipCheck(p, 30)).toBe(C.IP_DROP_TOTAL_LEN);
    emitIpv4(p, SRC, DST, PROTO_TCP, 20, 1); put8(p + 10, 0);
    expect(ipCheck(p, 40)).toBe(C.IP_DROP_CHECKSUM);
    emitIpv4(p, SRC, DST, PROTO_TCP, 20, 1); put8(p, 0x65);
    expect(ipCheck(p, 40)).toBe(C.IP_DROP_VERSION);
  });
});

describe("TCP segment parse and emit", () => {
  it("round-trips a SYN with MSS", () => {
    const p = heap.alloc(64);
    const n = emitSegment(p, repr(1234, 80, 1000, 0, SYN, 4096, 1460));
    const seg = new Segment();
    expect(parseSegment(SRC, DST, p, n, seg)).toBe(-1);
    expect(seg.srcPort).toBe(1234);
    expect(seg.seq).toBe(1000);
    expect(seg.mss).toBe(1460);
    expect(seg.segLen).toBe(1);
  });
  it("drops a bad checksum, a short data offset, port 0 and impossible flags; SYN+FIN is left to TCP input", () => {
    const p = heap.alloc(64);
    const seg = new Segment();
    let n = emitSegment(p, repr(1234, 80, 1, 2, ACK_FLAG, 100));
    put8(p + 17, load<u8>(p + 17) ^ 1);
    expect(parseSegment(SRC, DST, p, n, seg)).toBe(C.TCP_DROP_CHECKSUM);
    n = emitSegment(p, repr(0, 80, 1, 2, ACK_FLAG, 100));
    expect(parseSegment(SRC, DST, p, n, seg)).toBe(C.TCP_DROP_PORT_ZERO);
    n = emitSegment(p, repr(1, 80, 1, 2, SYN | FIN, 100));
    expect(parseSegment(SRC, DST, p, n, seg)).toBe(-1); // RFC 9293 §3.10.7 says what each state does with it
    n = emitSegment(p, repr(1, 80, 1, 2, SYN | RST, 100));
    expect(parseSegment(SRC, DST, p, n, seg)).toBe(C.TCP_DROP_FLAGS);
    expect(parseSegment(SRC, DST, p, 12, seg)).toBe(C.TCP_DROP_SHORT);
  });
});

describe("ARP", () => {
  it("validates hardware and protocol fields", () => {
    const p = heap.alloc(28);
    const mac = heap.alloc(6);
    emitArp(p, ARP_REQUEST, mac, SRC, mac, DST);
    expect(arpValid(p, 28)).toBe(true);
    expect(arpValid(p, 27)).toBe(false);
    put16(p, 6);
    expect(arpValid(p, 28)).toBe(false);
  });
});
