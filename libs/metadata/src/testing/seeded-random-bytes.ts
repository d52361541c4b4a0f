import { RandomBytes } from '../topic-id';

/** A reproducible RandomBytes (xorshift32) so topic ids in tests are the same on every run. */
export function seededRandomBytes(seed: number): RandomBytes {
  let state = seed >>> 0 || 1;
  return (size) => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}
