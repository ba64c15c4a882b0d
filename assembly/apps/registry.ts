// The service registry: how anything inside the module serves a port. A TCP service gives a port
// and two functions: start(conn) when a connection is accepted (false turns it away: the registry
// closes it) and serve(conn) on every poll while the service owns it; the service calls release()
// when done. A poller is called on every poll for timer or UDP work and returns ms until it next
// needs a turn. The built-in services (builtin.ts) use exactly this API; see docs/api.md.
import { DEFAULT_BACKLOG } from "../config";
import { maxConns, RESERVE_OVERHEAD } from "../layout";
import * as sock from "../tcp/socket";
import { stateChanges } from "../tcp/tcb";
import { dispatchOwed } from "../tcp/output";
import { now } from "../util/clock";
import { reserve } from "../util/bytes";

export type StartFn = (conn: i32) => bool;
export type ServeFn = (conn: i32) => void;
export type PollFn = () => u32;

export class Service {
  listener: i32 = -1;
  constructor(public port: u32, public start: StartFn, public serve: ServeFn) {}
}

const MAX_SERVICES: i32 = 8;
const MAX_POLLERS: i32 = 4;
const services = new StaticArray<Service | null>(MAX_SERVICES);
const pollers = new StaticArray<PollFn | null>(MAX_POLLERS);
let serviceCount = 0;
let pollerCount = 0;
/** Which service owns each connection (index + 1, 0 = none); reserved with the first service. */
let ownerOf: usize = 0;
/**
 * tcb.stateChanges when the services' listeners were last emptied. A connection becomes
 * acceptable only by changing state, so until that count moves there is nothing to accept.
 */
let acceptedAt: u32 = 0;
let acceptStale = true;

function ready(): void {
  if (ownerOf != 0) return;
  ownerOf = reserve(maxConns);
}

/** What the registry reserves once a service registers: an owner byte per connection. */
export function registryBytes(): u32 { return <u32>maxConns + RESERVE_OVERHEAD; }

/** Accept nothing special: every connection is welcome. */
export function acceptAll(conn: i32): bool { return true; }

/**
 * Listen on port and hand its connections to serve. priority: may use the connection slots
 * kept in reserve (the console). Returns the service's index, or a negative socket error.
 */
export function registerService(port: u32, start: StartFn, serve: ServeFn, priority: bool = false): i32 {
  if (serviceCount >= MAX_SERVICES) return sock.E_NOBUFS;
  const l = sock.listen(port, DEFAULT_BACKLOG);
  if (l < 0) return l;
  if (priority) sock.setPriority(l);
  ready();
  const s = new Service(port, start, serve);
  s.listener = l;
  unchecked(services[serviceCount] = s);
  acceptStale = true; // its listener may already hold connections
  lastValid = false;
  return serviceCount++;
}

/** Call poll on every poll; it returns ms until it next needs to run. */
export function registerPoller(poll: PollFn): i32 {
  if (pollerCount >= MAX_POLLERS) return sock.E_NOBUFS;
  ready();
  unchecked(pollers[pollerCount] = poll);
  lastValid = false;
  return pollerCount++;
}

/** Give a connection back to the stack (graceful close) and forget it. */
export function release(conn: i32): void {
  sock.close(conn);
  store<u8>(ownerOf + <usize>conn, 0);
}

/**
 * The last servicesPoll: its time, tcb.stateChanges after it, and its answer. Services act only
 * on what arrives (frames, which run them at once), on state changes and on time, so a poll at
 * the same ms with no state changed since would find nothing new: servicesPollAgain skips it.
 */
let lastAt: u32 = 0;
let lastChanges: u32 = 0;
let lastNext: u32 = 0;
let lastValid = false;

/** Something services see changed outside frames and connection states (a name, a new service). */
export function servicesChanged(): void { lastValid = false; }

/** servicesPoll, unless it has just run at this time and no connection changed state since. */
export function servicesPollAgain(): u32 {
  if (lastValid && lastAt == now && lastChanges == stateChanges) return lastNext;
  return servicesPoll();
}

/** Accept, then serve every owned connection, then run the pollers; ms until the next need. */
export function servicesPoll(): u32 {
  const next = servicesRun();
  dispatchOwed(); // what their socket calls marked owed (tcp/socket.ts)
  lastAt = now;
  lastChanges = stateChanges;
  lastNext = next;
  lastValid = true;
  return next;
}

@inline function servicesRun(): u32 {
  let next = u32.MAX_VALUE;
  if (ownerOf == 0) return next;
  if (acceptStale || acceptedAt != stateChanges) {
    acceptStale = false;
    acceptedAt = stateChanges; // a start() that changes states (release) brings us back next time
    for (let k = 0; k < serviceCount; k++) {
      const s = unchecked(services[k])!;
      for (let c = sock.accept(s.listener); c >= 0; c = sock.accept(s.listener)) {
        store<u8>(ownerOf + <usize>c, <u8>(k + 1));
        if (!s.start(c)) release(c);
      }
    }
  }
  for (let c = 0; c < maxConns; c++) {
    const k = <i32>load<u8>(ownerOf + <usize>c);
    if (k != 0) unchecked(services[k - 1])!.serve(c);
  }
  for (let i = 0; i < pollerCount; i++) next = min(next, unchecked(pollers[i])!());
  return next;
}
