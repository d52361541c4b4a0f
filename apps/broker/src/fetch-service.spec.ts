import { ErrorCode, RecordsFormat } from '@tributary/proto';
import { decodeRecordBatches, encodeRecordBatch } from '@tributary/protocol';
import { call, rpc, startTestBroker, type TestBroker } from './testing/broker-test-client';

const batchOf = (...values: string[]) => encodeRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));

describe('Fetch', () => {
  let t: TestBroker;
  let r: ReturnType<typeof rpc>;

  beforeAll(async () => {
    t = await startTestBroker();
    r = rpc(t);
    await r.createTopic('log', 2);
    await r.produceBatch('log', 0, batchOf('a', 'b', 'c'));
    await r.produceBatch('log', 0, batchOf('d', 'e'));
  });
  afterAll(() => t.close());

  it('RAW_BATCHES returns whole stored batches, starting with the one holding fetch_offset', async () => {
    const [p] = (await r.fetch([{ topic: 'log', partition: 0, fetchOffset: 1 }], { format: RecordsFormat.RAW_BATCHES })).partitions;
    expect(p).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 5, logStartOffset: 0, records: [] });
    const batches = decodeRecordBatches(p.recordBatches);
    expect(batches.map((b) => b.header.baseOffset)).toEqual([0, 3]);
  });

  it('DECODED drops records below fetch_offset', async () => {
    const [p] = (await r.fetch([{ topic: 'log', partition: 0, fetchOffset: 1 }])).partitions;
    expect(p.recordBatches).toHaveLength(0);
    expect(p.records.map((x) => [x.offset, x.value?.toString()])).toEqual([
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
      [4, 'e'],
    ]);
  });

  it('returns at least one batch even when it is larger than max_bytes', async () => {
    const [p] = (await r.fetch([{ topic: 'log', partition: 0, fetchOffset: 0, partitionMaxBytes: 1 }], { maxBytes: 1, format: RecordsFormat.RAW_BATCHES })).partitions;
    expect(decodeRecordBatches(p.recordBatches)).toHaveLength(1);
  });

  it('a fetch at the log end with min_bytes=0 answers at once with nothing', async () => {
    const [p] = (await r.fetch([{ topic: 'log', partition: 0, fetchOffset: 5 }])).partitions;
    expect(p).toMatchObject({ errorCode: ErrorCode.NONE, records: [], highWatermark: 5 });
  });

  it('long-poll: a waiting fetch wakes when an append lands', async () => {
    const waiting = r.fetch([{ topic: 'log', partition: 1, fetchOffset: 0 }], { maxWaitMs: 60_000, minBytes: 1 });
    await r.produceBatch('log', 1, batchOf('late'));
    const [p] = (await waiting).partitions;
    expect(p.records.map((x) => x.value?.toString())).toEqual(['late']);
  });

  it('long-poll: with nothing to read it answers empty once max_wait_ms has passed', async () => {
    const [p] = (await r.fetch([{ topic: 'log', partition: 1, fetchOffset: 1 }], { maxWaitMs: 200, minBytes: 1 })).partitions;
    expect(p).toMatchObject({ errorCode: ErrorCode.NONE, records: [] });
  });

  it('an offset outside the log is OFFSET_OUT_OF_RANGE for that partition only, with the valid range', async () => {
    const response = await r.fetch([
      { topic: 'log', partition: 0, fetchOffset: 99 },
      { topic: 'log', partition: 0, fetchOffset: 4 },
    ]);
    expect(response.partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(response.partitions[0].errorMessage).toMatch(/99.*\[0, 5\)/);
    expect(response.partitions[1].records.map((x) => x.offset)).toEqual([4]);
  });

  it('an unknown partition is UNKNOWN_TOPIC_OR_PARTITION for that partition', async () => {
    const [p] = (await r.fetch([{ topic: 'log', partition: 9, fetchOffset: 0 }])).partitions;
    expect(p.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(p.errorMessage).toMatch(/partition 9 of topic log/);
  });

  describe('ListOffsets', () => {
    it('answers latest (-1), earliest (-2), max timestamp (-3) and by timestamp', async () => {
      await r.createTopic('timed', 1);
      await r.produceRecords('timed', 0, [
        { value: Buffer.from('a'), timestamp: 1000 },
        { value: Buffer.from('b'), timestamp: 3000 },
        { value: Buffer.from('c'), timestamp: 2000 },
      ]);
      const response = await call(t.data, 'listOffsets', {
        partitions: [-1, -2, -3, 1500, 9999].map((timestamp) => ({ topic: 'timed', partition: 0, timestamp })),
      });
      expect(response.partitions.map((p) => p.offset)).toEqual([3, 0, 1, 1, -1]);
      expect(response.partitions[2].timestamp).toBe(3000);
    });

    it('an unknown topic is a per-partition UNKNOWN_TOPIC_OR_PARTITION', async () => {
      const response = await call(t.data, 'listOffsets', { partitions: [{ topic: 'nope', partition: 0, timestamp: -1 }] });
      expect(response.partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });
  });

  describe('Metadata', () => {
    it('lists topics with leaders, and creates a named unknown topic only when allowed', async () => {
      const known = await call(t.data, 'metadata', { topics: ['log'], allowAutoTopicCreation: false });
      expect(known.brokers).toEqual([expect.objectContaining({ nodeId: 1, port: t.broker.port })]);
      expect(known.topics[0].partitions.map((p) => p.leaderId)).toEqual([1, 1]);

      const refused = await call(t.data, 'metadata', { topics: ['maybe'], allowAutoTopicCreation: false });
      expect(refused.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const created = await call(t.data, 'metadata', { topics: ['maybe'], allowAutoTopicCreation: true });
      expect(created.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, partitions: [expect.objectContaining({ partition: 0 })] });
    });

    it('reports an invalid topic name per topic', async () => {
      const response = await call(t.data, 'metadata', { topics: ['bad name'], allowAutoTopicCreation: true });
      expect(response.topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    });
  });
});

describe('Fetch at shutdown', () => {
  it('a long-polling fetch answers when the broker closes — its leadership moved away by the controlled shutdown — so shutdown does not wait out max_wait_ms', async () => {
    const t = await startTestBroker();
    const r = rpc(t);
    await r.createTopic('quiet', 1);
    const waiting = r.fetch([{ topic: 'quiet', partition: 0, fetchOffset: 0 }], { maxWaitMs: 600_000, minBytes: 1 });
    // Let the call reach the broker and start waiting before closing.
    await r.logEndOffset('quiet', 0);
    await t.close();
    const [p] = (await waiting).partitions;
    expect(p).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, records: [] });
  });
});

describe('Fetch of a topic deleted while it waits', () => {
  it('answers UNKNOWN_TOPIC_OR_PARTITION at once and does not auto-create the topic again', async () => {
    const t = await startTestBroker();
    const r = rpc(t);
    await r.createTopic('doomed', 1);
    const waiting = r.fetch([{ topic: 'doomed', partition: 0, fetchOffset: 0 }], { maxWaitMs: 600_000, minBytes: 1 });
    // Let the call reach the broker and start waiting before deleting.
    await r.logEndOffset('doomed', 0);
    await call(t.admin, 'deleteTopic', { name: 'doomed' });
    const [p] = (await waiting).partitions;
    const topics = await call(t.admin, 'listTopics', { includeInternal: false });
    await t.close();
    expect(p.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(JSON.stringify(topics)).not.toContain('doomed');
  });
});
