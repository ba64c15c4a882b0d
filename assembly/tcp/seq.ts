// Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): compare by signed difference.

@inline export function seqLt(a: u32, b: u32): bool { return <i32>(a - b) < 0; }
@inline export function seqLe(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }
@inline export function seqGt(a: u32, b: u32): bool { return <i32>(a - b) > 0; }
@inline export function seqGe(a: u32, b: u32): bool { return <i32>(a - b) >= 0; }

/** lo <= x < lo + len, modulo 2^32. */
@inline export function seqInWindow(x: u32, lo: u32, len: u32): bool { return x - lo < len; }

@inline export function seqMax(a: u32, b: u32): u32 { return seqGt(a, b) ? a : b; }
@inline export function seqMin(a: u32, b: u32): u32 { return seqLt(a, b) ? a : b; }
