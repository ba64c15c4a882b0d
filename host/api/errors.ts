// The module's negative socket results as Node-style errors (err.code like node:net's).
import { ERRNO_NAMES } from "../engine/abi.js";

/** Not the module's: listen() on an address that is not ours. */
export const EADDRNOTAVAIL = -99;

export interface SynackError extends Error { code: string; errno: number; syscall: string; address?: string; port?: number }

/** A name that did not resolve, as node's dns errors: code ENOTFOUND (or ETIMEDOUT), syscall getaddrinfo, hostname. */
export function lookupError(errno: number, hostname: string): SynackError & { hostname: string } {
  const e = socketError(errno, "getaddrinfo") as SynackError & { hostname: string };
  e.message += ` ${hostname}`;
  e.hostname = hostname;
  return e;
}

/** As node:net words them: "connect ECONNREFUSED 10.77.0.1:8000", with address and port when there are. */
export function socketError(errno: number, syscall: string, address?: string, port?: number): SynackError {
  const code = errno === EADDRNOTAVAIL ? "EADDRNOTAVAIL" : ERRNO_NAMES[errno] ?? `E${-errno}`;
  const where = address !== undefined ? ` ${address}${port !== undefined ? `:${port}` : ""}` : "";
  const e = new Error(`${syscall} ${code}${where}`) as SynackError;
  e.code = code; e.errno = errno; e.syscall = syscall;
  if (address !== undefined) e.address = address;
  if (port !== undefined) e.port = port;
  return e;
}
