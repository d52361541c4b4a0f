/**
 * MurmurHash2 exactly as Kafka's Java client computes it (org.apache.kafka.common.utils.Utils
 * .murmur2: seed 0x9747b28c, little-endian 4-byte words, signed 32-bit result), and the default
 * partitioner built on it. Records with the same key must land on the same partition as they
 * would with Kafka's own producer, so this is byte-for-byte Kafka's arithmetic.
 */
import { TributaryError } from './errors';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

export function murmur2(key: Uint8Array): number {
  const length = key.length;
  let h = SEED ^ length;
  const wordsEnd = length & ~3;
  for (let i = 0; i < wordsEnd; i += 4) {
    let k = key[i] | (key[i + 1] << 8) | (key[i + 2] << 16) | (key[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // Java's switch falls through: a tail of 3 takes bytes 2, 1 and 0.
  const tail = length & 3;
  if (tail >= 3) h ^= key[wordsEnd + 2] << 16;
  if (tail >= 2) h ^= key[wordsEnd + 1] << 8;
  if (tail >= 1) {
    h ^= key[wordsEnd];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs, which fails on -2^31). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a non-null key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  if (!(numPartitions >= 1)) {
    throw new TributaryError('INVALID_PARTITIONS', `cannot pick a partition among ${numPartitions}; a topic has at least 1`);
  }
  return toPositive(murmur2(key)) % numPartitions;
}
