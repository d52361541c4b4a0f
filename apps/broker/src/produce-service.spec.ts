import { status } from '@grpc/grpc-js';
import { RecordsFormat, TimestampType } from '@tributary/proto';
import { BatchField, CompressionType, encodeRecordBatch, readBatchHeader } from '@tributary/protocol';
import { call, failure, rpc, startTestBroker, type TestBroker } from './testing/broker-test-client';

const value = (text: string) => ({ key: null, value: Buffer.from(text) });

describe('Produce', () => {
  let t: TestBroker;
  let r: ReturnType<typeof rpc>;

  beforeAll(async () => {
    t = await startTestBroker();
    r = rpc(t);
    await r.createTopic('events', 2);
  });
  afterAll(() => t.close());

  it('appends raw batches as received and answers the first offset of each call', async () => {
    const first = await r.produceBatch('events', 0, encodeRecordBatch([value('a'), value('b')]));
    const second = await r.produceBatch('events', 0, Buffer.concat([encodeRecordBatch([value('c')]), encodeRecordBatch([value('d')])]));
    expect([first.baseOffset, first.recordCount, second.baseOffset, second.recordCount]).toEqual([0, 2, 2, 2]);
    const fetched = await r.fetch([{ topic: 'events', partition: 0, fetchOffset: 0 }], { format: RecordsFormat.RAW_BATCHES });
    const raw = fetched.partitions[0].recordBatches;
    expect(readBatchHeader(raw).baseOffset).toBe(0);
    expect(fetched.partitions[0].highWatermark).toBe(4);
  });

  it('encodes structured records (key, value, headers, timestamp) with the topic compression', async () => {
    await r.createTopic('structured', 1, { 'compression.type': 'gzip' });
    const response = await r.produceRecords('structured', 0, [
      { key: Buffer.from('k1'), value: Buffer.from('v1'), headers: [{ key: 'h', value: Buffer.from('x') }], timestamp: 1_700_000_000_000 },
      { key: undefined, value: undefined },
    ]);
    expect(response).toMatchObject({ baseOffset: 0, recordCount: 2, logAppendTimeMs: -1 });
    const raw = (await r.fetch([{ topic: 'structured', partition: 0, fetchOffset: 0 }], { format: RecordsFormat.RAW_BATCHES })).partitions[0];
    expect(readBatchHeader(raw.recordBatches).attributes & 0x07).toBe(CompressionType.Gzip);
    const decoded = (await r.fetch([{ topic: 'structured', partition: 0, fetchOffset: 0 }])).partitions[0].records;
    expect(decoded[0]).toMatchObject({ offset: 0, timestamp: 1_700_000_000_000, timestampType: TimestampType.CREATE_TIME });
    expect(decoded[0].key?.toString()).toBe('k1');
    expect(decoded[0].headers[0].value?.toString()).toBe('x');
    expect(decoded[1]).toMatchObject({ offset: 1, key: undefined, value: undefined });
  });

  it('stamps LogAppendTime on topics with message.timestamp.type=LogAppendTime', async () => {
    await r.createTopic('stamped', 1, { 'message.timestamp.type': 'LogAppendTime' });
    const before = Date.now();
    const response = await r.produceRecords('stamped', 0, [{ value: Buffer.from('x'), timestamp: 5 }]);
    expect(response.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    const [record] = (await r.fetch([{ topic: 'stamped', partition: 0, fetchOffset: 0 }])).partitions[0].records;
    expect(record).toMatchObject({ timestamp: response.logAppendTimeMs, timestampType: TimestampType.LOG_APPEND_TIME });
  });

  it('acks=0 answers -1 and still appends', async () => {
    await r.createTopic('fire-and-forget', 1);
    expect((await r.produceBatch('fire-and-forget', 0, encodeRecordBatch([value('x')]), 0)).baseOffset).toBe(-1);
    const fetched = await r.fetch([{ topic: 'fire-and-forget', partition: 0, fetchOffset: 0 }], { maxWaitMs: 10_000, minBytes: 1 });
    expect(fetched.partitions[0].records).toHaveLength(1);
  });

  it('auto-creates an unknown topic with num.partitions', async () => {
    expect((await r.produceRecords('born-on-produce', 0, [{ value: Buffer.from('x') }])).baseOffset).toBe(0);
    expect(await r.logEndOffset('born-on-produce', 0)).toBe(1);
  });

  describe('idempotent producers', () => {
    it('answers a duplicate retry with the original offset and appends nothing', async () => {
      const { producerId, producerEpoch } = await call(t.data, 'initProducerId', {});
      const batch = encodeRecordBatch([value('once')], { producerId, producerEpoch, baseSequence: 0 });
      const next = encodeRecordBatch([value('twice')], { producerId, producerEpoch, baseSequence: 1 });
      const original = await r.produceBatch('events', 1, batch);
      await r.produceBatch('events', 1, next);
      const endBefore = await r.logEndOffset('events', 1);
      const retry = await r.produceBatch('events', 1, Buffer.from(batch));
      expect(retry.baseOffset).toBe(original.baseOffset);
      expect(await r.logEndOffset('events', 1)).toBe(endBefore);
    });

    it('rejects an out-of-order sequence with OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
      const { producerId, producerEpoch } = await call(t.data, 'initProducerId', {});
      await r.produceRecords('events', 1, [{ value: Buffer.from('0') }], { producerId, producerEpoch, baseSequence: 0 });
      const endBefore = await r.logEndOffset('events', 1);
      const error = await failure(r.produceRecords('events', 1, [{ value: Buffer.from('5') }], { producerId, producerEpoch, baseSequence: 5 }));
      expect(error).toMatchObject({ status: status.FAILED_PRECONDITION, code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      expect(await r.logEndOffset('events', 1)).toBe(endBefore);
    });

    it('InitProducerId hands out distinct ids and bumps the epoch of a known one', async () => {
      const a = await call(t.data, 'initProducerId', {});
      const b = await call(t.data, 'initProducerId', {});
      expect(b.producerId).not.toBe(a.producerId);
      const bumped = await call(t.data, 'initProducerId', a);
      expect(bumped).toEqual({ producerId: a.producerId, producerEpoch: a.producerEpoch + 1 });
    });
  });

  describe('bad input: a clear error and nothing appended', () => {
    async function expectRefused(
      produce: () => Promise<unknown>,
      expected: { status: number; code: string; named: RegExp },
      topic = 'events',
    ): Promise<void> {
      const endBefore = await r.logEndOffset(topic, 0);
      const error = await failure(produce());
      expect(error).toMatchObject({ status: expected.status, code: expected.code });
      expect(error.message.startsWith(`${expected.code}: `)).toBe(true);
      expect(error.message).toMatch(expected.named);
      expect(await r.logEndOffset(topic, 0)).toBe(endBefore);
    }

    it('a batch with a bad CRC is CORRUPT_MESSAGE', async () => {
      const batch = encodeRecordBatch([value('payload')]);
      batch[batch.length - 2] ^= 0xff;
      await expectRefused(() => r.produceBatch('events', 0, batch), { status: status.INVALID_ARGUMENT, code: 'CORRUPT_MESSAGE', named: /CRC/i });
    });

    it('a truncated batch is CORRUPT_MESSAGE, even after a good one in the same call', async () => {
      const good = encodeRecordBatch([value('good')]);
      const cut = encodeRecordBatch([value('cut short')]).subarray(0, 40);
      await expectRefused(() => r.produceBatch('events', 0, Buffer.concat([good, cut])), {
        status: status.INVALID_ARGUMENT,
        code: 'CORRUPT_MESSAGE',
        named: /bytes|short|truncat/i,
      });
    });

    it('a batch with a bad magic byte is CORRUPT_MESSAGE', async () => {
      const batch = encodeRecordBatch([value('x')]);
      batch[BatchField.magic] = 1;
      await expectRefused(() => r.produceBatch('events', 0, batch), { status: status.INVALID_ARGUMENT, code: 'CORRUPT_MESSAGE', named: /magic/i });
    });

    it('a batch over max.message.bytes is RECORD_TOO_LARGE', async () => {
      await r.createTopic('small', 1, { 'max.message.bytes': '1024' });
      const big = encodeRecordBatch([value('x'.repeat(2000))]);
      await expectRefused(
        () => r.produceBatch('small', 0, big),
        { status: status.INVALID_ARGUMENT, code: 'RECORD_TOO_LARGE', named: /max\.message\.bytes=1024/ },
        'small',
      );
      await expectRefused(
        () => r.produceRecords('small', 0, [{ value: Buffer.alloc(2000, 1) }]),
        { status: status.INVALID_ARGUMENT, code: 'RECORD_TOO_LARGE', named: /max\.message\.bytes/ },
        'small',
      );
    });

    it('a partition the topic lacks is UNKNOWN_TOPIC_OR_PARTITION', async () => {
      const error = await failure(r.produceRecords('events', 7, [{ value: Buffer.from('x') }]));
      expect(error).toMatchObject({ status: status.NOT_FOUND, code: 'UNKNOWN_TOPIC_OR_PARTITION' });
      expect(error.message).toMatch(/partition 7 of topic events/);
    });

    it('acks other than 0, 1, -1 is INVALID_REQUIRED_ACKS', async () => {
      await expectRefused(() => r.produceBatch('events', 0, encodeRecordBatch([value('x')]), 2), {
        status: status.INVALID_ARGUMENT,
        code: 'INVALID_REQUIRED_ACKS',
        named: /acks=2/,
      });
    });

    it('a call with no records is INVALID_REQUEST', async () => {
      await expectRefused(() => r.produceBatch('events', 0, Buffer.alloc(0)), {
        status: status.INVALID_ARGUMENT,
        code: 'INVALID_REQUEST',
        named: /record_batch/,
      });
    });
  });
});

describe('Produce with auto.create.topics.enable=false', () => {
  let t: TestBroker;
  beforeAll(async () => {
    t = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  });
  afterAll(() => t.close());

  it('an unknown topic is UNKNOWN_TOPIC_OR_PARTITION and is not created', async () => {
    const r = rpc(t);
    const error = await failure(r.produceRecords('ghost', 0, [{ value: Buffer.from('x') }]));
    expect(error).toMatchObject({ status: status.NOT_FOUND, code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(error.message).toMatch(/ghost.*auto\.create\.topics\.enable/);
    const fetched = await r.fetch([{ topic: 'ghost', partition: 0, fetchOffset: 0 }]);
    expect(fetched.partitions[0].errorCode).toBe(3);
  });
});
