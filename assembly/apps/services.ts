// The built-in services, on the socket API only: echo 7 (RFC 862), discard 9 (RFC 863),
// chargen 19 (RFC 864) and the console on 23. Polled after every frame and timer run.
import { MAX_CONNS, DEFAULT_BACKLOG } from "../config";
import * as sock from "../tcp/socket";
import { reserve } from "../util/bytes";
import { serveEcho, serveDiscard } from "./echo";
import { serveChargen, chargenStart } from "./chargen";
import { serveConsole, consoleStart } from "./console";

export const NONE: u8 = 0;
export const ECHO: u8 = 1;
export const DISCARD: u8 = 2;
export const CHARGEN: u8 = 3;
export const CONSOLE: u8 = 4;
const PORTS: StaticArray<u32> = [0, 7, 9, 19, 23];

/** Shared scratch for moving bytes between sockets (the module is single-threaded). */
export const SCRATCH_SIZE: i32 = 2048;
export const scratch = reserve(SCRATCH_SIZE);

const listenerOf = new StaticArray<i32>(5);
/** Which service owns each connection id. */
const serviceOf = new StaticArray<u8>(MAX_CONNS);

export function servicesStart(): void {
  for (let k = 1; k <= 4; k++) unchecked(listenerOf[k] = sock.listen(PORTS[k], DEFAULT_BACKLOG));
  sock.setPriority(unchecked(listenerOf[CONSOLE])); // the console stays reachable in a full table
}

/** Give a connection back to the stack and forget it. */
export function release(id: i32): void {
  sock.close(id);
  unchecked(serviceOf[id] = NONE);
}

export function servicesPoll(): void {
  for (let k = 1; k <= 4; k++) {
    const l = unchecked(listenerOf[k]);
    if (l < 0) continue;
    for (let id = sock.accept(l); id >= 0; id = sock.accept(l)) {
      unchecked(serviceOf[id] = <u8>k);
      if (k == CHARGEN) chargenStart(id);
      else if (k == CONSOLE && !consoleStart(id)) release(id);
    }
  }
  for (let id = 0; id < MAX_CONNS; id++) {
    const k = unchecked(serviceOf[id]);
    if (k == ECHO) serveEcho(id);
    else if (k == DISCARD) serveDiscard(id);
    else if (k == CHARGEN) serveChargen(id);
    else if (k == CONSOLE) serveConsole(id);
  }
}
