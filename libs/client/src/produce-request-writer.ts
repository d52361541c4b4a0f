/**
 * A hand-written encoder for tributary.broker.v1.ProduceRequest, for the producer's hot path.
 * It writes the proto3 wire format of the fields the raw-batch path uses, so the batch bytes are
 * copied once into the request instead of going through ts-proto's writer:
 *
 *   field 1 topic         tag 0x0a  length-delimited UTF-8
 *   field 2 partition     tag 0x10  varint (omitted when 0, as proto3 does)
 *   field 3 acks          tag 0x18  varint; -1 is sign-extended to 10 bytes (int32 rule)
 *   field 4 timeout_ms    tag 0x20  varint
 *   field 5 record_batch  tag 0x2a  length-delimited bytes
 *
 * Any proto decoder (ts-proto's ProduceRequest.decode included) reads the result.
 */
export interface RawProduceRequest {
  topic: string;
  partition: number;
  acks: number;
  timeoutMs: number;
  recordBatch: Buffer;
}

const TAG_TOPIC = 0x0a;
const TAG_PARTITION = 0x10;
const TAG_ACKS = 0x18;
const TAG_TIMEOUT_MS = 0x20;
const TAG_RECORD_BATCH = 0x2a;

export function encodeProduceRequest(request: RawProduceRequest): Buffer {
  const topicBytes = Buffer.byteLength(request.topic, 'utf8');
  const batchBytes = request.recordBatch.length;
  let size = 0;
  if (topicBytes > 0) size += 1 + varintSize(topicBytes) + topicBytes;
  if (request.partition !== 0) size += 1 + int32Size(request.partition);
  if (request.acks !== 0) size += 1 + int32Size(request.acks);
  if (request.timeoutMs !== 0) size += 1 + int32Size(request.timeoutMs);
  if (batchBytes > 0) size += 1 + varintSize(batchBytes) + batchBytes;

  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  if (topicBytes > 0) {
    out[pos++] = TAG_TOPIC;
    pos = writeVarint(out, pos, topicBytes);
    pos += out.write(request.topic, pos, 'utf8');
  }
  if (request.partition !== 0) {
    out[pos++] = TAG_PARTITION;
    pos = writeInt32(out, pos, request.partition);
  }
  if (request.acks !== 0) {
    out[pos++] = TAG_ACKS;
    pos = writeInt32(out, pos, request.acks);
  }
  if (request.timeoutMs !== 0) {
    out[pos++] = TAG_TIMEOUT_MS;
    pos = writeInt32(out, pos, request.timeoutMs);
  }
  if (batchBytes > 0) {
    out[pos++] = TAG_RECORD_BATCH;
    pos = writeVarint(out, pos, batchBytes);
    request.recordBatch.copy(out, pos);
  }
  return out;
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Proto's int32 encodes negative values as their 64-bit two's complement: always 10 bytes. */
function int32Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

function writeVarint(out: Buffer, pos: number, value: number): number {
  while (value >= 0x80) {
    out[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

function writeInt32(out: Buffer, pos: number, value: number): number {
  if (value >= 0) return writeVarint(out, pos, value);
  // Low 32 bits as they are, high 32 bits all ones (sign extension), 7 bits at a time.
  let low = value >>> 0;
  for (let i = 0; i < 4; i++) {
    out[pos++] = (low & 0x7f) | 0x80;
    low >>>= 7;
  }
  // Bits 28-31 of the low word with bits 0-2 of the all-ones high word.
  out[pos++] = (low & 0x0f) | 0x70 | 0x80;
  for (let i = 0; i < 4; i++) out[pos++] = 0xff;
  out[pos++] = 0x01;
  return pos;
}
