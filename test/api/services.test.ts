// Built-in services chosen at init: select_services before init, the CLI's --services, and the
// registry that runs them (a service not chosen does not listen).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Stack, ManualClock } from "../../host/engine/stack.js";
import { SERVICES, servicesMask, E } from "../../host/engine/abi.js";
import { parseServe } from "../../host/cli/cli.js";

const listening = (s: Stack) => [...s.connsText().matchAll(/LISTEN\s+[\d.]+:(\d+)/g)].map((m) => Number(m[1]));

test("default: echo, discard, chargen, console and http listen", () => {
  const s = new Stack({ ip: "10.77.0.2", prefixLen: 24, clock: new ManualClock() });
  assert.deepEqual(listening(s), [7, 9, 19, 23, 80]);
});

test("none: nothing listens, and every port is free for the host", () => {
  const s = new Stack({ ip: "10.77.0.2", prefixLen: 24, clock: new ManualClock(), services: 0 });
  assert.deepEqual(listening(s), []);
  assert.ok(s.listen(7) >= 0);
  assert.ok(s.listen(80) >= 0);
});

test("a chosen few: echo and console only; a port taken by a service is EADDRINUSE for the host", () => {
  const s = new Stack({ ip: "10.77.0.2", prefixLen: 24, clock: new ManualClock(), services: SERVICES.echo | SERVICES.console });
  assert.deepEqual(listening(s), [7, 23]);
  assert.equal(s.listen(7), E.ADDRINUSE);
});

test("service names: list, all, none, unknown", () => {
  assert.equal(servicesMask("echo,http"), 17);
  assert.equal(servicesMask(["chargen", "mdns"]), 36);
  assert.equal(servicesMask("all"), 63);
  assert.equal(servicesMask("none"), 0);
  assert.throws(() => servicesMask("echo,gopher"), /unknown service: gopher/);
  assert.equal(parseServe(["--tap", "t", "--ip", "10.77.0.2/24", "--services", "echo,console"]).services, 9);
  assert.equal(parseServe(["--tap", "t", "--ip", "10.77.0.2/24"]).services, 63);
  assert.throws(() => parseServe(["--tap", "t", "--ip", "10.77.0.2/24", "--services", "ftp"]), /unknown service: ftp/);
  assert.equal(parseServe(["--tap", "t", "--ip", "10.77.0.2/24", "--name", "board-7"]).name, "board-7");
  assert.throws(() => parseServe(["--tap", "t", "--ip", "10.77.0.2/24", "--name", "bad.name"]), /bad --name/);
  assert.throws(() => new Stack({ ip: "10.77.0.2", prefixLen: 24, clock: new ManualClock(), name: "-x" }), /bad name/);
});

test("a service the host does not start costs no RAM: each one's bytes appear only when chosen", () => {
  const used = (m: number) => new Stack({ ip: "10.77.0.2", prefixLen: 24, clock: new ManualClock(), services: m }).x.memory_used();
  const none = used(0);
  const cost = (m: number) => used(m) - none;
  const registry = cost(SERVICES.echo); // the registry's table and scratch come with the first service
  assert.ok(registry > 0 && registry < 4096, `registry ${registry}`);
  assert.equal(cost(SERVICES.discard), registry, "echo and discard own nothing beyond it");
  let sum = registry;
  const own: Record<string, number> = {};
  for (const [name, bit] of Object.entries(SERVICES)) { own[name] = cost(bit) - registry; sum += own[name]; }
  assert.ok(own.console > 1000 && own.http > 5000 && own.mdns > 1000, JSON.stringify(own));
  // Within one small registry entry (a Service object, under 64 bytes) per service.
  assert.ok(Math.abs(cost(63) - sum) <= 6 * 64, `all ${cost(63)} = registry ${registry} + ${JSON.stringify(own)}`);
  assert.ok(Math.abs(cost(SERVICES.echo | SERVICES.http) - (registry + own.http)) <= 2 * 64);
});
