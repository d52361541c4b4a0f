/**
 * Which `__consumer_offsets` partition coordinates a group: Kafka's
 * `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`, with Java's String.hashCode
 * (s[0]·31^(n-1) + … + s[n-1] over UTF-16 code units, in 32-bit two's complement) and Kafka's
 * Utils.abs (which maps Integer.MIN_VALUE to 0 rather than overflowing). Matching Kafka exactly
 * keeps a group on the same partition number as a Kafka cluster would put it.
 */

/** Kafka's offsets.topic.num.partitions default. */
export const OFFSETS_TOPIC_PARTITIONS_DEFAULT = 50;

/** Java's String.hashCode. */
export function javaStringHashCode(s: string): number {
  let hash = 0;
  for (let i = 0; i < s.length; i++) hash = (Math.imul(hash, 31) + s.charCodeAt(i)) | 0;
  return hash;
}

/** Kafka's Utils.abs: |n|, and 0 for -2^31 whose absolute value does not fit. */
function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

export function coordinatorPartition(groupId: string, numPartitions = OFFSETS_TOPIC_PARTITIONS_DEFAULT): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions;
}
