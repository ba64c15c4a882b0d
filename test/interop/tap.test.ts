// The TAP's two helpers (the N-API addon in Node's process, the tapio relay): each carries frames
// both ways (Linux pings the module and gets every reply), and the addon is the one used when built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { isRoot, createNetns, STACK_IP, PREFIX } from "../../host/link/netns.js";
import { TapLink, TAP_ADDON } from "../../host/link/tap.js";
import { Stack } from "../../host/engine/stack.js";
import { Runner } from "../../host/engine/runner.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";

for (const via of ["addon", "relay"] as const) {
  test(`TAP through the ${via}: 20 pings of 1000 bytes answered, the frames counted on both sides`, { skip: skip || (via === "addon" && !existsSync(TAP_ADDON) ? "build/tapaddon.node not built" : false) }, async () => {
    const ns = createNetns("tap");
    let runner: Runner | null = null;
    try {
      const link = await TapLink.open(ns.tap, ns.name, via === "relay" ? "relay" : undefined);
      assert.equal(link.via, via);
      let framesIn = 0, framesOut = 0;
      const stack = new Stack({ ip: STACK_IP, prefixLen: PREFIX, onSend: () => { framesOut++; } });
      runner = new Runner(stack, link);
      const deliver = link.onFrame;
      link.onFrame = (f) => { framesIn++; deliver(f); };
      runner.start();
      const r = await ns.run("ping", ["-c", "20", "-i", "0.01", "-s", "1000", "-W", "2", STACK_IP]);
      assert.match(r.stdout.toString(), /20 packets transmitted, 20 received/, r.stdout.toString());
      assert.ok(framesIn >= 20 && framesOut >= 20, `in ${framesIn}, out ${framesOut}`);
    } finally {
      await runner?.stop();
      ns.destroy();
    }
  });
}

test("the addon's direct path: 20 pings of 1000 bytes answered with frames read into and sent from the module's memory, none through JavaScript's onFrame/onSend", { skip: skip || (!existsSync(TAP_ADDON) ? "build/tapaddon.node not built" : false) }, async () => {
  const ns = createNetns("tapd");
  let runner: Runner | null = null;
  try {
    const link = await TapLink.open(ns.tap, ns.name);
    let copied = 0;
    const stack = new Stack({ ip: STACK_IP, prefixLen: PREFIX, onSend: () => { copied++; } });
    runner = new Runner(stack, link, { direct: true });
    const deliver = link.onFrame;
    link.onFrame = (f) => { copied++; deliver(f); };
    runner.start();
    const r = await ns.run("ping", ["-c", "20", "-i", "0.01", "-s", "1000", "-W", "2", STACK_IP]);
    assert.match(r.stdout.toString(), /20 packets transmitted, 20 received/, r.stdout.toString());
    const st = stack.stats();
    assert.ok(st.ethInFrames >= 20 && st.ethOutFrames >= 20, `in ${st.ethInFrames}, out ${st.ethOutFrames}`);
    assert.equal(copied, 0, "no frame went through onFrame or onSend");
  } finally {
    await runner?.stop();
    ns.destroy();
  }
});

test("the addon's direct path: a closed link's read() and send() do nothing while another TAP is open", { skip: skip || (!existsSync(TAP_ADDON) ? "build/tapaddon.node not built" : false) }, async () => {
  const nsA = createNetns("tapa"), nsB = createNetns("tapb");
  let b: TapLink | null = null;
  try {
    const memory = new ArrayBuffer(4096);
    // A broadcast ARP request from a locally administered MAC: something the kernel counts as received.
    const frame = new Uint8Array(memory, 0, 60);
    frame.set([255, 255, 255, 255, 255, 255, 2, 0, 0, 0, 0, 9, 8, 6, 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 9, 10, 77, 0, 9]);
    frame.set([10, 77, 0, 1], 38);
    const rx = (ns: typeof nsB) => Number(/RX:.*\n\s*\d+\s+(\d+)/.exec(ns.execSync("ip", ["-s", "link", "show", "tap0"]))![1]);
    const a = await TapLink.open(nsA.tap, nsA.name);
    const ioA = a.direct!(memory, 2048, 2048, () => {})!;
    await a.close();
    await new Promise((r) => setTimeout(r, 20)); // libuv releases the slot on a later turn
    assert.equal(ioA.read(), 0);
    b = await TapLink.open(nsB.tap, nsB.name);
    const ioB = b.direct!(memory, 2048, 2048, () => {})!;
    const before = rx(nsB);
    ioA.send(0, 60);
    assert.equal(rx(nsB), before, "the closed link's send reached the new TAP");
    ioB.send(0, 60);
    assert.equal(rx(nsB), before + 1, "the live link's send is counted");
  } finally {
    await b?.close();
    nsA.destroy(); nsB.destroy();
  }
});

test("a missing interface is one line through either helper", { skip }, async () => {
  for (const via of [undefined, "relay"] as const) {
    await assert.rejects(TapLink.open("synack-none9", undefined, via), /no such interface: synack-none9$/);
  }
});
