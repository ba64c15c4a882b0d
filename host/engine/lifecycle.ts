// The one path every engine goes through, for synack serve, openStack and the examples: wait for
// an address, run until SIGINT or SIGTERM, then close everything (FIN; the peers get a grace
// period, then whatever is still open is reset; a second signal resets at once) and stop.
import type { Engine } from "./interface.js";

/** How long peers get to acknowledge our FINs, before they are reset. */
export const SHUTDOWN_GRACE_MS = 2000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Until the engine has an address (at once with a static one); says every 10 s that it is waiting. */
export async function waitForAddress(e: Engine, timeoutMs: number, say: (line: string) => void = () => {}): Promise<{ ip: number; prefixLen: number }> {
  let failed: string | null = null;
  e.failed.then((m) => { failed = m; });
  for (let waited = 0; ; waited += 50) {
    const a = await e.ourAddress();
    if (a.ip !== 0) return a;
    if (failed) throw new Error(failed);
    if (waited >= timeoutMs) throw new Error(`no DHCP lease after ${timeoutMs / 1000} s: is a DHCP server on the link?`);
    if (waited > 0 && waited % 10_000 === 0) {
      const st = await e.counters();
      say(`no DHCP lease yet after ${waited / 1000} s (${st.dhcpOut ?? 0} sent, ${st.dhcpOffers ?? 0} offers)`);
    }
    await sleep(50);
  }
}

export interface CloseOptions {
  graceMs?: number;
  /** Resolves when the user asks again (a second signal): reset at once. */
  hurry?: Promise<unknown>;
  /** Wait this long (real time unless a test drives its own clock). */
  sleep?: (ms: number) => Promise<void>;
}

/** Close every connection, wait up to the grace for them to finish, reset the rest; how many were reset. */
export async function closeEverything(e: Pick<Engine, "closeAll">, o: CloseOptions = {}): Promise<number> {
  const grace = o.graceMs ?? SHUTDOWN_GRACE_MS, wait = o.sleep ?? sleep;
  let hurried = false;
  o.hurry?.then(() => { hurried = true; });
  let open = await e.closeAll(false);
  for (let waited = 0; open > 0 && waited < grace && !hurried; waited += 50) {
    await wait(50);
    open = await e.closeAll(false);
  }
  if (open > 0) await e.closeAll(true);
  return open;
}

/** SIGINT and SIGTERM caught (node is not killed by them) until release(); next() is the next one. */
export function catchSignals(): { next(): Promise<NodeJS.Signals>; release(): void } {
  const waiting: ((s: NodeJS.Signals) => void)[] = [];
  const on = (s: NodeJS.Signals) => { for (const w of waiting.splice(0)) w(s); };
  process.on("SIGINT", on);
  process.on("SIGTERM", on);
  return {
    next: () => new Promise((r) => waiting.push(r)),
    release: () => { process.off("SIGINT", on); process.off("SIGTERM", on); },
  };
}

export type Signals = ReturnType<typeof catchSignals>;

/**
 * Wait for a signal (or the engine failing), then close everything and stop the engine; `before`
 * runs first (the library ends its sockets' streams there). Resolves with 0, or 1 if the engine
 * failed on its own. Signals are caught from before the engine opened until it has stopped.
 */
export async function untilSignal(e: Engine, signals: Signals, say: (line: string) => void, before: () => void = () => {}): Promise<number> {
  const first = await Promise.race([signals.next(), e.failed.then((m) => ({ failed: m }))]);
  if (typeof first !== "string") { say(first.failed); await e.stop(); return 1; }
  say(`${first}: closing connections (${first === "SIGINT" ? "Ctrl-C" : "SIGTERM"} again to reset them now)`);
  before();
  let again = false;
  const hurry = signals.next().then(() => { again = true; });
  const reset = await closeEverything(e, { hurry });
  if (reset > 0) say(again ? `reset ${reset} connection(s) at once, as asked` : `reset ${reset} connection(s) still closing after ${SHUTDOWN_GRACE_MS} ms`);
  await e.stop();
  return 0;
}
