// The code store on the emulated LX6 board (the ESP32's windowed ABI; boards/xtensa's store is the
// flash's last MiB, blank at every boot): the firmware compiles every function the module defines
// into it at start-up and runs them from there, and noStore (the firmware's --no-store) leaves it
// alone, compiling into the heap, which then holds more after the boot.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { XtensaBoard, CORES, coreBuilt } from "../../host/engine/xtensa.js";
import { definedFunctions } from "../lib/functions.js";

const skip = coreBuilt("lx6") ? false : `the lx6 board is not built (${CORES.lx6.build})`;

/** Boot the board (verbose), stop it: its log lines and its heap in use after the boot. */
async function boot(noStore: boolean): Promise<{ logs: string[]; heap: number }> {
  const logs: string[] = [];
  const b = await XtensaBoard.start({ core: "lx6", ip: 0x0a4d0002, prefixLen: 24, seed: 7, time: 1000, verbose: true, noStore, onLog: (l) => logs.push(l) });
  const stats = await b.stop();
  assert.ok(stats, "the board's measurements");
  return { logs, heap: stats.heap_now };
}

let store: { logs: string[]; heap: number }, heap: { logs: string[]; heap: number };
before(async () => { if (!skip) { store = await boot(false); heap = await boot(true); } });

test("lx6: every function the module defines runs from the code store, compiled into it at boot", { skip }, () => {
  const line = store.logs.find((l) => / functions run from the code store /.test(l));
  assert.ok(line, store.logs.join("\n"));
  const m = /^firmware: (\d+) functions run from the code store \(\d+ bytes, compiled into it at this start\)$/.exec(line);
  assert.ok(m, line);
  assert.equal(Number(m[1]), definedFunctions(resolve(PACKAGE_ROOT, "build/synack.wasm")));
});

test("lx6 with noStore (--no-store): no code store, and the heap holds more after the boot", { skip }, () => {
  assert.ok(!heap.logs.some((l) => /code store/.test(l)), heap.logs.join("\n"));
  assert.ok(heap.heap > store.heap, `heap after boot: ${store.heap} bytes with the store, ${heap.heap} without`);
});
