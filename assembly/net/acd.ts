// IPv4 address conflict detection (RFC 5227) for a static address or a lease: probe (§2.1: three
// who-has from 0.0.0.0, after a random wait, 1-2 s apart), announce (§2.3: two gratuitous ARPs,
// 2 s apart), then defend (§2.4: one announcement per DEFEND_INTERVAL). The address is used
// optimistically meanwhile (waiting out the probes would keep every start 5-9 s from ready); a
// conflict while probing, or a second one within DEFEND_INTERVAL, is logged and counted, and
// the address is reported lost: DHCP declines a leased one (RFC 2131 §3.1.5), a configured one
// stays as the host chose it. ARP input only marks what it saw (iface.ts arpClaimed, arpProbed).
import { random_u32 } from "../env";
import { now, reached, until } from "../util/clock";
import { logText, emit } from "../util/log";
import { ascii } from "../util/text";
import { ourIp, arpProbe, arpAnnounce, arpClaimed, arpProbed, arpConflictMac, arpConflictsTaken } from "./iface";

const PROBE_WAIT: u32 = 1000;
const PROBE_NUM: i32 = 3;
const PROBE_MIN: u32 = 1000;
const PROBE_MAX: u32 = 2000;
const ANNOUNCE_WAIT: u32 = 2000;
const ANNOUNCE_NUM: i32 = 2;
const ANNOUNCE_INTERVAL: u32 = 2000;
const DEFEND_INTERVAL: u32 = 10_000;

const enum A { OFF, PROBING, ANNOUNCING, CLAIMED }

/** The detector's state, one record in static memory. */
@unmanaged class Acd {
  state: i32;     // A
  step: i32;      // probes or announcements sent
  nextAt: u32;
  addr: u32;      // the address being probed, announced or defended
  defendedAt: u32;
  defended: bool; // defendedAt is set
  lost: bool;     // a conflict we could not defend, not yet taken by acdTakeLost
}
const a = changetype<Acd>(memory.data(offsetof<Acd>(), 4));

/** Our address is new (configured at init, or leased): probe it. */
export function acdStart(): void {
  a.state = A.PROBING;
  a.step = 0;
  a.addr = ourIp();
  a.nextAt = now + random_u32() % PROBE_WAIT;
  a.defended = false;
  a.lost = false;
  arpConflictsTaken();
}

/** Whether the address was lost to another host since the last call (the DHCP client asks). */
export function acdTakeLost(): bool {
  const lost = a.lost;
  a.lost = false;
  return lost;
}

@inline function say(what: usize): void {
  logText().str("address ").ip(a.addr).z(what).mac(arpConflictMac);
  emit();
}

/** ARP input saw another host with our address (or probing for it while we still probe). */
function conflict(): void {
  const claimed = arpClaimed;
  arpConflictsTaken();
  if (a.state >= A.ANNOUNCING) {
    if (!claimed) return; // a probe for an address we hold: our ARP reply answered it
    if (!a.defended || reached(a.defendedAt + DEFEND_INTERVAL, now)) {
      a.defended = true;
      a.defendedAt = now;
      arpAnnounce();
      say(ascii(" defended against "));
      return;
    }
  }
  say(ascii(" in use by "));
  a.state = A.OFF;
  a.lost = true;
}

/** Whether acdPoll has anything to do: probing or announcing, or ARP input saw a conflict. */
@inline export function acdDue(): bool { return a.state == A.PROBING || a.state == A.ANNOUNCING || arpClaimed || arpProbed; }

/** Off, or done probing and announcing (settled() waits for it: its start-up code can then go). */
@inline export function acdSettled(): bool { return a.state == A.OFF || a.state == A.CLAIMED; }

/** Probes and announcements due; ms until the next (u32.MAX_VALUE when only defending or off). */
export function acdPoll(): u32 {
  if (a.state == A.OFF) { arpConflictsTaken(); return u32.MAX_VALUE; } // nothing to defend
  if (ourIp() != a.addr) { a.state = A.OFF; return u32.MAX_VALUE; } // the address went (DHCP lost it)
  if (arpClaimed || arpProbed) conflict();
  if (a.state == A.OFF || a.state == A.CLAIMED) return u32.MAX_VALUE;
  if (reached(a.nextAt, now)) {
    if (a.state == A.PROBING) {
      arpProbe(a.addr);
      a.step++;
      a.nextAt = now + (a.step < PROBE_NUM ? PROBE_MIN + random_u32() % (PROBE_MAX - PROBE_MIN) : ANNOUNCE_WAIT);
      if (a.step == PROBE_NUM) { a.state = A.ANNOUNCING; a.step = 0; }
    } else {
      arpAnnounce();
      a.step++;
      a.nextAt = now + ANNOUNCE_INTERVAL;
      if (a.step == ANNOUNCE_NUM) { a.state = A.CLAIMED; return u32.MAX_VALUE; }
    }
  }
  return until(a.nextAt, now);
}
