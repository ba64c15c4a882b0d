// connect() to an address on the link where nobody answers ARP: EHOSTUNREACH after ARP's three
// requests (about 3 s, as Linux), not ETIMEDOUT after a minute; on V8, the native board and the
// emulated one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { isRoot, createNetns, STACK_IP } from "../../host/link/netns.js";
import { openStack, NetStack } from "../../host/index.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";

for (const board of ["v8", "native", "xtensa"] as const) test(`connect to an absent host on the link: EHOSTUNREACH (${board})`, { skip }, async () => {
  const ns = createNetns("hu");
  let net: NetStack | undefined;
  try {
    net = await openStack({ board, tap: ns.tap, netns: ns.name, ip: `${STACK_IP}/24` });
    const s = net.connect({ host: "10.77.0.9", port: 80 });
    const [e] = await once(s, "error") as [NodeJS.ErrnoException];
    assert.deepEqual([e.code, e.syscall], ["EHOSTUNREACH", "connect"]);
    assert.match(net.statsText(), /arpUnanswered\s+1\b/);
  } finally {
    await net?.close();
    ns.destroy();
  }
});
