// The text behind the console's `stats` and `conns` (and the stats_text/conns_text exports).
import { MAX_LISTENERS } from "../config";
import { maxConns } from "../layout";
import { Text } from "../util/text";
import { C, counter, writeCounterName } from "../util/counters";
import { connInfo, listeners } from "../tcp/tcb";
import { twInfo, twCount } from "../tcp/timewait";
import { writeStateName } from "../tcp/state";
import { ourIp } from "../net/iface";

const out = new Text(0, 0);
const info: StaticArray<u32> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // connInfo's numbers

function begin(p: usize, cap: i32): Text { out.ptr = p; out.cap = cap; return out.reset(); }

// Both reports are written line by line, and only whole lines: a reader with a small buffer (the
// console) asks for lines [from, ...) again and again until the report says it is done.

/** The longest line of either report, with room to spare: a buffer this large always takes one. */
export const REPORT_LINE_MAX: i32 = 160;

/** One counter's line: `name value`. */
export function statsLine(t: Text, i: i32): Text { return writeCounterName(t, i, 24).u32w(counter(<C>i), 10).ch(10); }

/** Counter lines from index `from` (in the table's order) while whole lines fit; the next index. */
export function statsLines(t: Text, from: i32): i32 {
  let i = from;
  for (; i < C.COUNT && t.cap - t.len >= REPORT_LINE_MAX; i++) statsLine(t, i);
  return i;
}
export const STATS_END: i32 = C.COUNT;

/** Every counter, `name value` per line. */
export function statsText(p: usize, cap: i32): u32 {
  const t = begin(p, cap);
  statsLines(t, 0);
  return <u32>t.len;
}

function endpoint(t: Text, ip: u32, port: u32, width: i32): void {
  const start = t.len;
  t.ip(ip).ch(58).u32(port);
  for (let i = t.len - start; i < width; i++) t.ch(32);
}

/** The lines of `conns`: a header, then one per listener, one per connection, one per TIME-WAIT record. */
export function connsEnd(): i32 { return 1 + MAX_LISTENERS + maxConns + twCount; }

/** Lines of `conns` from index `from` while whole lines fit; the next index. */
export function connsLines(t: Text, from: i32): i32 {
  const end = connsEnd();
  let i = from;
  for (; i < end && t.cap - t.len >= REPORT_LINE_MAX; i++) {
    if (i == 0) {
      t.str("id  state         local                  remote                    snd.una    snd.nxt    rcv.nxt  snd.wnd  rcv.wnd    rto\n");
    } else if (i <= MAX_LISTENERS) {
      const l = unchecked(listeners[i - 1]);
      if (!l.inUse) continue;
      t.str("L").u32w(<u32>(i - 1), 2).ch(32).str("LISTEN        ");
      endpoint(t, ourIp(), l.port, 23);
      t.str("0.0.0.0:*\n");
    } else {
      const id = i - 1 - MAX_LISTENERS;
      if (id < maxConns) {
        if (!connInfo(id, info)) continue;
        t.u32w(<u32>id, 2).str("  ");
      } else {
        if (!twInfo(id - maxConns, info)) continue;
        t.str(" -  "); // a TIME-WAIT record holds no slot
      }
      writeStateName(t, <i32>unchecked(info[0]), 14);
      endpoint(t, unchecked(info[1]), unchecked(info[2]), 23);
      endpoint(t, unchecked(info[3]), unchecked(info[4]), 22);
      t.u32w(unchecked(info[5]), 11).u32w(unchecked(info[6]), 11).u32w(unchecked(info[7]), 11).u32w(unchecked(info[8]), 9)
        .u32w(unchecked(info[9]), 9).u32w(unchecked(info[10]), 7).ch(10);
    }
  }
  return i;
}

/** One line per listener and per connection: state, endpoints, sequence variables, windows, RTO. */
export function connsText(p: usize, cap: i32): u32 {
  const t = begin(p, cap);
  connsLines(t, 0);
  return <u32>t.len;
}
