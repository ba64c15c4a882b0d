// The seam between a wire and whatever drives the module: a link sends frames and hands over
// those it receives; the engines (host/engine) attach to one.

/** A link's fast path: frames between the link and the module's memory, no copy in JavaScript. */
export interface DirectIo {
  /** One waiting frame into the module's receive buffer; its length, 0 when none is waiting. */
  read(): number;
  /** One frame from the module's memory (valid only during the call) to the wire. */
  send(ptr: number, len: number): void;
}

/** A wire the stack is attached to. */
export interface Link {
  send(frame: Uint8Array): void;
  onFrame: (frame: Uint8Array) => void;
  close(): void;
  /**
   * Optional fast path (TapLink through the addon): frames are read one at a time into
   * memory[rx..rx+rxCap) after onReadable() and sent from the module's memory; null if not now.
   */
  direct?(memory: ArrayBuffer, rx: number, rxCap: number, onReadable: () => void): DirectIo | null;
  /** Optional: whether the link keeps the program running (a TAP's watch does; a memory wire has none). */
  ref?(on: boolean): void;
}
