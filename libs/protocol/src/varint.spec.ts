import fc from 'fast-check';
import { isTributaryError } from './errors';
import {
  readUnsignedVarint,
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from './varint';
// kafkajs's Encoder is an independent implementation of the same zig-zag varints.
const KafkajsEncoder = require('kafkajs/src/protocol/encoder');

/** Reference model: zig-zag then base-128 little-endian groups, in BigInt. */
function referenceBytes(n: bigint, bits: 32n | 64n): number[] {
  let u = BigInt.asUintN(Number(bits), (n << 1n) ^ (n >> (bits - 1n)));
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}

const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
/** Varlongs are carried in numbers, exact up to 2^52 in magnitude. */
const safeInt64 = fc.integer({ min: -(2 ** 52), max: 2 ** 52 });

function written(write: (buf: Uint8Array, p: number, n: number) => number, n: number): number[] {
  const buf = new Uint8Array(16);
  return Array.from(buf.subarray(0, write(buf, 0, n)));
}

describe('varint', () => {
  it('writes the reference bytes for every int32 and reads them back', () => {
    fc.assert(
      fc.property(int32, (n) => {
        const bytes = written(writeVarint, n);
        expect(bytes).toEqual(referenceBytes(BigInt(n), 32n));
        expect(sizeOfVarint(n)).toBe(bytes.length);
        const cursor = { position: 0 };
        expect(readVarint(Uint8Array.from(bytes), cursor)).toBe(n);
        expect(cursor.position).toBe(bytes.length);
      }),
    );
  });

  it('matches kafkajs byte for byte', () => {
    fc.assert(
      fc.property(int32, (n) => {
        expect(Buffer.from(written(writeVarint, n))).toEqual(new KafkajsEncoder().writeVarInt(n).buffer);
      }),
    );
  });

  it('covers the edges: 0, -1, 1, 63, -64, 64, int32 min and max', () => {
    expect(written(writeVarint, 0)).toEqual([0x00]);
    expect(written(writeVarint, -1)).toEqual([0x01]);
    expect(written(writeVarint, 1)).toEqual([0x02]);
    expect(written(writeVarint, 63)).toEqual([0x7e]);
    expect(written(writeVarint, -64)).toEqual([0x7f]);
    expect(written(writeVarint, 64)).toEqual([0x80, 0x01]);
    expect(written(writeVarint, 0x7fff_ffff)).toEqual([0xfe, 0xff, 0xff, 0xff, 0x0f]);
    expect(written(writeVarint, -0x8000_0000)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });
});

describe('varlong', () => {
  it('writes the reference bytes for integers up to 2^52 and reads them back', () => {
    fc.assert(
      fc.property(safeInt64, (n) => {
        const bytes = written(writeVarlong, n);
        expect(bytes).toEqual(referenceBytes(BigInt(n), 64n));
        expect(sizeOfVarlong(n)).toBe(bytes.length);
        const cursor = { position: 0 };
        expect(readVarlong(Uint8Array.from(bytes), cursor)).toBe(n);
        expect(cursor.position).toBe(bytes.length);
      }),
    );
  });

  it('matches kafkajs byte for byte', () => {
    fc.assert(
      fc.property(safeInt64, (n) => {
        expect(Buffer.from(written(writeVarlong, n))).toEqual(new KafkajsEncoder().writeVarLong(n).buffer);
      }),
    );
  });
});

describe('varint reads of damaged bytes', () => {
  it('a varint cut short is CORRUPT_MESSAGE', () => {
    expect(() => readVarint(Uint8Array.from([0x80, 0x80]), { position: 0 })).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
    expect(() => readVarlong(Uint8Array.from([0xff]), { position: 0 })).toThrow(/truncated varlong/);
  });

  it('a varint longer than 5 bytes, or a varlong longer than 10, is CORRUPT_MESSAGE', () => {
    const tooLong = (n: number) => Uint8Array.from([...Array(n).fill(0x80), 0x00]);
    expect(() => readUnsignedVarint(tooLong(5), { position: 0 })).toThrow(/longer than 5 bytes/);
    let thrown: unknown;
    try {
      readVarlong(tooLong(10), { position: 0 });
    } catch (e) {
      thrown = e;
    }
    expect(isTributaryError(thrown, 'CORRUPT_MESSAGE')).toBe(true);
  });

  it('leaves the cursor where it was when it throws', () => {
    const cursor = { position: 1 };
    expect(() => readVarint(Uint8Array.from([0x00, 0x80]), cursor)).toThrow();
    expect(cursor.position).toBe(1);
  });
});
