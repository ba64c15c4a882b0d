// An in-memory Ethernet wire between two (or more) stacks: a hub that copies every frame to the
// other ends, delivered on a later turn of the event loop, never from inside the sender's call.
import type { Link } from "../link/link.js";

export class MemoryLink implements Link {
  onFrame: (frame: Uint8Array) => void = () => {};
  private closed = false;

  private constructor(private readonly hub: MemoryLink[]) { hub.push(this); }

  /** Two ends of one wire (more with count > 2: a hub). */
  static pair(count = 2): MemoryLink[] {
    const hub: MemoryLink[] = [];
    for (let i = 0; i < count; i++) new MemoryLink(hub);
    return hub.slice();
  }

  send(frame: Uint8Array): void {
    if (this.closed) return;
    const copy = frame.slice();
    for (const end of this.hub) {
      if (end === this || end.closed) continue;
      setImmediate(() => { if (!end.closed) end.onFrame(copy); });
    }
  }

  close(): void { this.closed = true; }
}
