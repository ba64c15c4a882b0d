// The build's version, said by the console, the HTTP pages and the hosts (abi.ts version_text).

/**
 * package.json's version and `git describe` of the commit the module was built from, as
 * zero-terminated ASCII (e.g. "0.1.0+3255d9d1a2b3"): written in at compile time by
 * scripts/ascii-transform.mjs from the commit alone (never "-dirty"), so one commit always
 * builds the same bytes.
 */
export declare function buildVersion(): usize;

/** The version into out (at most cap bytes, no terminator); its length. */
export function versionText(out: usize, cap: i32): u32 {
  const v = buildVersion();
  let n = 0;
  for (let c = load<u8>(v); c != 0 && n < cap; c = load<u8>(v + <usize>(++n))) store<u8>(out + <usize>n, c);
  return <u32>n;
}
