import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { murmur2, toPositive } from '@tributary/protocol';
import { DefaultPartitioner } from './default-partitioner';

describe('DefaultPartitioner', () => {
  it('sends a keyed record to toPositive(murmur2(key)) % partitions, as Kafka does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 1000 }), (key, n) => {
        const partitioner = new DefaultPartitioner();
        expect(partitioner.partition('t', Buffer.from(key), n)).toBe(toPositive(murmur2(key)) % n);
      }),
    );
  });

  it('chooses the partitions kafkajs\'s Java-compatible partitioner chooses', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2, 3, 4].map((partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    const partitioner = new DefaultPartitioner();
    for (const key of ['21', 'foobar', 'a-little-bit-long-string', 'key-1', 'ü']) {
      expect(partitioner.partition('t', Buffer.from(key), 5)).toBe(kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }));
    }
  });

  it('keeps null-key records on one partition until its batch closes, then moves elsewhere', () => {
    const partitioner = new DefaultPartitioner();
    const first = partitioner.partition('t', null, 4);
    expect(Array.from({ length: 10 }, () => partitioner.partition('t', null, 4))).toEqual(Array(10).fill(first));
    partitioner.onBatchClosed('t', first, 4);
    const second = partitioner.partition('t', null, 4);
    expect(second).not.toBe(first);
    expect(second).toBeGreaterThanOrEqual(0);
    expect(second).toBeLessThan(4);
  });

  it('ignores a closed batch of a partition it is not sticking to', () => {
    const partitioner = new DefaultPartitioner();
    const first = partitioner.partition('t', null, 4);
    partitioner.onBatchClosed('t', (first + 1) % 4, 4);
    expect(partitioner.partition('t', null, 4)).toBe(first);
  });

  it('sticks per topic', () => {
    const values = [0.1, 0.9];
    const partitioner = new DefaultPartitioner(() => values.shift() ?? 0);
    expect(partitioner.partition('a', null, 10)).toBe(1);
    expect(partitioner.partition('b', null, 10)).toBe(9);
  });
});
