// The module's negative socket results as Node-style errors (err.code like node:net's).
import { ERRNO_NAMES } from "../engine/abi.js";

export interface SynackError extends Error { code: string; errno: number; syscall: string }

export function socketError(errno: number, syscall: string, detail = ""): SynackError {
  const code = ERRNO_NAMES[errno] ?? `E${-errno}`;
  const e = new Error(`${syscall} ${code}${detail ? " " + detail : ""}`) as SynackError;
  e.code = code; e.errno = errno; e.syscall = syscall;
  return e;
}
