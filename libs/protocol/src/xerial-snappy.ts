/**
 * Snappy as Kafka's Java clients write it: the xerial snappy-java stream framing.
 *
 *   header  8 bytes  magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *           4 bytes  version, int32 big-endian = 1
 *           4 bytes  minimum compatible version, int32 big-endian = 1
 *   chunks  4 bytes  compressed length N, int32 big-endian
 *           N bytes  one raw snappy block (at most 32 KiB of input, snappy-java's default)
 *
 * Reading also accepts a plain, unframed snappy block, as snappy-java's SnappyInputStream does
 * when the magic is absent (librdkafka and some older clients write that).
 */
import { compressSync, uncompressSync } from 'snappy';
import { TributaryError } from './errors';

const MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const HEADER_BYTES = 16;
const VERSION = 1;
const COMPATIBLE_VERSION = 1;
/** snappy-java's default block size, so our chunks match what Kafka's producer emits. */
const CHUNK_INPUT_BYTES = 32 * 1024;

export function xerialSnappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [header()];
  for (let start = 0; start < data.length; start += CHUNK_INPUT_BYTES) {
    const block = compressSync(data.subarray(start, start + CHUNK_INPUT_BYTES));
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

export function xerialSnappyDecompress(data: Buffer): Buffer {
  if (!hasMagic(data)) return uncompressBlock(data);
  if (data.length < HEADER_BYTES) {
    throw new TributaryError('CORRUPT_MESSAGE', `snappy stream header is cut short: ${data.length} of ${HEADER_BYTES} bytes`);
  }
  const parts: Buffer[] = [];
  let position = HEADER_BYTES;
  while (position < data.length) {
    if (position + 4 > data.length) {
      throw new TributaryError('CORRUPT_MESSAGE', `snappy stream ends inside a chunk length at byte ${position}`);
    }
    const length = data.readInt32BE(position);
    position += 4;
    if (length < 0 || position + length > data.length) {
      throw new TributaryError(
        'CORRUPT_MESSAGE',
        `snappy chunk at byte ${position - 4} claims ${length} bytes but ${data.length - position} remain`,
      );
    }
    parts.push(uncompressBlock(data.subarray(position, position + length)));
    position += length;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function header(): Buffer {
  const h = Buffer.allocUnsafe(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeInt32BE(VERSION, 8);
  h.writeInt32BE(COMPATIBLE_VERSION, 12);
  return h;
}

function hasMagic(data: Buffer): boolean {
  return data.length >= MAGIC.length && MAGIC.equals(data.subarray(0, MAGIC.length));
}

function uncompressBlock(block: Buffer): Buffer {
  try {
    return uncompressSync(block) as Buffer;
  } catch (e) {
    throw new TributaryError('CORRUPT_MESSAGE', `snappy block does not decompress: ${(e as Error).message}`, { cause: e });
  }
}
