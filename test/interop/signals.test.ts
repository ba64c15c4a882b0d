// Ctrl-C and SIGTERM on synack serve, the same on every engine: the first signal sends a FIN to
// every peer and resets what is left after 2 s; a second one resets at once; nothing is left running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isRoot } from "../../host/link/netns.js";
import { serveInNetns, ENGINES } from "../lib/served.js";
import { stopHolding, linuxSockets } from "../lib/signals.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";

for (const engine of ENGINES) {
  test(`Ctrl-C on serve (${engine}): FIN first, RST after the 2 s grace, exit 0, nothing left running`, { skip }, async () => {
    const s = await serveInNetns(engine);
    try {
      const r = await stopHolding(s.ns, s.child, 7, ["SIGINT"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.afterFirst, /CLOSE-WAIT/, "Linux got our FIN (nc has not closed its side)");
      assert.match(r.err, /SIGINT: closing connections \(Ctrl-C again to reset them now\)/);
      assert.match(r.err, /reset 1 connection\(s\) still closing after 2000 ms/);
      assert.equal(linuxSockets(s.ns, 7).trim(), "", "the RST ended Linux's side");
    } finally { await s.stop(); }
  });

  test(`Ctrl-C twice on serve (${engine}): RST at once, exit 0, nothing left running`, { skip }, async () => {
    const s = await serveInNetns(engine);
    try {
      const r = await stopHolding(s.ns, s.child, 7, ["SIGINT", "SIGINT"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /reset 1 connection\(s\) at once, as asked/);
      assert.doesNotMatch(r.err, /after 2000 ms/);
      assert.equal(linuxSockets(s.ns, 7).trim(), "");
    } finally { await s.stop(); }
  });
}
