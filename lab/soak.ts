// npm run soak -- --seeds N: transfers both ways between two synacks on a faulty simulated wire,
// with connections opening and closing all along. Every byte must arrive intact and in order,
// every connection must reach CLOSED (TIME-WAIT included), nothing may trap, memory stays flat.
import { Wire, Rng, Faults } from "./netsim.js";
import { Stack } from "../host/engine/stack.js";
import { E } from "../host/engine/abi.js";

const A_IP = "10.77.0.2";
const B_IP = "10.77.0.3";
const MSL_MS = 2000;

export function faultsFor(seed: number): Faults {
  const r = new Rng(seed ^ 0x9e3779b9);
  return {
    loss: r.float() * 0.08, duplicate: r.float() * 0.04, reorder: r.float() * 0.08, corrupt: r.float() * 0.02,
    delayMs: r.int(1, 30), jitterMs: r.int(0, 20), mtu: 1500, outages: r.float() * 0.03,
  };
}

interface Client {
  from: Stack; to: string; id: number; payload: Uint8Array;
  sent: number; got: number; shut: boolean; done: boolean;
}

export interface SoakResult {
  seed: number; ok: boolean; reason?: string; faults: Faults; virtualMs: number;
  connections: number; bytes: number; reopened: number; wire: Wire["stats"];
}

export function soakSeed(seed: number, connections = 12, maxBytes = 64 * 1024): SoakResult {
  const faults = faultsFor(seed);
  const wire = new Wire(seed, faults);
  const a = wire.add(A_IP, 2, (s) => s.setMsl(MSL_MS));
  const b = wire.add(B_IP, 3, (s) => s.setMsl(MSL_MS));
  const rng = new Rng(seed * 7 + 1);
  const pages = [a.stack.memoryBytes(), b.stack.memoryBytes()];
  const clients: Client[] = [];
  let started = 0, bytes = 0, reopened = 0;
  let failure: string | undefined;
  const fail = (why: string) => { if (!failure) failure = why; };

  const start = () => {
    const forward = started % 2 === 0;
    const from = forward ? a.stack : b.stack;
    const payload = rng.bytes(rng.int(1, maxBytes));
    const id = from.connect(forward ? B_IP : A_IP, 7);
    if (id < 0) { fail(`connect failed: ${id}`); return false; }
    clients.push({ from, to: forward ? B_IP : A_IP, id, payload, sent: 0, got: 0, shut: false, done: false });
    started++;
    bytes += payload.length;
    return true;
  };

  /**
   * An open that ARP could not complete (three requests lost to an outage or to loss):
   * EHOSTUNREACH, as Linux says it; nothing was delivered, so the client opens again.
   */
  const unreachable = (c: Client, err: number) => {
    if (err !== E.HOSTUNREACH || c.got !== 0) return false;
    c.from.close(c.id);
    c.id = c.from.connect(c.to, 7);
    if (c.id < 0) fail(`connect failed: ${c.id}`);
    c.sent = 0;
    c.shut = false;
    reopened++;
    wire.kick();
    return true;
  };

  const drive = () => {
    while (started < connections && clients.filter((c) => !c.done).length < 3 && start());
    for (const c of clients) {
      if (c.done) continue;
      while (c.sent < c.payload.length) {
        const n = c.from.send(c.id, c.payload.subarray(c.sent, c.sent + 4096));
        if (n === E.PIPE || n < 0) { if (n !== E.PIPE && !unreachable(c, n)) fail(`send on ${c.id}: ${n}`); break; }
        if (n === 0) break;
        c.sent += n;
        wire.kick();
      }
      if (c.sent === c.payload.length && !c.shut && c.from.state(c.id) === "ESTABLISHED") {
        c.from.shutdown(c.id); c.shut = true; wire.kick();
      }
      for (;;) {
        const r = c.from.recv(c.id, 8192);
        if (r instanceof Uint8Array) {
          for (let i = 0; i < r.length; i++) {
            if (r[i] !== c.payload[c.got + i]) { fail(`byte ${c.got + i} of a ${c.payload.length}-byte echo differs`); break; }
          }
          c.got += r.length;
          wire.kick();
          continue;
        }
        if (r === 0) {
          if (c.got !== c.payload.length) fail(`echo ended after ${c.got} of ${c.payload.length} bytes`);
          c.from.close(c.id); c.done = true; wire.kick();
        } else if (r !== E.AGAIN && !unreachable(c, r)) fail(`recv on ${c.id}: error ${r}`);
        break;
      }
    }
  };

  const connsLeft = (s: Stack) => s.connsText().split("\n").filter((l) => /^\s*\d+\s/.test(l)).length;
  const t0 = wire.clock.t;
  try {
    const finished = wire.run(() => !!failure || (started === connections && clients.every((c) => c.done)), 3_600_000, drive);
    if (!finished) fail(`transfers unfinished after an hour of virtual time (${clients.filter((c) => !c.done).length} open)`);
    if (!failure) {
      const closed = wire.run(() => connsLeft(a.stack) + connsLeft(b.stack) === 0, 4 * MSL_MS + 120_000);
      if (!closed) fail(`connections left: ${[a.stack.connsText(), b.stack.connsText()].join("")}`);
    }
    if (a.stack.memoryBytes() !== pages[0] || b.stack.memoryBytes() !== pages[1]) fail("linear memory grew");
  } catch (e) {
    fail(`trap: ${(e as Error).message}`);
  }
  return { seed, ok: !failure, reason: failure, faults, virtualMs: wire.clock.t - t0, connections: started, bytes, reopened, wire: wire.stats };
}

function main(argv: string[]): number {
  let seeds = 20, first = 1;
  let single: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const v = Number(argv[i + 1]);
    if (argv[i] === "--seeds" && Number.isInteger(v) && v > 0) { seeds = v; i++; }
    else if (argv[i] === "--start" && Number.isInteger(v)) { first = v; i++; }
    else if (argv[i] === "--seed" && Number.isInteger(v)) { single = v; i++; }
    else { process.stderr.write(`soak: bad argument ${argv[i]} (--seeds N [--start S] | --seed S)\n`); return 2; }
  }
  const list = single !== null ? [single] : Array.from({ length: seeds }, (_, i) => first + i);
  let failed = 0, frames = 0, lost = 0, bytes = 0;
  for (const seed of list) {
    const r = soakSeed(seed);
    frames += r.wire.sent; lost += r.wire.lost; bytes += r.bytes;
    const f = r.faults;
    const desc = `loss ${(f.loss * 100).toFixed(1)}% dup ${(f.duplicate * 100).toFixed(1)}% reorder ${(f.reorder * 100).toFixed(1)}% corrupt ${(f.corrupt * 100).toFixed(1)}% delay ${f.delayMs}+${f.jitterMs} ms`;
    if (r.ok) console.log(`seed ${seed}: ok  ${r.connections} connections, ${r.bytes} bytes, ${(r.virtualMs / 1000).toFixed(1)} s virtual; ${desc}`);
    else {
      failed++;
      console.log(`seed ${seed}: FAILED ${r.reason}; ${desc}\n  reproduce: npm run soak -- --seed ${seed}`);
    }
  }
  console.log(`${list.length - failed} passed, ${failed} failed (${bytes} bytes echoed, ${frames} frames, ${lost} lost)`);
  return failed ? 1 : 0;
}

if (process.argv[1] && process.argv[1].endsWith("soak.js")) process.exit(main(process.argv.slice(2)));
