/// <reference types="@as-pect/assembly/types/as-pect" />
import { ipCheck, emitIpv4 } from "../../assembly/wire/ipv4";
import { parseSegment, emitSegment, Segment, SYN, ACK_FLAG, FIN, RST } from "../../assembly/wire/tcp";
import { arpValid, emitArp, ARP_REQUEST } from "../../assembly/wire/arp";
import { C } from "../../assembly/util/counters";
import { put8, put16 } from "../../assembly/util/bytes";

const SRC: u32 = 0x0a4d0001;
const DST: u32 = 0x0a4d0002;

describe("IPv4 validation", () => {
  it("accepts what it emits", () => {
    const p = heap.alloc(64);
    emitIpv4(p, SRC, DST, 6, 20, 1);
    expect(ipCheck(p, 40)).toBe(-1);
  });
  it("rejects IHL < 5, IHL beyond the packet, bad lengths, bad checksum, fragments", () => {
    const p = heap.alloc(64);
    emitIpv4(p, SRC, DST, 6, 20, 1); put8(p, 0x44);
    expect(ipCheck(p, 40)).toBe(C.IP_DROP_IHL);
    emitIpv4(p, SRC, DST, 6, 0, 1); put8(p, 0x4f);
    expect(ipCheck(p, 20)).toBe(C.IP_DROP_IHL);
    emitIpv4(p, SRC, DST, 6, 20, 1);
    expect(ipCheck(p, 30)).toBe(C.IP_DROP_TOTAL_LEN);
    emitIpv4(p, SRC, DST, 6, 20, 1); put8(p + 10, 0);
    expect(ipCheck(p, 40)).toBe(C.IP_DROP_CHECKSUM);
    emitIpv4(p, SRC, DST, 6, 20, 1); put8(p, 0x65);
    expect(ipCheck(p, 40)).toBe(C.IP_DROP_VERSION);
  });
});

describe("TCP segment parse and emit", () => {
  it("round-trips a SYN with MSS", () => {
    const p = heap.alloc(64);
    const n = emitSegment(p, SRC, DST, 1234, 80, 1000, 0, SYN, 4096, 1460, 0);
    const seg = new Segment();
    expect(parseSegment(SRC, DST, p, n, seg)).toBe(-1);
    expect(seg.srcPort).toBe(1234);
    expect(seg.seq).toBe(1000);
    expect(seg.mss).toBe(1460);
    expect(seg.segLen).toBe(1);
  });
  it("drops a bad checksum, a short data offset, port 0 and impossible flags", () => {
    const p = heap.alloc(64);
    const seg = new Segment();
    let n = emitSegment(p, SRC, DST, 1234, 80, 1, 2, ACK_FLAG, 100, 0, 0);
    put8(p + 17, load<u8>(p + 17) ^ 1);
    expect(parseSegment(SRC, DST, p, n, seg)).toBe(C.TCP_DROP_CHECKSUM);
    n = emitSegment(p, SRC, DST, 0, 80, 1, 2, ACK_FLAG, 100, 0, 0);
    expect(parseSegment(SRC, DST, p, n, seg)).toBe(C.TCP_DROP_PORT_ZERO);
    n = emitSegment(p, SRC, DST, 1, 80, 1, 2, SYN | FIN, 100, 0, 0);
    expect(parseSegment(SRC, DST, p, n, seg)).toBe(C.TCP_DROP_FLAGS);
    n = emitSegment(p, SRC, DST, 1, 80, 1, 2, SYN | RST, 100, 0, 0);
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
