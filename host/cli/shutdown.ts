// Leaving `synack serve` politely: every connection is closed (FIN after its queued data), the
// peers get a grace period to acknowledge, and whatever is still open then is reset, so no
// peer is left waiting on a host that has gone.
import type { Stack } from "../engine/stack.js";

export interface ShutdownOptions {
  graceMs: number;
  /** Wait this long (real time in serve, the test's clock in tests); polls happen meanwhile. */
  sleep: (ms: number) => Promise<void>;
  /** Run the module now (frames out, timers). */
  kick: () => void;
  /** Resolves when the user asks again (a second Ctrl-C): reset at once. */
  hurry?: Promise<void>;
}

/** Returns how many connections had to be reset. */
export async function closeEverything(stack: Stack, o: ShutdownOptions): Promise<number> {
  let open = stack.closeAll(false);
  o.kick();
  let hurried = false;
  o.hurry?.then(() => { hurried = true; });
  for (let waited = 0; open > 0 && waited < o.graceMs && !hurried; waited += 50) {
    await o.sleep(50);
    open = stack.closeAll(false);
  }
  if (open > 0) { stack.closeAll(true); o.kick(); }
  return open;
}
