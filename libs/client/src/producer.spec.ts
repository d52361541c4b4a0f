import { murmur2, toPositive, isTributaryError } from '@tributary/protocol';
import type { ConsumerRecord } from './consumer';
import type { CompressionName } from './producer';
import { LocalBroker } from './testing/local-broker';
import { Tributary } from './tributary';

describe('Producer against a real broker', () => {
  let broker: LocalBroker;
  let client: Tributary;
  let topicSeq = 0;
  const newTopic = async (partitions: number, configs: Record<string, string> = {}) => {
    const topic = `producer-${++topicSeq}`;
    const admin = client.admin();
    await admin.createTopic({ topic, numPartitions: partitions, configs });
    await admin.close();
    return topic;
  };

  /** Reads `count` records from the start of every partition of `topic`. */
  const readAll = async (topic: string, partitions: number, count: number): Promise<ConsumerRecord[]> => {
    const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50 });
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    const records: ConsumerRecord[] = [];
    if (count > 0) {
      for await (const record of consumer) {
        records.push(record);
        if (records.length === count) break;
      }
    }
    await consumer.close();
    return records;
  };

  beforeAll(async () => {
    broker = await LocalBroker.start();
    client = new Tributary({ bootstrapServers: broker.bootstrap });
  });
  afterAll(() => broker.destroy());

  it('round-trips keys, values, headers, nulls and timestamps', async () => {
    const topic = await newTopic(1);
    const producer = client.producer();
    const sent = await producer.send({
      topic,
      messages: [
        { key: 'k1', value: 'v1', headers: { trace: 'abc', empty: null }, timestamp: 1_700_000_000_000 },
        { key: null, value: Buffer.from([0, 1, 2]) },
        { key: Buffer.alloc(0), value: null, headers: [{ key: 'dup', value: 'a' }, { key: 'dup', value: 'b' }] },
      ],
    });
    await producer.close();
    expect(sent.map((m) => m.offset)).toEqual([0, 1, 2]);
    const [a, b, c] = await readAll(topic, 1, 3);
    expect(a).toMatchObject({ offset: 0, timestamp: 1_700_000_000_000, key: Buffer.from('k1'), value: Buffer.from('v1') });
    expect(a.headers).toEqual([{ key: 'trace', value: Buffer.from('abc') }, { key: 'empty', value: null }]);
    expect(b).toMatchObject({ key: null, value: Buffer.from([0, 1, 2]), headers: [] });
    expect(c.key).toEqual(Buffer.alloc(0));
    expect(c.value).toBeNull();
    expect(c.headers.map((h) => h.value?.toString())).toEqual(['a', 'b']);
  });

  it('sends keyed records to murmur2 partitions and keeps each partition in send order', async () => {
    const topic = await newTopic(4);
    const producer = client.producer({ lingerMs: 1, batchSize: 2048 });
    await producer.connect();
    const acks = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => producer.sendRecord({ topic, key: `key-${i % 50}`, value: String(i) })),
    );
    await producer.close();
    acks.forEach((meta, i) => expect(meta.partition).toBe(toPositive(murmur2(Buffer.from(`key-${i % 50}`))) % 4));
    const records = await readAll(topic, 4, 2000);
    const lastByKey = new Map<string, number>();
    for (const r of records) {
      const key = r.key!.toString();
      const value = Number(r.value!.toString());
      expect(value).toBeGreaterThan(lastByKey.get(key) ?? -1);
      lastByKey.set(key, value);
    }
    expect(records).toHaveLength(2000);
  });

  it('sticks null-key records to a partition per batch rather than spreading single records', async () => {
    const topic = await newTopic(3);
    const producer = client.producer({ lingerMs: 50 });
    const sent = await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: String(i) })) });
    await producer.close();
    expect(new Set(sent.map((m) => m.partition)).size).toBe(1);
  });

  it.each<CompressionName>(['gzip', 'snappy', 'lz4', 'zstd'])('round-trips %s-compressed batches', async (compression) => {
    const topic = await newTopic(1);
    const producer = client.producer({ compression });
    const values = Array.from({ length: 500 }, (_, i) => `value ${i} `.repeat(10));
    await producer.send({ topic, messages: values.map((value, i) => ({ key: String(i), value })) });
    await producer.close();
    expect((await readAll(topic, 1, 500)).map((r) => r.value!.toString())).toEqual(values);
  });

  it('a backlog of small batches goes several to a Produce call, and every record learns its own offset', async () => {
    const topic = await newTopic(1);
    // One call in flight and ~3 records per batch: batches closed meanwhile wait, then go together.
    const producer = client.producer({ acks: 1, batchSize: 300, lingerMs: 0, maxInFlightPerPartition: 1 });
    await producer.connect();
    const offsets: number[] = [];
    const done = Array.from(
      { length: 3000 },
      (_, i) =>
        new Promise<void>((resolve, reject) =>
          producer.produce({ topic, value: `v${i}` }, (error, metadata) => {
            if (error) return reject(error);
            offsets[i] = metadata!.offset;
            resolve();
          }),
        ),
    );
    await Promise.all(done);
    await producer.close();
    expect(offsets).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    const records = await readAll(topic, 1, 3000);
    expect(records.map((r) => r.value!.toString())).toEqual(Array.from({ length: 3000 }, (_, i) => `v${i}`));
  });

  it('refuses option sets Kafka refuses: idempotence with acks=1 or with retries=0', () => {
    expect(() => client.producer({ idempotent: true, acks: 1 })).toThrow(/idempotence needs acks=all/);
    expect(() => client.producer({ idempotent: true, retries: 0 })).toThrow(/idempotence needs retries > 0/);
  });

  it('answers acks=0 sends without offsets', async () => {
    const topic = await newTopic(1);
    const producer = client.producer({ acks: 0 });
    const [meta] = await producer.send({ topic, messages: [{ value: 'x' }] });
    await producer.close();
    expect(meta.offset).toBe(-1);
    expect(await readAll(topic, 1, 1)).toHaveLength(1);
  });

  it('fails a record over max.message.bytes with RECORD_TOO_LARGE and appends nothing', async () => {
    const topic = await newTopic(1, { 'max.message.bytes': '1000' });
    const producer = client.producer({ retries: 0 });
    const error = await producer.send({ topic, messages: [{ value: Buffer.alloc(5000) }] }).catch((e: unknown) => e);
    await producer.close();
    expect(isTributaryError(error, 'RECORD_TOO_LARGE')).toBe(true);
  });

  it('caps a batch at maxRequestBytes when batchSize is larger, so a 4 MiB batch.size still lands under the default max.message.bytes', async () => {
    const topic = await newTopic(1);
    const producer = client.producer({ batchSize: 4 * 1024 * 1024, lingerMs: 1000, retries: 0 });
    await producer.connect();
    const sent = Array.from({ length: 3000 }, (_, i) => producer.sendRecord({ topic, value: Buffer.alloc(1000, i % 256) }));
    await new Promise(setImmediate); // every sendRecord has handed its record to the producer
    await producer.flush();
    const offsets = (await Promise.all(sent)).map((m) => m.offset);
    await producer.close();
    expect(offsets).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('fails alone a record larger than maxRequestBytes, and sends the records around it', async () => {
    const topic = await newTopic(1);
    const producer = client.producer({ maxRequestBytes: 10_000, retries: 0 });
    await producer.connect();
    const before = producer.sendRecord({ topic, value: 'before' });
    const tooBig = producer.sendRecord({ topic, value: Buffer.alloc(20_000) }).catch((e: unknown) => e);
    const after = producer.sendRecord({ topic, value: 'after' });
    const error = await tooBig;
    expect(isTributaryError(error, 'RECORD_TOO_LARGE')).toBe(true);
    expect((error as Error).message).toMatch(/20\d{3} bytes.*maxRequestBytes=10000/);
    expect([(await before).offset, (await after).offset]).toEqual([0, 1]);
    await producer.close();
  });

  it('counts header bytes toward a record\'s size, so one carried over maxRequestBytes by its headers fails alone', async () => {
    const topic = await newTopic(1);
    const producer = client.producer({ maxRequestBytes: 10_000, retries: 0 });
    await producer.connect();
    const heavyHeaders = { trace: Buffer.alloc(6_000), span: Buffer.alloc(6_000) };
    const error = await producer.sendRecord({ topic, value: 'small', headers: heavyHeaders }).catch((e: unknown) => e);
    expect(isTributaryError(error, 'RECORD_TOO_LARGE')).toBe(true);
    expect((error as Error).message).toMatch(/key, value, headers and batch framing/);
    expect((await producer.sendRecord({ topic, value: 'after' })).offset).toBe(0);
    await producer.close();
  });

  it.each([true, false])('splits a batch the broker refuses as too large for the topic (idempotent: %s) and keeps the order', async (idempotent) => {
    const topic = await newTopic(1, { 'max.message.bytes': '2000' });
    const producer = client.producer({ batchSize: 64 * 1024, lingerMs: 1000, idempotent, acks: idempotent ? 'all' : 1, retries: 3 });
    await producer.connect();
    const sent = Array.from({ length: 100 }, (_, i) => producer.sendRecord({ topic, value: `${i}:${'x'.repeat(300)}` }));
    await new Promise(setImmediate); // every sendRecord has handed its record to the producer
    await producer.flush();
    const offsets = (await Promise.all(sent)).map((m) => m.offset);
    await producer.close();
    expect(offsets).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const records = await readAll(topic, 1, 100);
    expect(records.map((r) => Number(r.value!.toString().split(':')[0]))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('retries through a broker restart without losing, duplicating or reordering records', async () => {
    const topic = await newTopic(2);
    const producer = client.producer({ lingerMs: 1, batchSize: 1024, retryBackoffMs: 20 });
    await producer.connect();
    const first = Array.from({ length: 500 }, (_, i) => producer.sendRecord({ topic, key: `k${i % 10}`, value: String(i) }));
    await Promise.all(first);
    const stopped = broker.restart();
    const second = Array.from({ length: 500 }, (_, i) => producer.sendRecord({ topic, key: `k${i % 10}`, value: String(500 + i) }));
    await stopped;
    await Promise.all(second);
    await producer.close();
    const records = await readAll(topic, 2, 1000);
    const byKey = new Map<string, number[]>();
    for (const r of records) byKey.set(r.key!.toString(), [...(byKey.get(r.key!.toString()) ?? []), Number(r.value!.toString())]);
    for (const [key, values] of byKey) {
      const k = Number(key.slice(1));
      expect(values).toEqual(Array.from({ length: 100 }, (_, i) => k + 10 * i));
    }
  });
});
