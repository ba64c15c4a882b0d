// Ctrl-C and SIGTERM on synack serve, the same on every engine: the first signal sends a FIN to
// every peer and resets what is left after 2 s; a second one resets at once; nothing is left running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { existsSync } from "node:fs";
import { isRoot, createNetns } from "../../host/link/netns.js";
import { PACKAGE_ROOT } from "../../host/root.js";
import { serveInNetns, ENGINES, WINDOWED_ENGINES } from "../lib/served.js";
import { stopHolding, linuxSockets, descendants } from "../lib/signals.js";

const skip = isRoot() ? false : "needs root to create a network namespace and a TAP";
/** What --verbose adds: the code budget's recompilations; on leaving, the native board's heap and SPI lines, the emulated board's measurements. */
const QUIET_BREAKERS = /heap|spi \d|measurements|code budget|fresh runtime/i;

// Every engine: V8, the native board, and the emulated lx106 and LX6 (windowed) boards.
for (const engine of [...ENGINES, ...WINDOWED_ENGINES]) {
  test(`Ctrl-C on serve (${engine}): FIN first, RST after the 2 s grace, exit 0, nothing left running`, { skip }, async () => {
    const s = await serveInNetns(engine);
    try {
      const r = await stopHolding(s.ns, s.child, 7, ["SIGINT"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.afterFirst, /CLOSE-WAIT/, "Linux got our FIN (nc has not closed its side)");
      assert.match(r.err, /SIGINT: closing connections \(Ctrl-C again to reset them now\)/);
      assert.match(r.err, /reset 1 connection\(s\) still closing after 2000 ms/);
      assert.equal(linuxSockets(s.ns, 7).trim(), "", "the RST ended Linux's side");
      // Quiet by default: the firmware's inner life (heap, SPI, compiled code, measurements) only with --verbose.
      assert.doesNotMatch(r.err, QUIET_BREAKERS);
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

for (const engine of [...ENGINES, ...WINDOWED_ENGINES]) test(`Ctrl-C on serve --dhcp (${engine}) while no lease has come: it stops at once, nothing left running`, { skip }, async () => {
  const ns = createNetns("sq");
  const serve = ns.spawn(process.execPath, [resolve(PACKAGE_ROOT, "bin/synack.js"), "serve", "--tap", ns.tap, "--dhcp", "--board", engine],
    { stdio: ["ignore", "pipe", "pipe"] });
  try {
    let err = "";
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`nothing said: ${err}`)), 10_000);
      serve.stderr!.on("data", (d) => { err += d; if (/asking for a DHCP lease/.test(err)) { clearTimeout(t); res(); } });
    });
    const kids = descendants(serve.pid!);
    assert.ok(engine === "v8" || kids.length > 0, "a board runs below serve");
    const code = await new Promise((r) => { serve.once("exit", (c) => r(c)); serve.kill("SIGINT"); });
    assert.equal(code, 130, err);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(kids.filter((k) => existsSync(`/proc/${k}`)), [], "no board left running");
  } finally {
    serve.kill("SIGKILL");
    ns.destroy();
  }
});

for (const engine of ["native", "xtensa"] as const) test(`serve --verbose (${engine}): the firmware's inner life is said, on leaving too`, { skip }, async () => {
  const s = await serveInNetns(engine, ["--verbose"]);
  try {
    const r = await stopHolding(s.ns, s.child, 7, ["SIGINT", "SIGINT"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, engine === "native" ? /synack: board: heap in use \d+ bytes/ : /board measurements \{"insns_per_tick"/);
  } finally { await s.stop(); }
});
