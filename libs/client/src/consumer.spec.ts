import { isTributaryError } from '@tributary/protocol';
import type { ConsumerBatch, ConsumerRecord } from './consumer';
import { eventually, LocalBroker } from './testing/local-broker';
import { Tributary } from './tributary';

describe('Consumer against a real broker', () => {
  let broker: LocalBroker;
  let client: Tributary;
  let topicSeq = 0;

  /** A one-partition topic holding `count` records with values "0".."count-1" and timestamps 1000*(i+1). */
  const topicWith = async (count: number, batches = 1): Promise<string> => {
    const topic = `consumer-${++topicSeq}`;
    const admin = client.admin();
    await admin.createTopic({ topic, numPartitions: 1 });
    await admin.close();
    const producer = client.producer();
    const perBatch = Math.ceil(count / batches);
    for (let start = 0; start < count; start += perBatch) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + perBatch); i++) messages.push({ value: String(i), timestamp: 1000 * (i + 1) });
      await producer.send({ topic, messages });
    }
    await producer.close();
    return topic;
  };

  const take = async (consumer: ReturnType<Tributary['consumer']>, n: number): Promise<ConsumerRecord[]> => {
    const records: ConsumerRecord[] = [];
    if (n === 0) return records;
    for await (const r of consumer) {
      records.push(r);
      if (records.length === n) break;
    }
    return records;
  };
  const values = (records: ConsumerRecord[]) => records.map((r) => Number(r.value!.toString()));

  beforeAll(async () => {
    broker = await LocalBroker.start();
    client = new Tributary({ bootstrapServers: broker.bootstrap });
  });
  afterAll(() => broker.destroy());

  it('starts at the end by default (auto.offset.reset=latest) and sees only new records', async () => {
    const topic = await topicWith(5);
    const consumer = client.consumer({ maxWaitMs: 50 });
    consumer.assign([{ topic, partition: 0 }]);
    await eventually(() => consumer.position({ topic, partition: 0 }) === 5);
    const producer = client.producer();
    await producer.send({ topic, messages: [{ value: 'new' }] });
    await producer.close();
    const [record] = await take(consumer, 1);
    await consumer.close();
    expect(record).toMatchObject({ offset: 5, value: Buffer.from('new') });
  });

  it('seeks to an offset, to the beginning, to the end and by timestamp', async () => {
    const topic = await topicWith(20, 4);
    const tp = { topic, partition: 0 };
    const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50 });
    consumer.assign([tp]);
    consumer.seek({ ...tp, offset: 7 });
    expect(values(await take(consumer, 2))).toEqual([7, 8]);
    await consumer.seekToBeginning();
    expect(values(await take(consumer, 1))).toEqual([0]);
    await consumer.seekToTimestamp(12_500);
    expect(values(await take(consumer, 1))).toEqual([12]);
    await consumer.seekToEnd();
    expect(consumer.position(tp)).toBe(20);
    await consumer.seekToTimestamp(999_999);
    expect(consumer.position(tp)).toBe(20);
    await consumer.close();
  });

  it('skips records of a fetched batch that lie below the seek offset', async () => {
    const topic = await topicWith(10, 1);
    const consumer = client.consumer({ maxWaitMs: 50 });
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seek({ topic, partition: 0, offset: 6 });
    expect(values(await take(consumer, 4))).toEqual([6, 7, 8, 9]);
    await consumer.close();
  });

  it('continues after the last record handed out when a for-await loop is left mid-batch', async () => {
    const topic = await topicWith(5, 1);
    const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50 });
    consumer.assign([{ topic, partition: 0 }]);
    expect(values(await take(consumer, 2))).toEqual([0, 1]);
    expect(values(await take(consumer, 3))).toEqual([2, 3, 4]);
    await consumer.close();
  });

  it('keeps the next fetch in flight while the application holds a record', async () => {
    const topic = await topicWith(300, 30);
    // Small fetches so the topic takes many of them.
    const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50, maxPartitionBytes: 64 });
    consumer.assign([{ topic, partition: 0 }]);
    const iterator = consumer.records();
    await iterator.next();
    // Without pulling another record, fetching has gone on and records wait in the buffer.
    await eventually(() => consumer.stats().fetchesSent >= 3 && consumer.stats().bufferedRecords > 0);
    const rest: number[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      rest.push(Number(r.value.value!.toString()));
      if (rest.length === 299) break;
    }
    await consumer.close();
    expect(rest).toEqual(Array.from({ length: 299 }, (_, i) => i + 1));
  });

  it('delivers batches to run({eachBatch}) and stops when closed', async () => {
    const topic = await topicWith(50, 5);
    const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50 });
    consumer.assign([{ topic, partition: 0 }]);
    const seen: number[] = [];
    await consumer.run({
      eachBatch: async (batch: ConsumerBatch) => {
        expect(batch.highWatermark).toBe(50);
        seen.push(...values(batch.records));
        if (seen.length === 50) await consumer.close();
      },
    });
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('holds back paused partitions and resumes them', async () => {
    const topic = await topicWith(3);
    const tp = { topic, partition: 0 };
    const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50 });
    consumer.assign([tp]);
    consumer.pause([tp]);
    expect(consumer.paused()).toEqual([tp]);
    let got = 0;
    const running = consumer.run({ eachRecord: () => void got++ });
    await eventually(() => consumer.position(tp) === 0);
    expect(got).toBe(0);
    consumer.resume([tp]);
    await eventually(() => got === 3);
    await consumer.close();
    await running;
  });

  it('resets to the earliest offset on OFFSET_OUT_OF_RANGE with autoOffsetReset=earliest', async () => {
    const topic = await topicWith(3);
    const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50 });
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seek({ topic, partition: 0, offset: 1000 });
    expect(values(await take(consumer, 3))).toEqual([0, 1, 2]);
    await consumer.close();
  });

  it('fails with OFFSET_OUT_OF_RANGE when autoOffsetReset=none', async () => {
    const topic = await topicWith(3);
    const consumer = client.consumer({ autoOffsetReset: 'none', maxWaitMs: 50 });
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seek({ topic, partition: 0, offset: 1000 });
    const error = await take(consumer, 1).catch((e: unknown) => e);
    await consumer.close();
    expect(isTributaryError(error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
  });

  it('fails with UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist', async () => {
    const consumer = client.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 'no-such-topic', partition: 0 }]);
    const error = await take(consumer, 1).catch((e: unknown) => e);
    await consumer.close();
    expect(isTributaryError(error, 'UNKNOWN_TOPIC_OR_PARTITION')).toBe(true);
  });
});
