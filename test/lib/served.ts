// A synack serving in a fresh namespace, started exactly as a user would: `synack serve`.
import { ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createNetns, Netns, STACK_IP, PREFIX } from "../../host/link/netns.js";
import { PACKAGE_ROOT } from "../../host/engine/stack.js";
import { XTENSA_ELF, LX6_ELF } from "../../host/engine/xtensa.js";
import { existsSync } from "node:fs";

// The same interop tests run on every engine: V8 in Node, wasm3 in the native board firmware, and
// the firmware on an emulated Xtensa lx106 core (QEMU; skipped when its ELF was not built).
// The windowed build on the LX6 core (lx6) runs the netcat subset (WINDOWED_ENGINES) on top: its
// firmware is the lx106's with another ABI, and every suite on both would double their time.
export const XTENSA_BUILT = existsSync(XTENSA_ELF);
export const ENGINES: Engine[] = ["v8", "native", ...(XTENSA_BUILT ? ["xtensa" as const] : [])];
export const WINDOWED_ENGINES: Engine[] = existsSync(LX6_ELF) ? ["lx6"] : [];
export type Engine = "v8" | "native" | "xtensa" | "lx6";

export interface Served {
  ns: Netns; child: ChildProcess;
  /** What synack serve wrote on stderr so far (with --verbose: the module's and the firmware's log). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * `env` adds to the environment of `synack serve` (e.g. SYNACK_WASM: the module the native board
 * runs); `boardDefault` keeps a board's own default layout, the one its owner starts with.
 */
export async function serveInNetns(engine: Engine, extra: string[] = [], env: NodeJS.ProcessEnv = {}, boardDefault = false): Promise<Served> {
  const ns = createNetns(engine === "v8" ? "i" : engine === "native" ? "b" : engine === "lx6" ? "w" : "x");
  const args = [resolve(PACKAGE_ROOT, "bin/synack.js"), "serve", "--tap", ns.tap, "--ip", `${STACK_IP}/${PREFIX}`, ...extra];
  // Most suites were written for rings held whole (10 slots, 4 KiB send rings), as a board owner
  // with the RAM could choose; the board's own default (18 slots sharing one pool) is proven
  // where boardDefault says so (test/interop/board-many.test.ts).
  if (engine !== "v8") args.push("--board", engine, ...(boardDefault ? [] : ["--conns", "10", "--tx-ring", "4096"]));
  const child = ns.spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let err = "";
  child.stderr!.on("data", (d) => { err += d; });
  try {
    await new Promise<void>((res, rej) => {
      let out = "";
      const timer = setTimeout(() => rej(new Error(`no ready line; stderr: ${err}`)), 15_000);
      child.stdout!.on("data", (d) => { out += d; if (out.includes("serving")) { clearTimeout(timer); res(); } });
      child.on("exit", (code) => { clearTimeout(timer); rej(new Error(`serve exited ${code}: ${err}`)); });
    });
  } catch (e) {
    child.kill("SIGKILL");
    ns.destroy();
    throw e;
  }
  return {
    ns, child,
    log: () => err,
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once("close", r)); // its last lines read too
        child.kill("SIGTERM");
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        child.kill("SIGKILL");
      }
      ns.destroy();
    },
  };
}
