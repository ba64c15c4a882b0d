// Socket error codes (negative, errno-like), shared by the TCP and UDP socket APIs and the ABI.
export const E_AGAIN: i32 = -11;     // nothing yet: try after the next poll
export const E_BADF: i32 = -9;       // no such socket, or not yours
export const E_INVAL: i32 = -22;     // wrong state or argument
export const E_NOBUFS: i32 = -105;   // no free slot
export const E_ADDRINUSE: i32 = -98; // port already listening
export const E_RESET: i32 = -104;    // connection reset by peer
export const E_TIMEDOUT: i32 = -110; // retransmissions exhausted
export const E_REFUSED: i32 = -111;  // RST answered our SYN
export const E_PIPE: i32 = -32;      // send after shutdown
export const E_HOSTUNREACH: i32 = -113; // ARP for the next hop got no answer
export const E_NOTFOUND: i32 = -2;   // a name that does not resolve (ENOENT; node's ENOTFOUND)
