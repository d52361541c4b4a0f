/**
 * Confluent's wire format of a serialized key or value:
 *
 *   byte 0       magic byte, always 0
 *   bytes 1-4    the schema id, a big-endian 32-bit integer (the registry's global id)
 *   bytes 5-     the payload: Avro binary, JSON text (UTF-8), or for Protobuf the message
 *                indexes (see message-indexes.ts) followed by the Protobuf binary
 */
import { TributaryError } from '@tributary/protocol';

export const MAGIC_BYTE = 0;
export const WIRE_HEADER_BYTES = 5;

export function encodeWireFormat(schemaId: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + payload.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeInt32BE(schemaId, 1);
  out.set(payload, WIRE_HEADER_BYTES);
  return out;
}

export function decodeWireFormat(bytes: Buffer): { schemaId: number; payload: Buffer } {
  if (bytes.length < WIRE_HEADER_BYTES) {
    throw new TributaryError('CORRUPT_MESSAGE', `${bytes.length} bytes are too few for Confluent's wire format (magic byte and 4-byte schema id)`);
  }
  if (bytes[0] !== MAGIC_BYTE) {
    throw new TributaryError('CORRUPT_MESSAGE', `unknown magic byte ${bytes[0]}: the data was not written in Confluent's wire format by a schema registry serializer`);
  }
  return { schemaId: bytes.readInt32BE(1), payload: bytes.subarray(WIRE_HEADER_BYTES) };
}
