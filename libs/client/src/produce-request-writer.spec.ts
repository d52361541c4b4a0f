import { ProduceRequest } from '@tributary/proto';
import { encodeProduceRequest } from './produce-request-writer';

describe('encodeProduceRequest', () => {
  it.each([
    { topic: 'orders', partition: 0, acks: 1, timeoutMs: 30000 },
    { topic: 'ü-topic', partition: 7, acks: -1, timeoutMs: 0 },
    { topic: 'x', partition: 2147483647, acks: 0, timeoutMs: 1 },
  ])('writes bytes ts-proto decodes to the same request ($topic, acks=$acks)', (fields) => {
    const recordBatch = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const decoded = ProduceRequest.decode(encodeProduceRequest({ ...fields, recordBatch }));
    expect(decoded).toMatchObject({ ...fields, records: [] });
    expect(Buffer.from(decoded.recordBatch)).toEqual(recordBatch);
  });

  it('writes exactly what ts-proto writes', () => {
    const request = { topic: 't', partition: 3, acks: -1, timeoutMs: 5000, recordBatch: Buffer.from('batch') };
    const expected = Buffer.from(ProduceRequest.encode(ProduceRequest.fromPartial(request)).finish());
    expect(encodeProduceRequest(request)).toEqual(expected);
  });
});
