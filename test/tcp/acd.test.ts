// RFC 5227 address conflict detection for a configured address: three probes from 0.0.0.0, two
// announcements, a conflict while probing logged and counted, a later one defended once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Stack, ManualClock } from "../../host/engine/stack.js";
import { MODULE_IP, MODULE_MAC } from "../lib/harness.js";

const OTHER_MAC = Uint8Array.from([2, 0, 0, 0, 0, 0x77]);

interface Arp { at: number; op: number; spa: number; tpa: number }

/** The module at 10.77.0.2 (no services), its ARP frames with the clock's time, its log. */
function host() {
  const clock = new ManualClock();
  clock.t = 7000;
  const arp: Arp[] = [];
  const logs: string[] = [];
  const s = new Stack({ ip: MODULE_IP, prefixLen: 24, mac: MODULE_MAC, clock, services: 0, random: () => 500, onLog: (l) => logs.push(l),
    onSend: (f) => {
      const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
      if (v.getUint16(12) === 0x0806) arp.push({ at: clock.t - 7000, op: v.getUint16(20), spa: v.getUint32(28), tpa: v.getUint32(38) });
    } });
  const run = (ms: number) => { for (let t = 0; t < ms; t += 50) { clock.advance(50); s.poll(); } };
  return { s, arp, logs, run };
}

/** Another host's ARP packet, sender spa (its MAC OTHER_MAC), for tpa. */
function otherArp(op: number, spa: number, tpa: number): Uint8Array {
  const f = new Uint8Array(42);
  const v = new DataView(f.buffer);
  f.fill(0xff, 0, 6); f.set(OTHER_MAC, 6); v.setUint16(12, 0x0806);
  v.setUint16(14, 1); v.setUint16(16, 0x0800); f[18] = 6; f[19] = 4; v.setUint16(20, op);
  f.set(OTHER_MAC, 22); v.setUint32(28, spa); v.setUint32(38, tpa);
  return f;
}

test("a configured address: three probes from 0.0.0.0 1-2 s apart, then two announcements 2 s apart", () => {
  const h = host();
  h.run(12_000);
  assert.deepEqual(h.arp.map((a) => [a.op, a.spa, a.tpa]), [
    [1, 0, MODULE_IP], [1, 0, MODULE_IP], [1, 0, MODULE_IP], [1, MODULE_IP, MODULE_IP], [1, MODULE_IP, MODULE_IP]]);
  const gaps = h.arp.slice(1).map((a, i) => a.at - h.arp[i].at);
  assert.ok(h.arp[0].at <= 1000, `PROBE_WAIT: ${h.arp[0].at}`);
  assert.ok(gaps[0] >= 1000 && gaps[0] <= 2000 && gaps[1] >= 1000 && gaps[1] <= 2000, `probes ${gaps}`);
  assert.deepEqual([gaps[2], gaps[3]], [2000, 2000], "ANNOUNCE_WAIT, then ANNOUNCE_INTERVAL");
  assert.equal(h.s.stats().arpConflicts, 0);
});

test("another host answers for the address while we probe: logged with its MAC, counted, no announcement", () => {
  const h = host();
  h.run(1000);
  h.s.receive(otherArp(2, MODULE_IP, MODULE_IP));
  h.run(10_000);
  assert.ok(h.logs.includes("address 10.77.0.2 in use by 02:00:00:00:00:77"), h.logs.join("\n"));
  assert.equal(h.s.stats().arpConflicts, 1);
  assert.ok(h.arp.every((a) => a.spa === 0), "no announcement of an address in use");
});

test("another host probing for the same address while we probe is a conflict too", () => {
  const h = host();
  h.run(600);
  h.s.receive(otherArp(1, 0, MODULE_IP));
  h.s.poll();
  assert.ok(h.logs.includes("address 10.77.0.2 in use by 02:00:00:00:00:77"), h.logs.join("\n"));
});

test("after the announcements: the first conflict is defended by one announcement, a second within 10 s is not", () => {
  const h = host();
  h.run(12_000);
  const before = h.arp.length;
  h.s.receive(otherArp(1, MODULE_IP, 0x0a4d0001));
  h.s.poll();
  assert.equal(h.arp.length, before + 1);
  assert.deepEqual([h.arp[before].spa, h.arp[before].tpa], [MODULE_IP, MODULE_IP], "a gratuitous ARP defends");
  assert.ok(h.logs.includes("address 10.77.0.2 defended against 02:00:00:00:00:77"));
  h.run(5000);
  h.s.receive(otherArp(1, MODULE_IP, 0x0a4d0001));
  h.s.poll();
  assert.equal(h.arp.length, before + 1, "no second defence within DEFEND_INTERVAL");
  assert.ok(h.logs.includes("address 10.77.0.2 in use by 02:00:00:00:00:77"));
  assert.equal(h.s.stats().arpConflicts, 2);
  assert.equal(h.s.address(), MODULE_IP, "a configured address stays as the host chose it");
});
