/**
 * Copies of small byte strings (signatures) carved out of shared 1 KiB slabs. A decoded
 * signature must be copied (msgpackr hands out views into the frame, which would keep a whole
 * digest alive), and `new Uint8Array(bytes)` gives every copy an ArrayBuffer and a native
 * backing store of its own: ~100 bytes of overhead on 32-64 bytes of data, once per member
 * record held, so per (node, member) pair in the simulator. A slab is retained while any copy
 * in it lives; at 1 KiB that wastes at most one slab per live copy in the worst case (a slab
 * whose other copies were all replaced), and typically nothing.
 */
const SLAB_BYTES = 1024

let slab = new Uint8Array(SLAB_BYTES)
let used = 0

export function copyBytes(bytes: Uint8Array): Uint8Array {
  const n = bytes.byteLength
  if (n > SLAB_BYTES / 4) return new Uint8Array(bytes)
  if (used + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES)
    used = 0
  }
  const out = slab.subarray(used, used + n)
  out.set(bytes)
  used += n
  return out
}
