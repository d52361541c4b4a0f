/**
 * CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2. Delegates to @node-rs/crc32,
 * which uses the SSE4.2/ARMv8 CRC instructions: the broker checks every incoming batch, so
 * this sits on the produce hot path.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** Unsigned CRC-32C of `data`. */
export function crc32c(data: Uint8Array): number {
  return nativeCrc32c(data as Buffer) >>> 0;
}
