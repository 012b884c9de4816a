// Snappy block decompression with every length and offset checked. remote_write bodies come from
// the network, and snappyjs' decoder loops forever on some corrupt literal lengths (found by the
// fuzz test), so decoding is done here; snappyjs is still used to compress (tests, bench).
// Format: a varint uncompressed length, then literals and back-references (copies).

export class SnappyError extends Error {}

function fail(message: string): never {
  throw new SnappyError(message);
}

/** The declared uncompressed length, and where the elements start. */
function preamble(src: Uint8Array): { length: number; pos: number } {
  let length = 0;
  for (let i = 0, shift = 0; i < 5; i++, shift += 7) {
    const b = src[i];
    if (b === undefined) fail('truncated length preamble');
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { length, pos: i + 1 };
  }
  return fail('length preamble longer than 32 bits');
}

const le = (src: Uint8Array, pos: number, n: number): number => {
  if (pos + n > src.length) fail('truncated element');
  let v = 0;
  for (let i = 0; i < n; i++) v += (src[pos + i] as number) * 2 ** (8 * i);
  return v;
};

/** Decompresses a snappy block; throws SnappyError on anything malformed or over maxLength. */
export function snappyUncompress(src: Uint8Array, maxLength: number): Uint8Array {
  const { length, pos: start } = preamble(src);
  if (length > maxLength) fail(`uncompressed length ${length} is too big (at most ${maxLength})`);
  const out = new Uint8Array(length);
  let o = 0;
  let pos = start;
  while (pos < src.length) {
    const tag = src[pos++] as number;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        len = le(src, pos, bytes);
        pos += bytes;
      }
      len += 1;
      if (pos + len > src.length) fail('literal runs past the end of the input');
      if (o + len > length) fail('literal runs past the declared length');
      out.set(src.subarray(pos, pos + len), o);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | le(src, pos, 1);
      pos += 1;
    } else {
      const n = kind === 2 ? 2 : 4;
      len = 1 + (tag >>> 2);
      offset = le(src, pos, n);
      pos += n;
    }
    if (offset === 0 || offset > o) fail('copy refers before the start of the output');
    if (o + len > length) fail('copy runs past the declared length');
    // Byte by byte: a copy may overlap what it is writing (offset < len repeats a pattern).
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset] as number;
  }
  if (o !== length) fail(`output is ${o} bytes, the preamble declared ${length}`);
  return out;
}
