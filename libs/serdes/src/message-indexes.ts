/**
 * Confluent's Protobuf message indexes: which message of the schema's .proto file a payload is.
 * The path from the file's top-level messages down through nested ones, as zig-zag varints: the
 * count, then each index. The first top-level message, path [0], the common case, is written as
 * the single byte 0 (a count of zero).
 *
 *   [0]      -> 00
 *   [1]      -> 02 02          (count 1, index 1)
 *   [2, 0]   -> 04 04 00       (count 2, top-level 2, its first nested message)
 */
import { TributaryError } from '@tributary/protocol';

export function encodeMessageIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const bytes: number[] = [];
  for (const n of [indexes.length, ...indexes]) writeZigZagVarint(n, bytes);
  return Buffer.from(bytes);
}

/** The indexes at the start of `bytes`, and how many bytes they took. */
export function decodeMessageIndexes(bytes: Buffer): { indexes: number[]; bytesRead: number } {
  const position = { offset: 0 };
  const count = readZigZagVarint(bytes, position);
  if (count === 0) return { indexes: [0], bytesRead: position.offset };
  if (count < 0 || count > bytes.length) throw new TributaryError('CORRUPT_MESSAGE', `invalid Protobuf message index count ${count}`);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(readZigZagVarint(bytes, position));
  return { indexes, bytesRead: position.offset };
}

function writeZigZagVarint(value: number, out: number[]): void {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function readZigZagVarint(bytes: Buffer, position: { offset: number }): number {
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (position.offset >= bytes.length) throw new TributaryError('CORRUPT_MESSAGE', 'Protobuf message indexes end in the middle of a varint');
    const byte = bytes[position.offset++];
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return (result >>> 1) ^ -(result & 1);
  }
  throw new TributaryError('CORRUPT_MESSAGE', 'a Protobuf message index varint is longer than 5 bytes');
}
