// TCP module entry points: init, timers, MSL.
import { DEFAULT_MSL_MS } from "../config";

export let msl: u32 = DEFAULT_MSL_MS;
export function setMsl(ms: u32): void { msl = ms; }
export function tcpInit(): void {}
/** Run due timers and pending output; returns ms until the next TCP deadline. */
export function tcpPoll(): u32 { return u32.MAX_VALUE; }
/** Called by IPv4 for every segment addressed to us (IP header already validated). */
export function tcpInput(src: u32, dst: u32, seg: usize, len: i32): void {}
