// The board's host name: one label, "synack" unless the host sets another (abi.ts mdns_set_name).
// The mDNS responder answers for LABEL.local (apps/mdns.ts) and the DHCP client sends it as its
// Host Name option (RFC 2132 §3.14), so the router's lease table shows the same name.
import { ascii } from "../util/text";

export const HOST_MAX: i32 = 63; // one DNS label (RFC 1035 §2.3.4)
export const hostName = memory.data(HOST_MAX);
export let hostNameLen = 0;
setDefault(ascii("synack"));

function setDefault(label: usize): void {
  hostNameLen = 0;
  for (let c = load<u8>(label); c != 0; c = load<u8>(label + <usize>++hostNameLen)) store<u8>(hostName + <usize>hostNameLen, c);
}

/** A host label from len bytes at p: letters, digits and '-' (not first or last), 1..63 of them. False if not. */
export function setHostName(p: usize, len: i32): bool {
  if (len < 1 || len > HOST_MAX) return false;
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (c == 45 && i > 0 && i < len - 1);
    if (!ok) return false;
  }
  memory.copy(hostName, p, <usize>len);
  hostNameLen = len;
  return true;
}
