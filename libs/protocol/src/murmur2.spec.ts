import fc from 'fast-check';
import { murmur2, partitionForKey, toPositive } from './murmur2';
// kafkajs's port of the Java client's murmur2 (with Long arithmetic): an independent reference.
const kafkajsMurmur2: (key: Buffer) => number = require('kafkajs/src/producer/partitioners/default/murmur2');

describe('murmur2', () => {
  it.each([
    // Kafka's UtilsTest.testMurmur2 vectors (Java's signed int results).
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['', 275646681],
  ])('hashes %j to %i as Kafka does', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });

  it('agrees with kafkajs on arbitrary bytes, covering every tail length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const key = Buffer.from(bytes);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }),
      { numRuns: 500 },
    );
  });
});

describe('partitionForKey', () => {
  it('is toPositive(murmur2(key)) % numPartitions, as Kafka picks "foobar" -> 16 of 50', () => {
    expect(partitionForKey(Buffer.from('foobar'), 50)).toBe(16);
  });

  it('stays within [0, numPartitions)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 1, max: 10_000 }), (bytes, n) => {
        const p = partitionForKey(Buffer.from(bytes), n);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(n);
      }),
    );
  });

  it('rejects fewer than one partition with INVALID_PARTITIONS', () => {
    expect(() => partitionForKey(Buffer.from('k'), 0)).toThrow(expect.objectContaining({ code: 'INVALID_PARTITIONS' }));
  });
});

describe('toPositive', () => {
  it('clears the sign bit instead of negating, so -2^31 maps to 0', () => {
    expect(toPositive(-0x8000_0000)).toBe(0);
    expect(toPositive(-1)).toBe(0x7fff_ffff);
    expect(toPositive(5)).toBe(5);
  });
});
