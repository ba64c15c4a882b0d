// The sending rate a firmware author sees: a program on the native board (openStack({ board:
// "native" }), the C socket API under wasm3) writes N MiB (default 1) to a Linux `nc -l` with
// default options on both sides, in its own namespace; prints the time, the rate and whether the
// bytes arrived intact. A measurement for people, not a test: run it as root,
//   node build/lab/boardsend.js [MiB] [--nodelay]
import { randomBytes, createHash } from "node:crypto";
import { openStack } from "../host/api/netstack.js";
import { isRoot, createNetns, LINUX_IP, STACK_IP, PREFIX } from "../host/link/netns.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function main(): Promise<number> {
  const mib = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 1);
  const noDelay = process.argv.includes("--nodelay");
  if (!isRoot()) { console.error("boardsend: needs root (a namespace and a TAP)"); return 1; }
  const ns = createNetns("bs");
  const nc = ns.spawn("nc", ["-l", "-N", LINUX_IP, "40777"], { stdio: ["ignore", "pipe", "inherit"], detached: true });
  try {
    const got: Buffer[] = [];
    nc.stdout!.on("data", (d: Buffer) => got.push(d));
    const closed = new Promise<void>((res) => nc.on("close", () => res()));
    const net = await openStack({ board: "native", tap: ns.tap, netns: ns.name, ip: `${STACK_IP}/${PREFIX}` });
    try {
      const data = randomBytes(mib << 20);
      await new Promise((r) => setTimeout(r, 300)); // nc listening
      const c = net.connect({ host: LINUX_IP, port: 40777 });
      await new Promise<void>((res, rej) => { c.once("connect", () => res()); c.once("error", rej); });
      if (noDelay) c.setNoDelay(true);
      const t0 = process.hrtime.bigint();
      c.end(data);
      await closed;
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const all = Buffer.concat(got);
      const intact = all.length === data.length && sha(all) === sha(data);
      console.log(`${mib} MiB board -> Linux nc -l${noDelay ? " (setNoDelay)" : ""}: ${ms.toFixed(0)} ms, ` +
        `${(data.length / ms / 1000).toFixed(2)} MB/s, ${intact ? "intact" : `NOT intact (${all.length} bytes)`}`);
      return intact ? 0 : 1;
    } finally { await net.close(); }
  } finally {
    try { process.kill(-nc.pid!, "SIGTERM"); } catch { /* gone */ }
    ns.destroy();
  }
}

main().then((code) => process.exit(code), (e) => { console.error(`boardsend: ${e instanceof Error ? e.message : e}`); process.exit(1); });
