/**
 * How metadata records travel through Raft and snapshots.
 *
 * A Raft entry's data is one batch, applied all or nothing:
 *
 *   count: uint32 BE | count × ( length: uint32 BE | record: encodeMetadataRecord bytes )
 *
 * A snapshot is the image at a metadata offset:
 *
 *   offset: uint64 BE (the Raft index of the last batch applied) | a batch of image.toRecords()
 */
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from '@tributary/metadata';
import { TributaryError } from '@tributary/protocol';

export function encodeMetadataBatch(records: readonly MetadataRecord[]): Buffer {
  const encoded = records.map(encodeMetadataRecord);
  const out = Buffer.alloc(4 + encoded.reduce((n, r) => n + 4 + r.length, 0));
  let at = out.writeUInt32BE(encoded.length, 0);
  for (const r of encoded) {
    at = out.writeUInt32BE(r.length, at);
    at += r.copy(out, at);
  }
  return out;
}

/** Decodes every record of a batch, or throws CORRUPT_MESSAGE: a batch never applies in part. */
export function decodeMetadataBatch(data: Uint8Array): MetadataRecord[] {
  return splitMetadataBatch(data).map(decodeMetadataRecord);
}

/** The encoded records of a batch, as FetchMetadata sends them. */
export function splitMetadataBatch(data: Uint8Array): Buffer[] {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const fail = (what: string): never => {
    throw new TributaryError('CORRUPT_MESSAGE', `metadata batch of ${bytes.length} bytes is malformed: ${what}`);
  };
  if (bytes.length < 4) fail('shorter than its record count');
  const count = bytes.readUInt32BE(0);
  const records: Buffer[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) fail(`record ${i} of ${count} has no length`);
    const length = bytes.readUInt32BE(at);
    at += 4;
    if (at + length > bytes.length) fail(`record ${i} of ${count} runs past the end`);
    records.push(bytes.subarray(at, at + length));
    at += length;
  }
  if (at !== bytes.length) fail(`${bytes.length - at} bytes follow the last record`);
  return records;
}

export function encodeMetadataSnapshot(offset: number, records: readonly MetadataRecord[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(offset));
  return Buffer.concat([header, encodeMetadataBatch(records)]);
}

export function decodeMetadataSnapshot(data: Uint8Array): { offset: number; records: MetadataRecord[] } {
  if (data.byteLength < 8) throw new TributaryError('CORRUPT_MESSAGE', `metadata snapshot of ${data.byteLength} bytes has no offset`);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return { offset: Number(bytes.readBigUInt64BE(0)), records: decodeMetadataBatch(bytes.subarray(8)) };
}
