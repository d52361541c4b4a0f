import { decodeMessageIndexes, encodeMessageIndexes } from './message-indexes';
import { decodeWireFormat, encodeWireFormat } from './wire-format';

describe('Confluent wire format', () => {
  it('is magic byte 0, the schema id as a big-endian int32, then the payload', () => {
    const bytes = encodeWireFormat(0x01020304, Buffer.from([9, 8]));
    expect(bytes).toEqual(Buffer.from([0, 1, 2, 3, 4, 9, 8]));
    expect(decodeWireFormat(bytes)).toEqual({ schemaId: 0x01020304, payload: Buffer.from([9, 8]) });
  });

  it('refuses a wrong magic byte and a truncated header', () => {
    expect(() => decodeWireFormat(Buffer.from([1, 0, 0, 0, 1]))).toThrow(/unknown magic byte 1/);
    expect(() => decodeWireFormat(Buffer.from([0, 0, 0]))).toThrow(/too few/);
  });
});

describe('Protobuf message indexes', () => {
  it.each([
    [[0], [0x00]],
    [[1], [0x02, 0x02]],
    [[2, 0], [0x04, 0x04, 0x00]],
    [[0, 1], [0x04, 0x00, 0x02]],
    [[70], [0x02, 0x8c, 0x01]],
  ])('%j is written as %j (zig-zag varints, [0] as a single zero)', (indexes, bytes) => {
    expect([...encodeMessageIndexes(indexes)]).toEqual(bytes);
    expect(decodeMessageIndexes(Buffer.from([...bytes, 0x0a, 0x01]))).toEqual({ indexes, bytesRead: bytes.length });
  });

  it('a count of one with index zero (the long form of [0]) reads as [0] too', () => {
    expect(decodeMessageIndexes(Buffer.from([0x02, 0x00]))).toEqual({ indexes: [0], bytesRead: 2 });
  });

  it('refuses indexes that end mid-varint', () => {
    expect(() => decodeMessageIndexes(Buffer.from([0x04, 0x80]))).toThrow(/middle of a varint/);
  });
});
