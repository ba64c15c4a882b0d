// The only clock in the module: milliseconds handed in by the host on every entry point.
// u32 milliseconds wrap after 49.7 days, so deadlines are compared modulo 2^32 like sequence numbers.

export let now: u32 = 0;

export function setNow(t: u32): void { now = t; }

/** True when deadline `d` has been reached at time `t`. */
@inline export function reached(d: u32, t: u32): bool { return <i32>(t - d) >= 0; }

/** Milliseconds from `t` until deadline `d`, 0 if already due. */
@inline export function until(d: u32, t: u32): u32 {
  const dt = <i32>(d - t);
  return dt > 0 ? <u32>dt : 0;
}
