/**
 * The record value both systems carry: `sizeBytes` pseudo-random bytes drawn once from a seeded
 * PRNG (mulberry32) and reused for every record, as Kafka's ProducerPerformance reuses one
 * payload. Random bytes do not compress, so enabling compression cannot flatter either side.
 */
export function makePayload(sizeBytes: number, seed: number): Buffer {
  const payload = Buffer.alloc(sizeBytes);
  let state = seed >>> 0;
  for (let i = 0; i < sizeBytes; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    payload[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return payload;
}
