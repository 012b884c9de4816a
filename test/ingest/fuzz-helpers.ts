// Seeded random and mutated bodies shared by the parser fuzz test and the HTTP fuzz test.

/** mulberry32: a seeded PRNG, so a failure can be replayed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick };
}

export const TOKENS = [
  'NaN', 'Infinity', '-Infinity', '1e309', '-1', '-9223372036854775809i', '101', '"', '\\', ',', '=', ' ', '\n', '{',
  '}', '[', ']', '\u0000', '\ud800', '\uFEFF', 'null', 'true', '99999999999999999999', '0x10', '<191>', '<192>', '1 ',
  '2999-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '-0', '1e-400', '"\\u0000"', '\r\n', '\t', '🙂', 'é',
]; // prettier-ignore

export type R = ReturnType<typeof prng>;

export function mutate(r: R, seed: Uint8Array): Uint8Array {
  // Buffers rather than arrays: seeds can be large, and spreading them overflows the stack.
  let b = Buffer.from(seed);
  const insert = (at: number, bytes: Uint8Array) => Buffer.concat([b.subarray(0, at), bytes, b.subarray(at)]);
  const rounds = 1 + r.int(6);
  for (let i = 0; i < rounds; i++) {
    const at = r.int(b.length + 1);
    switch (r.int(7)) {
      case 0: // flip a bit
        if (b.length > 0) b[at % b.length] = (b[at % b.length] as number) ^ (1 << r.int(8));
        break;
      case 1: // truncate
        b = b.subarray(0, at);
        break;
      case 2: // insert a hostile token
        b = insert(at, Buffer.from(r.pick(TOKENS)));
        break;
      case 3: // delete a span
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + r.int(16))]);
        break;
      case 4: {
        // duplicate a span
        const from = r.int(b.length + 1);
        b = insert(at, Buffer.from(b.subarray(from, from + 32)));
        break;
      }
      case 5: // invalid UTF-8
        b = insert(at, Buffer.from([r.pick([0xff, 0xc0, 0xed, 0x80])]));
        break;
      default: // random bytes
        for (let k = r.int(8); k > 0; k--) b = insert(r.int(b.length + 1), Buffer.from([r.int(256)]));
    }
  }
  return b;
}

export function randomBytes(r: R): Uint8Array {
  const n = r.int(r.next() < 0.02 ? 200_000 : 300);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.next() < 0.7 ? 32 + r.int(95) : r.int(256);
  return out;
}

export function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}
