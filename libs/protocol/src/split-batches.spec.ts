import { encodeRecordBatch } from './record-batch-builder';
import { BatchField } from './record-batch-header';
import { splitBatches } from './split-batches';

const batches = [1, 2, 3].map((n) =>
  encodeRecordBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp: 1 })), { baseOffset: n * 10 }),
);
const all = Buffer.concat(batches);

describe('splitBatches', () => {
  it('returns a view of each batch, sharing memory with the input', () => {
    const parts = splitBatches(all);
    expect(parts).toEqual(batches);
    expect(parts[1].buffer).toBe(all.buffer);
    expect(parts[1].byteOffset).toBe(all.byteOffset + batches[0].length);
  });

  it('returns nothing for no bytes', () => {
    expect(splitBatches(Buffer.alloc(0))).toEqual([]);
  });

  it('every truncation is CORRUPT_MESSAGE naming where the cut batch starts', () => {
    for (let length = 1; length < all.length; length++) {
      if ([batches[0].length, batches[0].length + batches[1].length].includes(length)) continue; // whole batches
      expect(() => splitBatches(all.subarray(0, length))).toThrow(expect.objectContaining({ code: 'CORRUPT_MESSAGE' }));
    }
    expect(() => splitBatches(all.subarray(0, all.length - 1))).toThrow(
      `record batch at byte ${batches[0].length + batches[1].length} is cut short`,
    );
  });

  it('a batchLength below the header size or a magic other than 2 is CORRUPT_MESSAGE', () => {
    const short = Buffer.from(all);
    short.writeInt32BE(10, batches[0].length + BatchField.batchLength);
    expect(() => splitBatches(short)).toThrow(/batchLength 10, below the 49 bytes/);
    const oldMagic = Buffer.from(all);
    oldMagic[BatchField.magic] = 1;
    expect(() => splitBatches(oldMagic)).toThrow(/magic 1/);
  });

  it('does not check CRCs: that is for decodeRecordBatch', () => {
    const damaged = Buffer.from(all);
    damaged[all.length - 1] ^= 0xff;
    expect(splitBatches(damaged)).toHaveLength(3);
  });
});
