// The module's negative socket results as Node-style errors (err.code like node:net's).
import { E } from "../engine/abi.js";

const CODES: Record<number, string> = {
  [E.AGAIN]: "EAGAIN", [E.BADF]: "EBADF", [E.INVAL]: "EINVAL", [E.NOBUFS]: "ENOBUFS",
  [E.ADDRINUSE]: "EADDRINUSE", [E.RESET]: "ECONNRESET", [E.TIMEDOUT]: "ETIMEDOUT",
  [E.REFUSED]: "ECONNREFUSED", [E.PIPE]: "EPIPE",
};

export interface SynackError extends Error { code: string; errno: number; syscall: string }

export function socketError(errno: number, syscall: string, detail = ""): SynackError {
  const code = CODES[errno] ?? `E${-errno}`;
  const e = new Error(`${syscall} ${code}${detail ? " " + detail : ""}`) as SynackError;
  e.code = code; e.errno = errno; e.syscall = syscall;
  return e;
}
