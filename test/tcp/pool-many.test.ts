// Many connections in a small shared pool (issue 16): 16 echo clients, each sending as Linux does
// (segments bounded by half the largest window seen, tcp_bound_to_half_wnd; a persist probe when
// the window is closed or too small for one, backing off until one fits), all get their bytes back
// intact. No window is ever offered above what the connection's buffer can hold (RFC 9293
// §3.8.6.2.2): a SYN cookie's SYN,ACK offered the whole 7 KiB ring, its connection then held an
// 896-byte split, and Linux's 1448-byte segments never fitted it again (one probe's worth per
// backed-off probe: the stalled client of the board's 18-slot default).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Peer, describe } from "../lib/harness.js";

interface Client { rtoAt: number; rto: number; owed: number; ackAt: number; sport: number; snd: number; una: number; wnd: number; maxWnd: number; rcv: number; sent: number; got: number[]; probeAt: number; probes: number }

const MSS = 1448;
const BYTES = 32 * 1024;
const byteOf = (i: number, k: number) => (i * 31 + k * 7) & 0xff;

/** 16 echo clients on a layout; returns the clients that were not served whole. */
function echoMany(layout: { conns: number; rxRing: number; txRing: number; poolBytes: number }, clients = 16): string[] {
  const p = new Peer({ layout });
  const cs: Client[] = [];
  // The SYNs arrive at once (16 nc started together): past the listener's backlog they are
  // answered with SYN cookies, whose connections are built when their ACKs come.
  const sas = [];
  for (let i = 0; i < clients; i++) {
    p.sport = 41000 + i;
    p.tcp({ dport: 7, seq: 100_000 * (i + 1), flags: "S", mss: 1460, wnd: 65535 });
    const sa = p.expect("SA", { ack: 100_000 * (i + 1) + 1 });
    assert.ok(sa.wnd <= layout.poolBytes / 8 * 7 / layout.conns, `client ${i}: its SYN,ACK offers no more than a connection's buffer: ${sa.wnd}`);
    sas.push(sa);
  }
  for (let i = 0; i < clients; i++) {
    const sa = sas[i], isn = 100_000 * (i + 1);
    p.sport = 41000 + i;
    p.tcp({ dport: 7, seq: isn + 1, ack: sa.seq + 1, flags: "A", wnd: 65535 });
    cs.push({ sport: p.sport, snd: isn + 1, una: isn + 1, wnd: sa.wnd, maxWnd: sa.wnd, rcv: (sa.seq + 1) >>> 0, rtoAt: 0, rto: 200, owed: 0, ackAt: 0, sent: 0, got: [], probeAt: 0, probes: 0 });
  }
  let now = 0;
  for (let round = 0; round < 20000 && cs.some((c) => c.got.length < BYTES); round++) {
    for (const [i, c] of cs.entries()) {
      p.sport = c.sport;
      // Linux's sender: segments up to the MSS bounded by half the largest window seen, each
      // whole inside the window (tcp_snd_wnd_test); a closed or too small window waits for the
      // persist timer, whose probe sends what fits or, in a closed window, one old byte's ACK.
      const mssNow = c.maxWnd > 536 ? Math.min(MSS, c.maxWnd >> 1) : MSS;
      let sentNow = false;
      // Its retransmission timer: what was sent and not acknowledged is sent again (RFC 6298).
      if (c.snd !== c.una && now >= c.rtoAt) {
        c.sent -= (c.snd - c.una) | 0;
        c.snd = c.una;
        c.rto = Math.min(c.rto * 2, 120_000);
        send(p, c, i, Math.min(mssNow, BYTES - c.sent));
        c.rtoAt = now + c.rto;
      }
      while (c.sent < BYTES) {
        const seg = Math.min(mssNow, BYTES - c.sent);
        if (c.snd + seg - c.una > c.wnd) break;
        if (c.snd === c.una) c.rtoAt = now + c.rto;
        send(p, c, i, seg);
        sentNow = true;
      }
      // Linux's persist timer backs off until a whole segment fits (tcp_ack_probe), even while
      // each probe's data is acknowledged: a window kept under that segment stalls the sender.
      if (sentNow || c.sent >= BYTES || c.snd !== c.una) { if (c.probes === 0) c.probeAt = now + 200; continue; }
      if (now < c.probeAt) continue;
      const usable = c.una + c.wnd - c.snd;
      if (usable > 0) send(p, c, i, Math.min(usable, BYTES - c.sent));
      else p.tcp({ dport: 7, seq: c.snd - 1, ack: c.rcv, flags: "A", wnd: 65535 });
      c.probes++;
      c.probeAt = now + Math.min(200 << c.probes, 120_000);
    }
    p.advance(10);
    now += 10;
    for (let s = p.next(); s; s = p.next()) {
      const c = cs.find((x) => x.sport === s.dstPort);
      assert.ok(c, `a segment for a client: ${describe(s)}`);
      if (s.flags & 0x04) assert.fail(`client ${c.sport} reset: ${describe(s)}`);
      if (((s.ack - c.una) | 0) > 0) { c.rto = 200; c.rtoAt = now + c.rto; }
      if (((s.ack - c.una) | 0) >= 0) { c.una = s.ack; c.wnd = s.wnd; c.maxWnd = Math.max(c.maxWnd, s.wnd); }
      const mssNow = c.maxWnd > 536 ? Math.min(MSS, c.maxWnd >> 1) : MSS;
      if (c.snd + Math.min(mssNow, BYTES - c.sent) - c.una <= c.wnd) c.probes = 0;
      if (s.data.length > 0) {
        if (s.seq === c.rcv) { c.got.push(...s.data); c.rcv = (c.rcv + s.data.length) >>> 0; }
        // Linux's delayed ACK: every second full segment at once, else within 40 ms.
        if (++c.owed >= 2) ackNow(p, c); else c.ackAt = now + 40;
      }
    }
    for (const c of cs) if (c.owed > 0 && now >= c.ackAt) ackNow(p, c);
  }
  const stalled: string[] = [];
  for (const [i, c] of cs.entries()) {
    const intact = c.got.length === BYTES && c.got.every((b, k) => b === byteOf(i, k));
    if (!intact) stalled.push(`client ${i}: echoed ${c.got.length}/${BYTES}, sent ${c.sent}, in flight ${c.snd - c.una}, window ${c.wnd}`);
  }
  return stalled;
}

function ackNow(p: Peer, c: Client): void {
  p.sport = c.sport;
  p.tcp({ dport: 7, seq: c.snd, ack: c.rcv, flags: "A", wnd: 65535 });
  c.owed = 0;
}

function send(p: Peer, c: Client, i: number, n: number): void {
  const data = new Uint8Array(n);
  for (let k = 0; k < n; k++) data[k] = byteOf(i, c.sent + k);
  p.tcp({ dport: 7, seq: c.snd, ack: c.rcv, flags: "PA", data, wnd: 65535 });
  c.snd = (c.snd + n) >>> 0;
  c.sent += n;
}

test("16 echo clients at once (SYN cookies past the backlog) over an 18 KiB pool shared by 18 slots: every byte echoed, no window offered beyond its buffer", () => {
  assert.deepEqual(echoMany({ conns: 18, rxRing: 7168, txRing: 2048, poolBytes: 18432 }), []);
});
