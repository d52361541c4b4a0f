import fc from 'fast-check';
import { compressSync, uncompressSync } from 'snappy';
import { compress, compressionTypeFromName, compressionTypeName, decompress } from './compression';
import { CompressionType } from './record-batch-header';
import { compressionReady } from './zstd-codec';

// The zstd encoder is WebAssembly, loaded once asynchronously.
beforeAll(() => compressionReady());

const ALL_TYPES = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

/** The same 77 bytes, compressed by the reference command-line tools (`zstd -c` from a pipe, `lz4 -c`, `gzip -n -c`). */
const PLAIN = Buffer.from('kafka-compatible records, kafka-compatible records, kafka-compatible records!');
const FIXTURES: Array<[string, CompressionType, string]> = [
  // A streamed zstd frame: no content size in its header, as Java's ZstdOutputStream writes.
  ['zstd', CompressionType.Zstd, '28b52ffd0458150100d86b61666b612d636f6d70617469626c65207265636f7264732c20210100ded11c033aff5922'],
  ['lz4', CompressionType.Lz4, '04224d186440a725000000ff0b6b61666b612d636f6d70617469626c65207265636f7264732c201a001b506f72647321000000009f70a276'],
  ['gzip', CompressionType.Gzip, '1f8b0800000000000003cb4e4ccb4ed44dcecf2d482cc94cca4955284a4dce2f4a29d651c82659461100270d2aa04d000000'],
];

describe('compress / decompress', () => {
  it.each(ALL_TYPES.map((t) => [compressionTypeName(t), t]))('%s round-trips arbitrary bytes', (_name, type) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expect(decompress(type, compress(type, Buffer.from(bytes)))).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 50 },
    );
  });

  it.each(ALL_TYPES.map((t) => [compressionTypeName(t), t]))('%s round-trips inputs larger than one codec block', (_name, type) => {
    const big = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
    // Buffer.equals: jest's deep equality is slow on 200 KB.
    expect(decompress(type, compress(type, big)).equals(big)).toBe(true);
  });

  it.each(FIXTURES)('%s decodes what the reference tool wrote', (_name, type, hex) => {
    expect(decompress(type, Buffer.from(hex, 'hex'))).toEqual(PLAIN);
  });

  it.each(ALL_TYPES.filter((t) => t !== CompressionType.None).map((t) => [compressionTypeName(t), t]))(
    'damaged %s data is CORRUPT_MESSAGE',
    (_name, type) => {
      const damaged = compress(type, PLAIN);
      damaged.fill(0xa5, Math.floor(damaged.length / 3));
      expect(() => decompress(type, damaged)).toThrow(expect.objectContaining({ code: 'CORRUPT_MESSAGE' }));
    },
  );

  it('codes outside 0-4 are UNSUPPORTED_COMPRESSION_TYPE', () => {
    expect(() => compress(5 as CompressionType, PLAIN)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION_TYPE' }));
    expect(() => decompress(7 as CompressionType, PLAIN)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION_TYPE' }));
  });
});

describe('snappy framing', () => {
  it('writes the xerial header (magic, version 1, compatible version 1), then [int32 length][snappy block] chunks', () => {
    const framed = compress(CompressionType.Snappy, PLAIN);
    expect(framed.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001');
    const blockLength = framed.readInt32BE(16);
    expect(framed.length).toBe(20 + blockLength);
    expect(uncompressSync(framed.subarray(20))).toEqual(PLAIN);
  });

  it('cuts its input into 32 KiB chunks as snappy-java does', () => {
    const framed = compress(CompressionType.Snappy, Buffer.alloc(80 * 1024, 1));
    const chunkInputs: number[] = [];
    for (let p = 16; p < framed.length; ) {
      const length = framed.readInt32BE(p);
      chunkInputs.push((uncompressSync(framed.subarray(p + 4, p + 4 + length)) as Buffer).length);
      p += 4 + length;
    }
    expect(chunkInputs).toEqual([32 * 1024, 32 * 1024, 16 * 1024]);
  });

  it('also reads plain unframed snappy, as snappy-java does', () => {
    expect(decompress(CompressionType.Snappy, compressSync(PLAIN))).toEqual(PLAIN);
  });

  it('a chunk length running past the end is CORRUPT_MESSAGE naming the chunk', () => {
    const framed = compress(CompressionType.Snappy, PLAIN);
    expect(() => decompress(CompressionType.Snappy, framed.subarray(0, framed.length - 1))).toThrow(/snappy chunk at byte 16/);
  });
});

describe('compressionTypeFromName', () => {
  it.each([
    ['none', CompressionType.None],
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ])('reads Kafka\'s name %s', (name, type) => {
    expect(compressionTypeFromName(name)).toBe(type);
    expect(compressionTypeName(type)).toBe(name);
  });

  it('rejects other names with INVALID_CONFIG listing the valid ones', () => {
    expect(() => compressionTypeFromName('brotli')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => compressionTypeFromName('GZIP')).toThrow(/none, gzip, snappy, lz4, zstd/);
  });
});
