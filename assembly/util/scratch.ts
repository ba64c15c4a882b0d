// One scratch buffer for the whole module, laid out at init: the host's io buffer (sock_send,
// sock_recv, the text reports) and the services' room for moving bytes between sockets. The
// module is single-threaded and nothing is kept here across calls, so one buffer serves both.

export let scratch: usize = 0;
export let scratchSize: i32 = 0;

export function scratchInit(size: i32): void {
  scratch = changetype<usize>(new StaticArray<u8>(size));
  scratchSize = size;
}
