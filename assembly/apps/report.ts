// The text behind the console's `stats` and `conns` (and the stats_text/conns_text exports).
import { MAX_LISTENERS } from "../config";
import { maxConns } from "../layout";
import { Text } from "../util/text";
import { C, counter, counterName } from "../util/counters";
import { connInfo, listeners } from "../tcp/tcb";
import { stateName } from "../tcp/state";
import { ourIp } from "../net/iface";

const out = new Text(0, 0);
const info = new StaticArray<u32>(12);

function begin(p: usize, cap: i32): Text { out.ptr = p; out.cap = cap; return out.reset(); }

/** Every counter, `name value` per line, in the table's order. */
export function statsText(p: usize, cap: i32): u32 {
  const t = begin(p, cap);
  for (let i = 0; i < C.COUNT; i++) t.strw(counterName(i), 24).u32w(counter(<C>i), 10).ch(10);
  return <u32>t.len;
}

function endpoint(t: Text, ip: u32, port: u32, width: i32): void {
  const start = t.len;
  t.ip(ip).ch(58).u32(port);
  for (let i = t.len - start; i < width; i++) t.ch(32);
}

/** One line per listener and per connection: state, endpoints, sequence variables, windows, RTO. */
export function connsText(p: usize, cap: i32): u32 {
  const t = begin(p, cap);
  t.str("id  state         local                  remote                    snd.una    snd.nxt    rcv.nxt  snd.wnd  rcv.wnd    rto\n");
  for (let i = 0; i < MAX_LISTENERS; i++) {
    const l = unchecked(listeners[i]);
    if (!l.inUse) continue;
    t.str("L").u32w(<u32>i, 2).ch(32).strw("LISTEN", 14);
    endpoint(t, ourIp(), l.port, 23);
    t.str("0.0.0.0:*\n");
  }
  for (let id = 0; id < maxConns; id++) {
    if (!connInfo(id, info)) continue;
    t.u32w(<u32>id, 2).str("  ").strw(stateName(<i32>info[0]), 14);
    endpoint(t, info[1], info[2], 23);
    endpoint(t, info[3], info[4], 22);
    t.u32w(info[5], 11).u32w(info[6], 11).u32w(info[7], 11).u32w(info[8], 9).u32w(info[9], 9).u32w(info[10], 7).ch(10);
  }
  return <u32>t.len;
}
