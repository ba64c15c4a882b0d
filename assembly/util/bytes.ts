// Network byte order loads and stores over linear memory. Wire views are built on these.

@inline export function get8(p: usize): u32 { return <u32>load<u8>(p); }
@inline export function put8(p: usize, v: u32): void { store<u8>(p, <u8>v); }

@inline export function get16(p: usize): u32 {
  return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p + 1);
}
@inline export function put16(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >> 8));
  store<u8>(p + 1, <u8>v);
}

@inline export function get32(p: usize): u32 {
  return (<u32>load<u8>(p) << 24) | (<u32>load<u8>(p + 1) << 16) |
         (<u32>load<u8>(p + 2) << 8) | <u32>load<u8>(p + 3);
}
@inline export function put32(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >> 24));
  store<u8>(p + 1, <u8>(v >> 16));
  store<u8>(p + 2, <u8>(v >> 8));
  store<u8>(p + 3, <u8>v);
}

/** A fixed block of linear memory, reserved once at start-up. */
export function reserve(size: i32): usize {
  // StaticArray data lives in the heap allocated during module start; never freed.
  const block = new StaticArray<u8>(size);
  // Pinned: the module's stub runtime never collects, but the unit tests' runtime does, and
  // nothing else refers to the block as an object.
  return __pin(changetype<usize>(block));
}
