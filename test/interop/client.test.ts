// The module as a client (active open) to a Linux listener, in process, over a TAP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isRoot, createNetns, STACK_IP, LINUX_IP, PREFIX } from "../../host/link/netns.js";
import { Stack } from "../../host/engine/stack.js";
import { Runner } from "../../host/engine/runner.js";
import { TapLink } from "../../host/link/tap.js";
import { E } from "../../host/engine/abi.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("active open to Linux nc -l: data both ways, then synack closes first", { skip }, async () => {
  const ns = createNetns("c");
  let runner: Runner | null = null;
  try {
    const listener = ns.run("nc", ["-l", LINUX_IP, "9000"], "hello from linux\n", 30_000);
    await sleep(300);
    const link = await TapLink.open(ns.tap, ns.name);
    const stack = new Stack({ ip: STACK_IP, prefixLen: PREFIX });
    runner = new Runner(stack, link).start();
    const id = stack.connect(LINUX_IP, 9000);
    assert.ok(id >= 0);
    for (let i = 0; i < 100 && stack.state(id) !== "ESTABLISHED"; i++) await sleep(20);
    assert.equal(stack.state(id), "ESTABLISHED");
    assert.equal(stack.send(id, new TextEncoder().encode("hello from synack\n")), 18);
    runner.kick();
    let got = "";
    for (let i = 0; i < 200 && !got.endsWith("\n"); i++) {
      const r = stack.recv(id);
      if (r instanceof Uint8Array) got += Buffer.from(r).toString();
      else if (r !== E.AGAIN) break;
      await sleep(10);
    }
    assert.equal(got, "hello from linux\n");
    stack.close(id);
    runner.kick();
    const res = await listener;
    assert.equal(res.stdout.toString(), "hello from synack\n");
    await sleep(200);
    assert.match(stack.connsText(), /TIME-WAIT\s+10\.77\.0\.2:\d+\s+10\.77\.0\.1:9000/);
  } finally {
    runner?.stop();
    ns.destroy();
  }
});
