// STUB: replaced by the net layer.
export function ifaceInit(macHi: u32, macLo: u32, ip: u32, prefixLen: u32, gw: u32): void {}
export function ifaceInput(p: usize, len: i32): void {}
export function ifacePoll(): u32 { return u32.MAX_VALUE; }
