/**
 * A decoder for tributary.broker.v1.ProduceRequest that keeps `record_batch` as a view into the
 * received message instead of copying it (ts-proto's decoder copies every `bytes` field). Produce
 * is the hot path: batches go from the socket to the log without a copy of their bytes.
 *
 * Wire format (proto/tributary/broker/v1/broker.proto, unchanged):
 *   1 topic string · 2 partition int32 · 3 acks int32 · 4 timeout_ms int32 ·
 *   5 record_batch bytes · 6 records repeated Record · 7 producer_id optional int64 ·
 *   8 producer_epoch optional int32 · 9 base_sequence optional int32
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { BrokerServiceService, ProduceRequest, Record } from '@tributary/proto';

export function decodeProduceRequest(message: Buffer): ProduceRequest {
  const reader = new BinaryReader(message);
  const request: ProduceRequest = {
    topic: '',
    partition: 0,
    acks: 0,
    timeoutMs: 0,
    recordBatch: EMPTY,
    records: [],
    producerId: undefined,
    producerEpoch: undefined,
    baseSequence: undefined,
  };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    switch (tag) {
      case 10:
        request.topic = reader.string();
        break;
      case 16:
        request.partition = reader.int32();
        break;
      case 24:
        request.acks = reader.int32();
        break;
      case 32:
        request.timeoutMs = reader.int32();
        break;
      case 42: {
        const view = reader.bytes();
        request.recordBatch = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
        break;
      }
      case 50:
        request.records.push(Record.decode(reader, reader.uint32()));
        break;
      case 56:
        request.producerId = Number(reader.int64());
        break;
      case 64:
        request.producerEpoch = reader.int32();
        break;
      case 72:
        request.baseSequence = reader.int32();
        break;
      default:
        // Fields from a newer schema are skipped, as protobuf requires.
        reader.skip(tag & 7, tag >>> 3);
    }
  }
  return request;
}

const EMPTY = Buffer.alloc(0);

/** BrokerService with the zero-copy Produce decoder; everything else as generated. */
export const brokerServiceDefinition = {
  ...BrokerServiceService,
  produce: { ...BrokerServiceService.produce, requestDeserialize: decodeProduceRequest },
};
