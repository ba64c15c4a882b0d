// The sending rate a firmware author sees: a program on the native board (openStack({ board:
// "native" }), the C socket API under wasm3) writes N MiB to a Linux `nc -l` with default options on
// both sides, in a namespace of its own. Needs root. Used by `npm run bench` and lab/boardsend.ts.
import { randomBytes, createHash } from "node:crypto";
import { openStack } from "../../host/api/netstack.js";
import { createNetns, LINUX_IP, STACK_IP, PREFIX } from "../../host/link/netns.js";

export interface BoardSend { MiB: number; noDelay: boolean; ms: number; MBps: number; intact: boolean; received: number }

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

export async function boardSend(mib: number, noDelay = false): Promise<BoardSend> {
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
      return { MiB: mib, noDelay, ms, MBps: data.length / ms / 1000, intact: all.length === data.length && sha(all) === sha(data), received: all.length };
    } finally { await net.close(); }
  } finally {
    try { process.kill(-nc.pid!, "SIGTERM"); } catch { /* gone */ }
    ns.destroy();
  }
}

export function describeBoardSend(r: BoardSend): string {
  return `board sending: ${r.MiB} MiB from a program on the native board -> Linux nc -l${r.noDelay ? " (setNoDelay)" : " (default options, Nagle on)"}: ` +
    `${r.ms.toFixed(0)} ms, ${r.MBps.toFixed(2)} MB/s, ${r.intact ? "intact" : `NOT intact (${r.received} bytes)`} (goal: >= 2 MB/s)`;
}
