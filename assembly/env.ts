// The host's side of the synack ABI: what the module imports (module "env"). The exports, the
// conventions and the lifecycle are written in abi.ts; the host mirror is host/engine/abi.ts.
// This file imports nothing, so any part of the stack may use it without tying itself to abi.ts.

/** Put one Ethernet II frame (destination MAC first, no FCS) on the wire. Must not re-enter. */
@external("env", "send_frame") export declare function send_frame(ptr: usize, len: u32): void;
/** 32 random bits from the host's best source (seeds ISNs and ephemeral ports). */
@external("env", "random_u32") export declare function random_u32(): u32;
/** One line of UTF-8 text (no newline) for the host's log. */
@external("env", "log") export declare function log_line(ptr: usize, len: u32): void;
/**
 * Optional: the 16-bit ones'-complement sum (folded, network order, not complemented) of len
 * bytes at ptr. Called only after use_checksum_import(1), so a host may leave it out (wasm3) or
 * supply a stub (V8 needs every import); the firmware implements it in C to spare the interpreter.
 */
@external("env", "checksum") export declare function host_checksum(ptr: usize, len: u32): u32;

