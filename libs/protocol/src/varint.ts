/**
 * Zig-zag variable-length integers, as in protobuf and Kafka's ByteUtils.
 *
 *   zig-zag   n -> (n << 1) ^ (n >> 63): 0, -1, 1, -2, 2 ... become 0, 1, 2, 3, 4 ...
 *   varint    7 bits per byte, least significant group first; the high bit of a byte says
 *             "another byte follows". A varint (int32) takes 1-5 bytes, a varlong (int64) 1-10.
 *
 * Writers take the position to write at and return the position after the value, so a hot
 * loop keeps its cursor in a local. Readers advance a `ByteCursor`.
 *
 * Varlongs are carried in JavaScript numbers: exact for |n| <= 2^52, which covers timestamp
 * deltas and offsets (Kafka's int64 fields that we meet are all far smaller).
 */
import { TributaryError } from './errors';

/** A read position in a buffer, advanced by the readers. */
export interface ByteCursor {
  position: number;
}

const TWO_POW_32 = 0x1_0000_0000;

export function zigZagEncode32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

export function zigZagDecode32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}

/** Zig-zag for the int64 range, in float arithmetic (shifts in JavaScript are 32-bit). */
export function zigZagEncode64(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function zigZagDecode64(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

export function sizeOfUnsignedVarint(u: number): number {
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x20_0000) return 3;
  if (u < 0x1000_0000) return 4;
  return 5;
}

export function sizeOfVarint(n: number): number {
  return sizeOfUnsignedVarint(zigZagEncode32(n));
}

export function sizeOfVarlong(n: number): number {
  let u = zigZagEncode64(n);
  let size = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    size++;
  }
  return size;
}

/** Writes `u` (0 <= u < 2^32) as an unsigned varint; returns the position after it. */
export function writeUnsignedVarint(buf: Uint8Array, position: number, u: number): number {
  let v = u >>> 0;
  while (v >= 0x80) {
    buf[position++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[position++] = v;
  return position;
}

export function writeVarint(buf: Uint8Array, position: number, n: number): number {
  return writeUnsignedVarint(buf, position, zigZagEncode32(n));
}

export function writeVarlong(buf: Uint8Array, position: number, n: number): number {
  let u = zigZagEncode64(n);
  if (u < TWO_POW_32) return writeUnsignedVarint(buf, position, u);
  while (u >= 0x80) {
    buf[position++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[position++] = u;
  return position;
}

function truncated(cursor: ByteCursor, what: string): TributaryError {
  return new TributaryError(
    'CORRUPT_MESSAGE',
    `truncated ${what} at byte ${cursor.position}: the data ends inside it; the batch is damaged or cut short`,
  );
}

export function readUnsignedVarint(buf: Uint8Array, cursor: ByteCursor): number {
  let position = cursor.position;
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (position >= buf.length) throw truncated(cursor, 'varint');
    const byte = buf[position++];
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      cursor.position = position;
      return result >>> 0;
    }
  }
  throw new TributaryError(
    'CORRUPT_MESSAGE',
    `varint at byte ${cursor.position} is longer than 5 bytes; the batch is damaged`,
  );
}

export function readVarint(buf: Uint8Array, cursor: ByteCursor): number {
  return zigZagDecode32(readUnsignedVarint(buf, cursor));
}

export function readVarlong(buf: Uint8Array, cursor: ByteCursor): number {
  let position = cursor.position;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (position >= buf.length) throw truncated(cursor, 'varlong');
    const byte = buf[position++];
    result += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      cursor.position = position;
      return zigZagDecode64(result);
    }
    scale *= 128;
  }
  throw new TributaryError(
    'CORRUPT_MESSAGE',
    `varlong at byte ${cursor.position} is longer than 10 bytes; the batch is damaged`,
  );
}
