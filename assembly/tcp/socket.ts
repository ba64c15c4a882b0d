// The socket API inside the module: what apps/ and the host (through abi.ts) use.
// Ids 0..MAX_CONNS-1 are connections, MAX_CONNS.. are listeners.

export const E_AGAIN: i32 = -11;     // nothing yet: try after the next poll
export const E_BADF: i32 = -9;       // no such socket, or not yours
export const E_INVAL: i32 = -22;     // wrong state or argument
export const E_NOBUFS: i32 = -105;   // no free slot
export const E_ADDRINUSE: i32 = -98; // port already listening
export const E_RESET: i32 = -104;    // connection reset by peer
export const E_TIMEDOUT: i32 = -110; // retransmissions exhausted
export const E_REFUSED: i32 = -111;  // RST answered our SYN
export const E_PIPE: i32 = -32;      // send after shutdown

export function listen(port: u32, backlog: i32): i32 { return E_INVAL; }
export function accept(listener: i32): i32 { return E_AGAIN; }
export function connect(ip: u32, port: u32): i32 { return E_NOBUFS; }
export function send(id: i32, ptr: usize, len: i32): i32 { return E_BADF; }
export function recv(id: i32, ptr: usize, len: i32): i32 { return E_BADF; }
export function shutdown(id: i32): i32 { return E_BADF; }
export function close(id: i32): i32 { return E_BADF; }
export function abort(id: i32): i32 { return E_BADF; }
export function state(id: i32): i32 { return 0; }
/** Bytes that send() would take now. */
export function sendSpace(id: i32): i32 { return 0; }
/** Bytes recv() would return now. */
export function recvAvail(id: i32): i32 { return 0; }
