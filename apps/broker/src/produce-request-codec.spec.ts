import { ProduceRequest } from '@tributary/proto';
import { decodeProduceRequest } from './produce-request-codec';

describe('decodeProduceRequest', () => {
  const request: ProduceRequest = {
    topic: 'orders',
    partition: 3,
    acks: -1,
    timeoutMs: 1500,
    recordBatch: Buffer.from('raw batch bytes'),
    records: [{ key: Buffer.from('k'), value: undefined, headers: [{ key: 'h', value: Buffer.from('v') }], timestamp: 7, offset: 0, timestampType: 0 }],
    producerId: 2 ** 40,
    producerEpoch: 4,
    baseSequence: 99,
  };

  it('decodes every field as the generated decoder does', () => {
    const wire = Buffer.from(ProduceRequest.encode(request).finish());
    expect(decodeProduceRequest(wire)).toEqual(ProduceRequest.decode(wire));
  });

  it('keeps record_batch as a view into the received message, not a copy', () => {
    const wire = Buffer.from(ProduceRequest.encode({ ...request, records: [] }).finish());
    const decoded = decodeProduceRequest(wire);
    expect(decoded.recordBatch.buffer).toBe(wire.buffer);
    expect(decoded.recordBatch.toString()).toBe('raw batch bytes');
  });

  it('skips fields it does not know (a newer schema)', () => {
    const unknownField = Buffer.from([0xa2, 0x06, 0x02, 0x68, 0x69]); // field 100, length-delimited "hi"
    const wire = Buffer.concat([Buffer.from(ProduceRequest.encode(request).finish()), unknownField]);
    expect(decodeProduceRequest(wire).topic).toBe('orders');
  });
});
