/**
 * The codecs of a RecordBatch's records section, by the attributes' compression bits:
 *
 *   0 none     the records as they are
 *   1 gzip     RFC 1952 (node:zlib; CPU only, no I/O)
 *   2 snappy   xerial snappy-java framing (see xerial-snappy.ts); plain snappy accepted on read
 *   3 lz4      LZ4 frame format (magic 0x184D2204), independent blocks, as Kafka's
 *              KafkaLZ4BlockOutputStream writes for magic v2
 *   4 zstd     a Zstandard frame, level 3 (Kafka's default); frames without a content size
 *              (what Java's streaming encoder writes) are accepted on read (see zstd-codec.ts;
 *              await compressionReady() once before compressing)
 *
 * A codec failure on read means the batch is damaged: it is reported as CORRUPT_MESSAGE.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { TributaryError } from './errors';
import { CompressionType } from './record-batch-header';
import { xerialSnappyCompress, xerialSnappyDecompress } from './xerial-snappy';
import { zstdCompress, zstdDecompress } from './zstd-codec';

/** Kafka's compression.type values, in code order. */
const NAMES: Readonly<Record<CompressionType, string>> = {
  [CompressionType.None]: 'none',
  [CompressionType.Gzip]: 'gzip',
  [CompressionType.Snappy]: 'snappy',
  [CompressionType.Lz4]: 'lz4',
  [CompressionType.Zstd]: 'zstd',
};

export function compress(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipSync(data);
    case CompressionType.Snappy:
      return xerialSnappyCompress(data);
    case CompressionType.Lz4:
      return compressFrameSync(data);
    case CompressionType.Zstd:
      return zstdCompress(data);
    default:
      throw unsupported(type);
  }
}

export function decompress(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Snappy:
      // Reports its own CORRUPT_MESSAGE with the framing detail.
      return xerialSnappyDecompress(data);
    case CompressionType.Gzip:
      return guarded(type, () => gunzipSync(data));
    case CompressionType.Lz4:
      return guarded(type, () => decompressFrameSync(data));
    case CompressionType.Zstd:
      return guarded(type, () => zstdDecompress(data));
    default:
      throw unsupported(type);
  }
}

/** Parses Kafka's compression.type names: none, gzip, snappy, lz4, zstd. */
export function compressionTypeFromName(name: string): CompressionType {
  const entry = Object.entries(NAMES).find(([, n]) => n === name);
  if (entry === undefined) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `unknown compression type "${name}"; use one of ${Object.values(NAMES).join(', ')}`,
    );
  }
  return Number(entry[0]) as CompressionType;
}

/** Kafka's name for a compression type, e.g. for configs and logs. */
export function compressionTypeName(type: CompressionType): string {
  const name = NAMES[type];
  if (name === undefined) throw unsupported(type);
  return name;
}

function unsupported(type: number): TributaryError {
  return new TributaryError(
    'UNSUPPORTED_COMPRESSION_TYPE',
    `compression type ${type} is not one of Kafka's codecs 0-4 (none, gzip, snappy, lz4, zstd)`,
  );
}

function guarded(type: CompressionType, run: () => Buffer): Buffer {
  try {
    return run();
  } catch (e) {
    throw new TributaryError(
      'CORRUPT_MESSAGE',
      `${NAMES[type]}-compressed records do not decompress: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
