// Random ephemeral ports (RFC 6056's simple random choice), for TCP's active opens and UDP sockets.
import { random_u32 } from "../env";

/** A random port in [lo, hi]. */
export function randomPort(lo: i32, hi: i32): u32 {
  return <u32>lo + random_u32() % <u32>(hi - lo + 1);
}
