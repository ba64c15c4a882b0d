// Log lines go to the host through the `log` import, built in a fixed buffer.
import { log_line } from "../env";
import { Text } from "./text";

const LOG_CAP: i32 = 256;
const line = new Text(memory.data(LOG_CAP), LOG_CAP);

/** Start a log line; finish it with emit(). */
export function logText(): Text { return line.reset(); }
export function emit(): void { log_line(line.ptr, <u32>line.len); }
