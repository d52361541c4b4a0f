import { isTributaryError } from '@tributary/protocol';
import type { TopicPartition } from './cluster';
import type { Consumer, ConsumerOptions, ConsumerRecord } from './consumer';
import type { SubscribeOptions } from './group-subscription';
import { eventually, LocalBroker } from './testing/local-broker';
import { Tributary } from './tributary';

// Groups settle in a few heartbeats; a short interval keeps the tests quick. No auto-creation:
// this broker's Fetch creates a topic it does not know, so a member still fetching a topic just
// deleted would bring it back.
const BROKER_CONFIG = { 'group.consumer.heartbeat.interval.ms': '100', 'offsets.topic.num.partitions': '5', 'auto.create.topics.enable': 'false' };
const SETTLED_MS = 30_000;
jest.setTimeout(120_000);

type OwnershipEvent = { member: string; kind: 'assigned' | 'revoked' | 'lost'; partitions: TopicPartition[] };

/** A group member consuming in the background, logging its callbacks to a log shared by the test. */
class Member {
  readonly consumer: Consumer;
  readonly records: ConsumerRecord[] = [];
  readonly owned = new Set<string>();
  private readonly running: Promise<void>;

  constructor(
    client: Tributary,
    readonly name: string,
    private readonly log: OwnershipEvent[],
    subscription: SubscribeOptions,
    options: ConsumerOptions = {},
  ) {
    this.consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50, ...options });
    this.consumer.subscribe({
      ...subscription,
      onPartitionsAssigned: (partitions) => this.note('assigned', partitions),
      onPartitionsRevoked: (partitions) => this.note('revoked', partitions),
      onPartitionsLost: (partitions) => this.note('lost', partitions),
    });
    this.running = this.consumer.run({ eachRecord: (record) => void this.records.push(record) });
  }

  get events(): OwnershipEvent[] {
    return this.log.filter((e) => e.member === this.name);
  }

  ownedPartitions(): string[] {
    return [...this.owned].sort();
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.running;
  }

  private note(kind: OwnershipEvent['kind'], partitions: TopicPartition[]): void {
    this.log.push({ member: this.name, kind, partitions });
    for (const tp of partitions) {
      if (kind === 'assigned') this.owned.add(key(tp));
      else this.owned.delete(key(tp));
    }
  }
}

function key(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Replays the log: a partition is assigned only while no member owns it, and revoked only by its owner. */
function checkOneOwnerAtATime(log: OwnershipEvent[]): Map<string, string> {
  const owner = new Map<string, string>();
  for (const [i, event] of log.entries()) {
    for (const tp of event.partitions) {
      const k = key(tp);
      if (event.kind === 'assigned') {
        if (owner.has(k)) throw new Error(`event ${i}: ${event.member} was given ${k} while ${owner.get(k)} owned it`);
        owner.set(k, event.member);
      } else {
        if (owner.get(k) !== event.member) throw new Error(`event ${i}: ${event.member} gave up ${k}, owned by ${owner.get(k) ?? 'nobody'}`);
        owner.delete(k);
      }
    }
  }
  return owner;
}

describe('Consumer groups against a real broker', () => {
  let broker: LocalBroker;
  let client: Tributary;
  let seq = 0;
  const unique = (prefix: string) => `${prefix}-${++seq}`;

  const createTopic = async (topic: string, numPartitions: number) => {
    const admin = client.admin();
    await admin.createTopic({ topic, numPartitions });
    await admin.close();
  };

  /** `perPartition` records on each partition, valued "<partition>:<i>" from `from`. */
  const produce = async (topic: string, partitions: number, perPartition: number, from = 0): Promise<string[]> => {
    const producer = client.producer({ lingerMs: 0 });
    const messages = [];
    for (let p = 0; p < partitions; p++) for (let i = from; i < from + perPartition; i++) messages.push({ partition: p, value: `${p}:${i}` });
    await producer.send({ topic, messages });
    await producer.close();
    return messages.map((m) => m.value);
  };

  const values = (records: ConsumerRecord[]) => records.map((r) => r.value?.toString() ?? '');

  const take = async (consumer: Consumer, n: number): Promise<ConsumerRecord[]> => {
    const records: ConsumerRecord[] = [];
    for await (const record of consumer) {
      records.push(record);
      if (records.length === n) break;
    }
    return records;
  };

  beforeAll(async () => {
    broker = await LocalBroker.start(BROKER_CONFIG);
    client = new Tributary({ bootstrapServers: broker.bootstrap });
  });
  afterAll(() => broker.destroy());

  it('shares 6 partitions among 3 members that join and leave: every record consumed, each partition owned by one member at a time', async () => {
    const topic = unique('shared');
    const groupId = unique('g-shared');
    await createTopic(topic, 6);
    const log: OwnershipEvent[] = [];
    const produced = await produce(topic, 6, 20, 0);
    const a = new Member(client, 'a', log, { groupId, topics: [topic] });
    await eventually(() => a.owned.size === 6, SETTLED_MS);
    produced.push(...(await produce(topic, 6, 20, 20)));
    const b = new Member(client, 'b', log, { groupId, topics: [topic] });
    await eventually(() => a.owned.size === 3 && b.owned.size === 3, SETTLED_MS);
    produced.push(...(await produce(topic, 6, 20, 40)));
    const c = new Member(client, 'c', log, { groupId, topics: [topic] });
    await eventually(() => a.owned.size === 2 && b.owned.size === 2 && c.owned.size === 2, SETTLED_MS);
    produced.push(...(await produce(topic, 6, 20, 60)));
    await b.close();
    await eventually(() => a.owned.size === 3 && c.owned.size === 3, SETTLED_MS);
    produced.push(...(await produce(topic, 6, 20, 80)));

    const consumed = () => new Set([...a.records, ...b.records, ...c.records].map((r) => r.value?.toString()));
    await eventually(() => produced.every((v) => consumed().has(v)), SETTLED_MS);
    await Promise.all([a.close(), c.close()]);

    expect(checkOneOwnerAtATime(log).size).toBe(0);
    expect(b.events.map((e) => e.kind)).toEqual(['assigned', 'revoked', 'revoked']);
    // Every member reads each partition in order, and gets none of another member's records twice after its commit.
    for (const m of [a, b, c]) {
      const byPartition = new Map<number, number[]>();
      for (const r of m.records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.offset]);
      for (const offsets of byPartition.values()) expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    }
    const admin = client.admin();
    const committed = await admin.groupLag(groupId);
    await admin.close();
    expect(committed.map((p) => [p.partition, p.committedOffset, p.lag]).sort()).toEqual([0, 1, 2, 3, 4, 5].map((p) => [p, 100, 0]));
  });

  it('commits what was consumed, so a consumer of the same group resumes there (auto-commit on close, and commitSync)', async () => {
    const topic = unique('resume');
    await createTopic(topic, 1);
    await produce(topic, 1, 20);
    const groupId = unique('g-resume');
    const first = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50 });
    first.subscribe({ groupId, topics: [topic] });
    expect(values(await take(first, 8))).toEqual(Array.from({ length: 8 }, (_, i) => `0:${i}`));
    await first.close();

    const manual = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50, autoCommit: false });
    manual.subscribe({ groupId, topics: [topic] });
    expect((await take(manual, 4)).map((r) => r.offset)).toEqual([8, 9, 10, 11]);
    await manual.commitSync();
    expect(await manual.committed([{ topic, partition: 0 }])).toEqual([12]);
    await take(manual, 2); // read, never committed
    await manual.close();

    const third = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50 });
    third.subscribe({ groupId, topics: [topic] });
    expect((await take(third, 8)).map((r) => r.offset)).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    await third.close();
    const admin = client.admin();
    expect(await admin.fetchOffsets(groupId)).toEqual([expect.objectContaining({ topic, partition: 0, offset: 20 })]);
    await admin.close();
  });

  it('loses its partitions when it takes longer than rebalanceTimeoutMs to give one up, then joins again', async () => {
    const topic = unique('slow');
    await createTopic(topic, 2);
    const groupId = unique('g-slow');
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const events: string[] = [];
    const slow = client.consumer({ maxWaitMs: 50, rebalanceTimeoutMs: 500 });
    slow.subscribe({
      groupId,
      topics: [topic],
      onPartitionsAssigned: (p) => void events.push(`assigned ${p.length}`),
      onPartitionsRevoked: async (p) => {
        events.push(`revoked ${p.length}`);
        await stuck;
      },
      onPartitionsLost: (p) => void events.push(`lost ${p.length}`),
    });
    await eventually(() => events.length === 1, SETTLED_MS);
    const log: OwnershipEvent[] = [];
    const other = new Member(client, 'other', log, { groupId, topics: [topic] });
    // The coordinator removes the slow member once its revocation is overdue: the other gets
    // everything, and the slow member's next heartbeat hears it is unknown (its epoch drops to 0).
    await eventually(() => other.owned.size === 2 && slow.groupMetadata()?.memberEpoch === 0, SETTLED_MS);
    release();
    await eventually(() => other.owned.size === 1 && events[events.length - 1] === 'assigned 1', SETTLED_MS);
    expect(events).toEqual(['assigned 2', 'revoked 1', 'lost 2', 'assigned 1']);
    await Promise.all([slow.close(), other.close()]);
  });

  it('goes on through a broker restart: the group and its committed offsets survive', async () => {
    const topic = unique('restart');
    await createTopic(topic, 1);
    await produce(topic, 1, 10);
    const groupId = unique('g-restart');
    const log: OwnershipEvent[] = [];
    const m = new Member(client, 'm', log, { groupId, topics: [topic] });
    await eventually(() => m.records.length === 10, SETTLED_MS);
    await m.consumer.commitSync();
    await broker.restart();
    await produce(topic, 1, 5, 10);
    await eventually(() => m.records.length === 15, SETTLED_MS);
    expect(m.consumer.groupMetadata()?.memberEpoch).toBeGreaterThan(0);
    await m.close();
    expect(values(m.records)).toEqual(Array.from({ length: 15 }, (_, i) => `0:${i}`));
    expect(m.events.map((e) => e.kind)).toEqual(['assigned', 'revoked']);
    const admin = client.admin();
    expect((await admin.fetchOffsets(groupId)).map((o) => o.offset)).toEqual([15]);
    expect((await admin.describeGroups([groupId]))[0].state).toBe('EMPTY');
    await admin.close();
  });

  it('lets a revoked callback commit by hand (auto-commit off) before the partition moves to another member', async () => {
    const topic = unique('manual');
    await createTopic(topic, 2);
    await produce(topic, 2, 5);
    const groupId = unique('g-manual');
    const a = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50, autoCommit: false });
    const revokedFromA: TopicPartition[] = [];
    a.subscribe({
      groupId,
      topics: [topic],
      onPartitionsRevoked: async (partitions) => {
        revokedFromA.push(...partitions);
        await a.commitSync(); // positions of everything a owns, the revoked partition among them
      },
    });
    let consumedByA = 0;
    const running = a.run({ eachRecord: () => void consumedByA++ });
    await eventually(() => consumedByA === 10, SETTLED_MS);

    const b = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50, autoCommit: false });
    const startOfB: (number | null)[] = [];
    b.subscribe({ groupId, topics: [topic], onPartitionsAssigned: async (partitions) => void startOfB.push(...(await b.committed(partitions))) });
    await eventually(() => startOfB.length === 1, SETTLED_MS);
    expect(revokedFromA).toHaveLength(1);
    expect(startOfB).toEqual([5]);
    await Promise.all([a.close(), b.close(), running]);
  });

  it('gives a static member that comes back within the session its partitions again, without a rebalance', async () => {
    const topic = unique('static');
    await createTopic(topic, 4);
    const groupId = unique('g-static');
    const log: OwnershipEvent[] = [];
    const a = new Member(client, 'a', log, { groupId, topics: [topic], groupInstanceId: 'instance-a' });
    const b = new Member(client, 'b', log, { groupId, topics: [topic], groupInstanceId: 'instance-b' });
    await eventually(() => a.owned.size === 2 && b.owned.size === 2, SETTLED_MS);
    const admin = client.admin();
    const [before] = await admin.describeGroups([groupId]);
    const aPartitions = a.ownedPartitions();
    const bEvents = b.events.length;

    await a.close(); // leaves with epoch -2: its place is kept
    const a2 = new Member(client, 'a2', log, { groupId, topics: [topic], groupInstanceId: 'instance-a' });
    await eventually(() => a2.owned.size === 2, SETTLED_MS);
    const [after] = await admin.describeGroups([groupId]);
    expect(a2.ownedPartitions()).toEqual(aPartitions);
    expect(b.events.length).toBe(bEvents);
    expect(after.groupEpoch).toBe(before.groupEpoch);
    expect(after.members.map((m) => m.instanceId).sort()).toEqual(['instance-a', 'instance-b']);
    await Promise.all([a2.close(), b.close()]);
    await admin.close();
    checkOneOwnerAtATime(log);
  });

  it('picks up a topic created later that the subscription pattern matches', async () => {
    const prefix = unique('regex');
    await createTopic(`${prefix}-a`, 2);
    const log: OwnershipEvent[] = [];
    const m = new Member(client, 'm', log, { groupId: unique('g-regex'), pattern: new RegExp(`${prefix}-.*`) });
    await eventually(() => m.owned.size === 2, SETTLED_MS);
    await createTopic(`${prefix}-b`, 1);
    await eventually(() => m.owned.has(`${prefix}-b-0`), SETTLED_MS);
    await produce(`${prefix}-b`, 1, 3);
    await eventually(() => m.records.length === 3, SETTLED_MS);
    await m.close();
    expect(values(m.records)).toEqual(['0:0', '0:1', '0:2']);
  });

  it('picks up partitions added to a subscribed topic', async () => {
    const topic = unique('grow');
    await createTopic(topic, 1);
    const m = new Member(client, 'm', [], { groupId: unique('g-grow'), topics: [topic] });
    await eventually(() => m.owned.size === 1, SETTLED_MS);
    const admin = client.admin();
    await admin.createPartitions({ topic, totalCount: 3 });
    await admin.close();
    await eventually(() => m.owned.size === 3, SETTLED_MS);
    await produce(topic, 3, 1);
    await eventually(() => m.records.length === 3, SETTLED_MS);
    await m.close();
  });

  it('goes on with the other topics when a subscribed topic is deleted', async () => {
    const [kept, deleted] = [unique('kept'), unique('deleted')];
    await createTopic(kept, 1);
    await createTopic(deleted, 1);
    const m = new Member(client, 'm', [], { groupId: unique('g-deleted'), topics: [kept, deleted] });
    await eventually(() => m.owned.size === 2, SETTLED_MS);
    const admin = client.admin();
    await admin.deleteTopic(deleted);
    await admin.close();
    await eventually(() => m.ownedPartitions().join() === `${kept}-0`, SETTLED_MS);
    await produce(kept, 1, 2);
    await eventually(() => m.records.length === 2, SETTLED_MS);
    await m.close();
  });

  it('fails clearly with autoOffsetReset none and no committed offset', async () => {
    const topic = unique('none');
    await createTopic(topic, 1);
    await produce(topic, 1, 3);
    const groupId = unique('g-none');
    const consumer = client.consumer({ autoOffsetReset: 'none', maxWaitMs: 50 });
    consumer.subscribe({ groupId, topics: [topic] });
    const error = await take(consumer, 1).catch((e: unknown) => e);
    await consumer.close();
    expect(isTributaryError(error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
    expect((error as Error).message).toBe(
      `${topic}-0 has no committed offset in group ${groupId} and autoOffsetReset (auto.offset.reset) is none; commit one (tributary groups --reset-offsets) or use earliest or latest`,
    );
  });

  it('refuses bad subscriptions and calls that need a group', async () => {
    const consumer = client.consumer();
    expect(() => consumer.subscribe({ topics: ['t'] })).toThrow(/needs a groupId/);
    expect(() => consumer.subscribe({ groupId: 'g', topics: ['t'], pattern: 't.*' })).toThrow(/exactly one of topics/);
    expect(() => consumer.subscribe({ groupId: 'g', pattern: /t/i })).toThrow(/no regex flags/);
    await expect(consumer.commitSync()).rejects.toThrow(/commitSync\(\) needs a consumer group/);
    consumer.assign([{ topic: 't', partition: 0 }]);
    expect(() => consumer.subscribe({ groupId: 'g', topics: ['t'] })).toThrow(/mutually exclusive/);
    await consumer.close();

    const invalid = client.consumer();
    invalid.subscribe({ groupId: unique('g-invalid'), pattern: '(a' });
    const error = await take(invalid, 1).catch((e: unknown) => e);
    await invalid.close();
    expect(isTributaryError(error)).toBe(true);
    expect((error as Error).message).toMatch(/\(a/);
  });

  it('admin: lists, describes and deletes groups; tools commit only to an empty group', async () => {
    const topic = unique('admin');
    await createTopic(topic, 2);
    await produce(topic, 2, 4);
    const groupId = unique('g-admin');
    const log: OwnershipEvent[] = [];
    const m = new Member(client, 'm', log, { groupId, topics: [topic], clientId: 'admin-test' });
    await eventually(() => m.records.length === 8, SETTLED_MS);
    const admin = client.admin();
    expect(await admin.listGroups()).toContainEqual({ groupId, state: 'STABLE' });
    const [description] = await admin.describeGroups([groupId]);
    expect(description).toMatchObject({ groupId, state: 'STABLE', assignor: 'uniform', members: [expect.objectContaining({ clientId: 'admin-test', subscribedTopicNames: [topic] })] });
    expect(description.members[0].memberId).toBe(m.consumer.groupMetadata()?.memberId);
    expect((await admin.findCoordinator(groupId)).port).toBe(broker.port);

    const refusedDelete = await admin.deleteGroups([groupId]).catch((e: unknown) => e);
    expect(isTributaryError(refusedDelete, 'NON_EMPTY_GROUP')).toBe(true);
    const refusedCommit = await admin.alterOffsets(groupId, [{ topic, partition: 0, offset: 0 }]).catch((e: unknown) => e);
    expect(isTributaryError(refusedCommit, 'UNKNOWN_MEMBER_ID')).toBe(true);

    await m.close();
    expect(await admin.listGroups({ states: ['EMPTY'] })).toContainEqual({ groupId, state: 'EMPTY' });
    await admin.alterOffsets(groupId, [{ topic, partition: 0, offset: 1 }]);
    expect((await admin.groupLag(groupId)).map((p) => [p.partition, p.committedOffset, p.logEndOffset, p.lag])).toEqual([
      [0, 1, 4, 3],
      [1, 4, 4, 0],
    ]);
    await admin.deleteGroups([groupId]);
    const gone = await admin.describeGroups([groupId]).catch((e: unknown) => e);
    expect(isTributaryError(gone, 'GROUP_ID_NOT_FOUND')).toBe(true);
    expect((await admin.listGroups()).map((g) => g.groupId)).not.toContain(groupId);
    await admin.close();
  });
});
