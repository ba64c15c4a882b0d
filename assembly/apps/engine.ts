// What runs the module, as the host names it (set_engine: "V8, Node v20.11.0", "native board"),
// for the pages to show; "an unnamed host" until it says.
import { ascii } from "../util/text";

const ENGINE_MAX: i32 = 47;
const name = memory.data(ENGINE_MAX + 1);
let named = false;

/** The engine's name from len bytes at p (printable ASCII, at most ENGINE_MAX). False if not. */
export function setEngine(p: usize, len: i32): bool {
  if (len < 1 || len > ENGINE_MAX) return false;
  for (let i = 0; i < len; i++) { const c = load<u8>(p + <usize>i); if (c < 32 || c > 126 || c == 60 || c == 38) return false; }
  memory.copy(name, p, <usize>len);
  store<u8>(name + <usize>len, 0);
  named = true;
  return true;
}

/** The name, zero-terminated. */
export function engineName(): usize { return named ? name : ascii("an unnamed host"); }
