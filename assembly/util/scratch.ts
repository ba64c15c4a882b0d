// One scratch buffer for the whole module: the host's io buffer (sock_send, sock_recv, the text
// reports, names passed in) and the services' room for moving bytes between sockets. The module
// is single-threaded and nothing is kept here across calls, so one buffer serves both. It exists
// from start-up (SCRATCH_MIN bytes, so a host may use it before init); a layout with larger send
// rings replaces it with a larger one at init.
import { SCRATCH_MIN } from "../config";

export let scratch: usize = changetype<usize>(new StaticArray<u8>(SCRATCH_MIN));
export let scratchSize: i32 = SCRATCH_MIN;

/** At init: make sure the scratch holds `size` bytes. */
export function scratchInit(size: i32): void {
  if (size <= scratchSize) return;
  scratch = changetype<usize>(new StaticArray<u8>(size));
  scratchSize = size;
}
