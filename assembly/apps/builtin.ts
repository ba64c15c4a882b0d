// The built-in services and which of them run: the host chooses at init (select_services before
// init; `synack serve --services`, the ESP32 menuconfig). A service that is not chosen reserves
// no memory: each one's buffers are laid out by its setup, here, when it starts.
import { registerService, acceptAll, registryBytes } from "./registry";
import { serveEcho, serveDiscard } from "./echo";
import { chargenSetup, chargenStart, serveChargen, chargenBytes } from "./chargen";
import { consoleSetup, consoleStart, serveConsole, consoleBytes } from "./console";
import { httpSetup, httpBytes } from "./http";
import { mdnsSetup, mdnsBytes } from "./mdns";

export const SERVICE_ECHO: u32 = 1;      // TCP 7, RFC 862
export const SERVICE_DISCARD: u32 = 2;   // TCP 9, RFC 863
export const SERVICE_CHARGEN: u32 = 4;   // TCP 19, RFC 864
export const SERVICE_CONSOLE: u32 = 8;   // TCP 23
export const SERVICE_HTTP: u32 = 16;     // TCP 80
export const SERVICE_MDNS: u32 = 32;     // UDP 5353
export const DEFAULT_SERVICES: u32 = 63;

let selected: u32 = DEFAULT_SERVICES;

export function selectServices(mask: u32): void { selected = mask & DEFAULT_SERVICES; }

/** What the chosen services will reserve when they start. */
export function builtinBytes(): u32 {
  let n: u32 = selected != 0 ? registryBytes() : 0;
  if (selected & SERVICE_CHARGEN) n += chargenBytes();
  if (selected & SERVICE_CONSOLE) n += consoleBytes();
  if (selected & SERVICE_HTTP) n += httpBytes();
  if (selected & SERVICE_MDNS) n += mdnsBytes();
  return n;
}

export function startBuiltins(): void {
  if (selected & SERVICE_ECHO) registerService(7, acceptAll, serveEcho);
  if (selected & SERVICE_DISCARD) registerService(9, acceptAll, serveDiscard);
  if (selected & SERVICE_CHARGEN) { chargenSetup(); registerService(19, chargenStart, serveChargen); }
  if (selected & SERVICE_CONSOLE) { consoleSetup(); registerService(23, consoleStart, serveConsole, true); }
  if (selected & SERVICE_HTTP) httpSetup();
  if (selected & SERVICE_MDNS) mdnsSetup();
}
