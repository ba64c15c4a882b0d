// A socket piped to itself (an echo server) writes back in the order it read. Scripted against
// a stand-in for the module's socket calls: the send ring's room and each received chunk are set
// by the test, so the same schedule runs every time, the one that once reordered the echo.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "../../host/api/socket.js";
import type { StackCalls } from "../../host/engine/calls.js";
import { E } from "../../host/engine/abi.js";

const ESTABLISHED = 4;

test("echo (s.pipe(s)): bytes read while earlier writes wait behind a full send ring go back in order", async () => {
  let room = 0;                 // bytes the send ring takes now
  const inbox: Buffer[] = [];   // chunks recv() returns next
  const sent: Buffer[] = [];    // what the send ring took, in order
  const calls = {
    sockState: () => ESTABLISHED,
    remote: () => ({ ip: 0x0a4d0003, port: 40000 }),
    localPort: () => 7,
    address: () => 0x0a4d0002,
    send: (_id: number, d: Uint8Array) => {
      const n = Math.min(room, d.length);
      room -= n;
      if (n > 0) sent.push(Buffer.from(d.subarray(0, n)));
      return n;
    },
    recv: (_id: number) => inbox.shift() ?? E.AGAIN,
    abort: () => 0,
  } as unknown as StackCalls;
  const s = new Socket({ calls, kick() {}, track() {}, untrack() {}, ref() {} }, 0, false);
  s.pipe(s);
  await new Promise((r) => setImmediate(r)); // pipe() starts the flow on a later tick
  const [a, b, c, d] = ["a", "b", "c", "d"].map((k) => Buffer.alloc(4, k));

  // The ring is full: a is taken by the stream and waits unsent; b and c queue behind it.
  inbox.push(a, b, c);
  s.pump();
  assert.equal(sent.length, 0);
  // The ring frees: a, b and c go, and d, which arrives in the same turn, after them.
  room = 1 << 20;
  inbox.push(d);
  s.pump();
  assert.equal(Buffer.concat(sent).toString("latin1"), "aaaabbbbccccdddd");
  s.destroy();
});
