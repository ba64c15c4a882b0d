// The run-time memory layout. The host chooses the number of connection slots and the ring sizes
// (configure, before init); init lays them out once, after which nothing is allocated. Memory is
// grown at most once, straight to its final size, or — under a host that caps linear memory below
// a page (wasm3's memoryLimit on the board) — checked to fit the cap before anything is touched.
import { POOL_BLOCK, DEFAULT_POOL, RCV_BUFFER_MIN, DEFAULT_UDP_SOCKETS, UDP_SOCKETS_MAX, DEFAULT_CONNS, CONNS_LIMIT, DEFAULT_RX_RING, DEFAULT_TX_RING, RING_MIN, RX_RING_MAX, TX_RING_MAX, SCRATCH_MIN, SCRATCH_MAX,
  REASM_SLOTS_MIN, REASM_SLOTS_MAX, REASM_POOL_PER_SLOT, REASM_MAX } from "./config";

/** Connection slots, and each slot's receive and send ring, as laid out by init. */
export let maxConns: i32 = DEFAULT_CONNS;
export let rxRingSize: i32 = DEFAULT_RX_RING;
export let txRingSize: i32 = DEFAULT_TX_RING;
/** UDP sockets that may be bound at once (each reserves its queue when first bound). */
export let udpSockets: i32 = DEFAULT_UDP_SOCKETS;
/** Bytes of the buffer pool the rings draw on (0: the default, see poolBytes). */
let poolSize: u32 = 0;
/** configure() kept the default slots and rings (the board's layout): its rings share DEFAULT_POOL. */
let defaultLayout = true;
/** Bytes of linear memory the host gives us (0: as many as memory.grow gets). */
let memoryLimit: u32 = 0;
let laidOut = false;

/**
 * Book-keeping per slot besides its rings' blocks (test/module/layout.test.ts checks it): the TCB
 * (228 bytes, 240 with the allocator's word and alignment: tcp/tcb.ts), its two ring records (28
 * bytes each, 32 allocated: tcp/ring.ts), its rows of the out-of-order ranges and of the SACK
 * scoreboards (32 bytes each) and its entry in the connection table (4).
 */
const SLOT_BYTES: u32 = 240 + 2 * 32 + 32 + 32 + 4;
/** TIME-WAIT records (tcp/timewait.ts): two per slot, as connections churn faster than 2 MSL. */
export function twRecords(): i32 { return 2 * maxConns; }
/** Bytes one TIME-WAIT record costs: nine words (tcp/timewait.ts). */
export const TW_BYTES: u32 = 36;

/**
 * Block bytes the rings share (tcp/pool.ts): the configured pool, else the board's DEFAULT_POOL
 * for the default layout, else every ring full at once.
 */
export function poolBytes(): i32 {
  if (poolSize != 0) return <i32>poolSize;
  if (defaultLayout) return DEFAULT_POOL;
  const B = POOL_BLOCK;
  return maxConns * ((rxRingSize + B - 1) / B + (txRingSize + B - 1) / B) * B;
}
/** The pool was configured or is the board's: smaller than every ring full at once, its rings share it. */
export function poolShared(): bool { return poolSize != 0 || defaultLayout; }

/**
 * Each connection's receive buffer to start with (unread bytes + window, set by reserveLayout):
 * the whole ring when the pool holds every ring, else a floor every slot can have at once from
 * what windows may take of the pool (an eighth stays for sending, Pool.sendReserve), no larger
 * than leaves one connection room to grow to its whole ring or half of what windows may take,
 * whichever is less (tcp/window.ts), nor than an even split, nor smaller than RCV_BUFFER_MIN:
 * whole blocks.
 */
export let rcvBuffer: i32 = DEFAULT_RX_RING;
function rcvBufferFor(): i32 {
  if (!poolShared()) return rxRingSize;
  const windows = poolBytes() / POOL_BLOCK - sendReserveFor(poolBytes() / POOL_BLOCK);
  const ring = (rxRingSize + POOL_BLOCK - 1) / POOL_BLOCK;
  const split = windows / maxConns;
  const lone = maxConns > 1 ? (windows - min(ring, windows / 2)) / (maxConns - 1) : split;
  return min(rxRingSize, max(RCV_BUFFER_MIN / POOL_BLOCK, min(split, lone)) * POOL_BLOCK);
}
/** Blocks of a pool of `blocks` that windows leave to the send rings (Pool.sendReserve): an eighth of a shared one. */
export function sendReserveFor(blocks: i32): i32 { return poolShared() ? blocks / 8 : 0; }

/** What the pool costs: its blocks, their links and two bitmaps (tcp/pool.ts), one reserved block. */
function poolCost(): u32 {
  const blocks = <u32>((poolBytes() + POOL_BLOCK - 1) / POOL_BLOCK);
  return blocks * (<u32>POOL_BLOCK + 4) + (((blocks + 31) >> 5) << 3) + RESERVE_OVERHEAD;
}

/** Everything else init allocates besides slots, scratch and services (tables' headers): an upper bound. */
const INIT_BYTES: u32 = 256;
/** Bytes one reserve() costs besides its payload (block and object headers, alignment): an upper bound. */
export const RESERVE_OVERHEAD: u32 = 40;

/**
 * What the services and sockets chosen so far will reserve, at init or later (UDP queues on
 * bind): set by abi.ts, which knows them, before the layout is computed.
 */
let serviceBytes: u32 = 0;
export function setServiceBytes(bytes: u32): void { serviceBytes = bytes; }

/** The first free byte of the heap (the stub runtime hands memory out from one rising offset). */
export function heapTop(): usize {
  const p = heap.alloc(0);
  heap.free(p); // the last block goes back, so this costs nothing
  return p - 4; // the block header (BLOCK_OVERHEAD) sits before the payload
}

/** Bytes of linear memory the layout needs, now and later (nothing is reserved past it): an upper bound. */
export function layoutBytes(): u32 {
  const slot = SLOT_BYTES;
  const scratchMore = scratchBytes() > SCRATCH_MIN ? <u32>scratchBytes() + RESERVE_OVERHEAD : 0; // util/scratch.ts
  const tw = <u32>twRecords() * TW_BYTES + RESERVE_OVERHEAD;
  return <u32>heapTop() + <u32>maxConns * slot + poolCost() + tw + scratchMore + <u32>reasmSlots() * REASM_SLOT_BYTES + serviceBytes + INIT_BYTES;
}

/** IPv4 reassembly slots for this layout: more buffer memory, more datagrams in reassembly at once. */
export function reasmSlots(): i32 { return min(max(poolBytes() / REASM_POOL_PER_SLOT, REASM_SLOTS_MIN), REASM_SLOTS_MAX); }
/**
 * Bytes one reassembly slot reserves (net/fragments.ts), an upper bound: the datagram with room for
 * the largest header in front, its bitmap of 8-byte blocks, and the slot object, each one reserve().
 */
const REASM_SLOT_BYTES: u32 = 60 + <u32>REASM_MAX + <u32>REASM_MAX / 64 + 64 + 3 * RESERVE_OVERHEAD;

/** The scratch/io buffer's size for this layout: the send ring, within bounds. */
export function scratchBytes(): i32 { return min(max(txRingSize, SCRATCH_MIN), SCRATCH_MAX); }

/**
 * Choose the layout (0 keeps a default). Returns the bytes of linear memory it needs, E_INVAL
 * (-22) for numbers out of bounds or a call after init, E_NOBUFS (-105) when it would not fit in
 * memoryLimitBytes (0 = no cap). Nothing changes on an error.
 */
export function configure(conns: u32, rxRing: u32, txRing: u32, memoryLimitBytes: u32): i32 {
  const n = conns != 0 ? conns : <u32>DEFAULT_CONNS;
  const rx = rxRing != 0 ? rxRing : <u32>DEFAULT_RX_RING;
  const tx = txRing != 0 ? txRing : <u32>DEFAULT_TX_RING;
  if (laidOut || n > <u32>CONNS_LIMIT || rx < <u32>RING_MIN || rx > <u32>RX_RING_MAX ||
      tx < <u32>RING_MIN || tx > <u32>TX_RING_MAX) return -22;
  const was0 = maxConns, was1 = rxRingSize, was2 = txRingSize, was3 = defaultLayout;
  maxConns = <i32>n; rxRingSize = <i32>rx; txRingSize = <i32>tx;
  defaultLayout = conns == 0 && rxRing == 0 && txRing == 0;
  const need = layoutBytes();
  if (memoryLimitBytes != 0 && need > memoryLimitBytes) {
    maxConns = was0; rxRingSize = was1; txRingSize = was2; defaultLayout = was3;
    return -105;
  }
  memoryLimit = memoryLimitBytes;
  return <i32>need;
}

/**
 * Choose the buffer pool's bytes (before configure; 0 keeps the default: every ring full at once).
 * 0, or E_INVAL (-22) outside 1024..64 MiB or after init.
 */
export function configurePool(bytes: u32): i32 {
  if (laidOut || (bytes != 0 && (bytes < 1024 || bytes > 64 << 20))) return -22;
  poolSize = bytes;
  return 0;
}

/** Choose how many UDP sockets the layout holds (0 keeps the default). 0, or E_INVAL (-22). */
export function configureUdp(sockets: u32): i32 {
  if (laidOut || sockets > <u32>UDP_SOCKETS_MAX) return -22;
  udpSockets = sockets != 0 ? <i32>sockets : DEFAULT_UDP_SOCKETS;
  return 0;
}

/**
 * Called by init before anything is laid out: grow memory once to its final size, so the
 * allocator never grows (or doubles) it piece by piece. False when the layout cannot fit.
 */
export function reserveLayout(): bool {
  laidOut = true;
  rcvBuffer = rcvBufferFor();
  const need = layoutBytes();
  if (memoryLimit != 0 && need > memoryLimit) return false;
  const have = <u32>memory.size() << 16;
  if (need > have) return memory.grow(<i32>((need - have + 0xffff) >> 16)) >= 0;
  return true;
}
