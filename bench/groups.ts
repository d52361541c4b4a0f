/**
 * Consumer groups (KIP-848) through @tributary/client against one broker process. In one run:
 *
 *   1. consume throughput of one group of 1, 2 and 4 members over a pre-filled topic (8
 *      partitions; the records are produced first with acks=1, unmeasured): from the first record
 *      handed to a member to the last, every record counted exactly once;
 *   2. rebalance settle times while 2 members consume a light stream: a third member's
 *      subscribe() to a settled assignment, its close() to settled, and its SIGKILL (it runs in a
 *      child process, bench/group-member.ts) to settled; each repeated, min/median/max.
 *
 * "Settled": as the members see it (consumer.assignment(), which the rebalance callbacks move),
 * every partition is owned by exactly one member and the counts are balanced, as the uniform
 * assignor makes them; the time is when the last member got its final partitions. The time
 * until the coordinator's DescribeGroups says STABLE is shown beside it.
 *
 * The members of a group live in this process. On 2 cores the broker process keeps one core
 * busy; members in processes of their own would share the other one all the same, so the
 * figures would not scale any better, and one process can count every delivery exactly and
 * cheaply. The 1/2/4 figures therefore show what splitting a topic among members costs one Node
 * process, not scale-out across machines.
 *
 *   npm run bench:groups [-- --records 3000000 --rebalances 3 --deaths 3]
 *   npm run bench:groups -- --config group.consumer.heartbeat.interval.ms=5000 --config group.consumer.session.timeout.ms=45000
 */
import { Tributary, type Admin, type Consumer, type ConsumerBatch, type Producer, type TopicPartition } from '@tributary/client';
import { BROKER_CONFIG_DEFS_BY_NAME } from '@tributary/metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { parseBenchOptions } from './bench-options';
import { configEntry } from './config-entry';
import { formatTable } from './format-table';
import type { MemberReport } from './group-member';
import { makePayload } from './payload';
import { positiveInteger } from './positive-integer';
import { describeMachine, gitRevision } from './run-environment';
import { ServerProcess, stopServersOnSignals } from './server-process';
import type { ThroughputResult } from './streams-system';
import { count, mibPerSec, ms, progress, recordsPerSec, spreadRow, WARM_UP_FRACTION } from './throughput-figures';
import { startTributaryServer } from './tributary-server';
import { waitFor } from './wait-for';

interface Options {
  records: number;
  size: number;
  partitions: number;
  members: number[];
  rebalances: number;
  deaths: number;
  rate: number;
  config: Record<string, string>;
}

/**
 * Kafka's defaults (heartbeat 5000 ms, session 45000 ms) would make a join take up to 10 s and
 * a death 45 s, a run of many minutes for figures of the same shape; --config puts them back.
 */
const GROUP_CONFIG: Record<string, string> = {
  'group.consumer.heartbeat.interval.ms': '1000',
  'group.consumer.session.timeout.ms': '6000',
};
/** Shown with the results: a rebalance takes one or two heartbeat intervals, a death a session timeout. */
const SHOWN_CONFIGS = ['group.consumer.heartbeat.interval.ms', 'group.consumer.session.timeout.ms'];
/** How often the broker's coordinator looks for members past their session (apps/broker/src/groups/group-coordinator.ts). */
const MEMBER_EXPIRY_INTERVAL_MS = 250;
const BASE_MEMBERS = 2;
const RUN_JS = join(__dirname, 'run.js');
/** Settled states are looked for this often; the time itself comes from the rebalance callbacks. */
const SETTLE_POLL_MS = 5;
const SETTLE_TIMEOUT_MS = 60_000;
/** DescribeGroups is asked this often while a rebalance settles: each call is work for the broker being measured. */
const DESCRIBE_POLL_MS = 20;
/** A throughput run that hands out no new record for this long has hung. */
const STALL_MS = 30_000;
/** The trickle producer hands over what is due this often. */
const TRICKLE_TICK_MS = 10;
const EXAMPLES_SHOWN = 5;

function parseOptions(): Options {
  return new Command('bench:groups')
    .description(
      'Consumer-group consume throughput with 1, 2 and 4 members, and the time from a member joining, leaving or dying to a settled assignment.',
    )
    .option('--records <n>', 'records pre-filled for the throughput runs, round-robin over the partitions', positiveInteger, 3_000_000)
    .option('--size <bytes>', 'record value size', positiveInteger, 100)
    .option('--partitions <n>', 'partitions of each topic', positiveInteger, 8)
    .option('--members <n,n,...>', 'group sizes of the throughput runs', memberCounts, [1, 2, 4])
    .option('--rebalances <n>', `joins of a member to a group of ${BASE_MEMBERS}, each followed by its close()`, positiveInteger, 3)
    .option('--deaths <n>', `SIGKILLs of a member (in a child process) of a group of ${BASE_MEMBERS + 1}`, positiveInteger, 3)
    .option('--rate <records/s>', 'the stream the group consumes while it rebalances', positiveInteger, 2000)
    .option('--config <key=value>', 'a broker config, e.g. group.consumer.heartbeat.interval.ms=500 (repeatable)', configEntry, {})
    .parse()
    .opts<Options>();
}

function memberCounts(value: string): number[] {
  return value.split(',').map((n) => positiveInteger(n.trim()));
}

/** Child members still running, so that a failure or Ctrl-C does not leave them behind. */
const children = new Set<ChildProcess>();

/** Resolves with the exit status: 1 when the client or broker misbehaved (printed as errors after the figures). */
async function main(): Promise<number> {
  const options = parseOptions();
  // The producer of `npm run bench`'s defaults fills the topics, so filling takes seconds, not minutes.
  const producerDefaults = parseBenchOptions([]);
  if (!producerDefaults) throw new Error('the bench defaults asked for --help');
  const payload = makePayload(options.size, producerDefaults.seed);
  const config = { ...GROUP_CONFIG, ...options.config };
  const configValue = (name: string) => config[name] ?? BROKER_CONFIG_DEFS_BY_NAME.get(name)?.defaultValue ?? '(unset)';
  const shownConfigs = `${SHOWN_CONFIGS.map((name) => `${name}=${configValue(name)}`).join(' ')}; members past their session are looked for every ${MEMBER_EXPIRY_INTERVAL_MS} ms`;
  const heartbeatMs = Number(configValue('group.consumer.heartbeat.interval.ms'));
  const sessionMs = Number(configValue('group.consumer.session.timeout.ms'));

  console.log(describeMachine());
  console.log(`Tributary: git ${gitRevision()}`);
  console.log(`Broker: one tributary-server process on loopback; ${Object.entries(config).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log(
    `Members: consumers of @tributary/client in this process, subscribe({ groupId, topics }), autoOffsetReset=earliest, the client's defaults ` +
      `otherwise (auto-commit every 5000 ms, the coordinator's uniform assignor); the dying member runs in a child process.`,
  );

  const server = await startTributaryServer({ config });
  const problems: string[] = [];
  let throughput: ThroughputRun[];
  let rebalances: Rebalances;
  try {
    const client = new Tributary({ bootstrapServers: `127.0.0.1:${server.port}` });
    const admin = client.admin();
    const producer = client.producer({
      acks: 1,
      lingerMs: producerDefaults.lingerMs,
      batchSize: producerDefaults.batchSizeBytes,
      compression: producerDefaults.compression,
      maxInFlightPerPartition: producerDefaults.maxInFlight,
    });
    await producer.connect();
    try {
      const setup = { client, admin, producer, payload, partitions: options.partitions, problems };
      throughput = await measureThroughput(setup, options.records, options.members);
      rebalances = await measureRebalances(setup, { ...options, heartbeatMs, sessionMs, bootstrapServers: `127.0.0.1:${server.port}` });
    } finally {
      await producer.close();
      await admin.close();
    }
  } finally {
    killChildren();
    await server.stop();
  }

  console.log(`\nConsume throughput, ${count(options.records)} records of ${options.size} B over ${options.partitions} partitions, one group from the earliest offsets:`);
  console.log(
    formatTable(
      ['members', 'records/s', 'MiB/s', 'records per member', 'group settled after ms'],
      throughput.map((run) => [
        String(run.members),
        count(recordsPerSec(run.result)),
        mibPerSec(run.result).toFixed(1),
        run.perMember.map(count).join(' / '),
        ms(run.settledMs),
      ]),
    ),
  );
  console.log(
    'From the first record handed to any member to the last; the members join with their partitions paused and start together once the group ' +
      'has settled ("group settled after": from their subscribe() calls).',
  );

  console.log(
    `\nRebalances of a group of ${BASE_MEMBERS} members consuming ${count(options.rate)} records/s over ${options.partitions} partitions (${shownConfigs}):`,
  );
  const rows = (event: string, after: number, settled: Settled[]) => [
    spreadRow(`${event} → members own a balanced share (${after} members), × ${settled.length}`, settled.map((s) => s.membersMs)),
    spreadRow(`${event} → DescribeGroups says STABLE`, settled.map((s) => s.coordinatorMs)),
  ];
  console.log(
    formatTable(['interval', 'min ms', 'median ms', 'max ms'], [
      ...rows("a member's subscribe()", BASE_MEMBERS + 1, rebalances.joins),
      ...rows('its close()', BASE_MEMBERS, rebalances.leaves),
      ...rows('SIGKILL of a member', BASE_MEMBERS, rebalances.deaths),
    ]),
  );
  console.log(
    `"Own": the last member's onPartitionsAssigned; STABLE: DescribeGroups polled every ${DESCRIBE_POLL_MS} ms. Each event waits a random part of a heartbeat ` +
      'interval first, so it meets the heartbeats at any phase. A killed member stops heartbeating; the coordinator notices one session timeout ' +
      'after the last heartbeat it answered, and the others take its partitions at their next heartbeat.',
  );
  console.log(
    `${count(rebalances.redelivered)} records were handed out again after a SIGKILL: the dead member had read them since its last auto-commit ` +
      '(expected: no more than an auto-commit interval of its partitions).',
  );

  if (problems.length === 0) {
    console.log('\nEvery record was handed out exactly once (apart from the re-deliveries after a SIGKILL) and no partition had two owners at once.');
    return 0;
  }
  console.log('');
  for (const problem of problems) console.log(`ERROR: ${problem}`);
  return 1;
}

interface Setup {
  client: Tributary;
  admin: Admin;
  producer: Producer;
  payload: Buffer;
  partitions: number;
  /** What went wrong with the client or broker: printed as errors after the figures. */
  problems: string[];
}

interface ThroughputRun {
  members: number;
  result: ThroughputResult;
  perMember: number[];
  settledMs: number;
}

async function measureThroughput(setup: Setup, recordCount: number, memberCounts: number[]): Promise<ThroughputRun[]> {
  const warmUp = 'bench-groups-warm-up';
  const warmUpRecords = Math.ceil(recordCount / WARM_UP_FRACTION);
  await fill(setup, warmUp, warmUpRecords);
  await consumeAll(setup, warmUp, warmUpRecords, 1, 'warm-up');
  await setup.admin.deleteTopic(warmUp);

  const topic = 'bench-groups-throughput';
  await fill(setup, topic, recordCount);
  const runs: ThroughputRun[] = [];
  for (const members of memberCounts) runs.push(await consumeAll(setup, topic, recordCount, members, members === 1 ? '1 member' : `${members} members`));
  await setup.admin.deleteTopic(topic);
  return runs;
}

/** Creates `topic` and writes `recordCount` records into it, round-robin over the partitions. */
async function fill({ admin, producer, payload, partitions }: Setup, topic: string, recordCount: number): Promise<void> {
  await admin.createTopic({ topic, numPartitions: partitions });
  let failure: Error | null = null;
  const startedMs = performance.now();
  for (let i = 0; i < recordCount && failure === null; i++) {
    const writable = producer.produce({ topic, partition: i % partitions, value: payload }, (error) => {
      if (error) failure ??= error;
    });
    if (!writable) await producer.whenWritable();
  }
  await producer.flush();
  if (failure) throw failure;
  progress('Tributary', `fill ${topic} (acks=1, not measured)`, { recordCount, payloadBytes: recordCount * payload.length, elapsedMs: performance.now() - startedMs });
}

/** One group of `memberCount` new members reads `topic` from the start; resolves once every record was handed out. */
async function consumeAll(setup: Setup, topic: string, recordCount: number, memberCount: number, label: string): Promise<ThroughputRun> {
  const ledger = new DeliveryLedger(setup.partitions, topic, setup.payload.length);
  const group = new WatchedGroup(`bench-groups-${label.replace(/ /g, '-')}`, setup.partitions);
  let released = false;
  const subscribedAt = performance.now();
  for (let id = 1; id <= memberCount; id++) {
    group.add(
      new InProcessMember(id, setup.client, group, topic, ledger, (member, partitions) => {
        // Held until the whole group has settled, so the run measures the settled group, not its forming.
        if (!released) member.consumer.pause(partitions);
      }),
    );
  }
  const settledMs = await group.settle(`the ${memberCount} members of ${group.groupId} to settle`, subscribedAt);
  released = true;
  for (const member of group.inProcess()) member.consumer.resume(member.consumer.assignment());

  const ends = expectedEnds(recordCount, setup.partitions);
  let progressAt = performance.now();
  let progressed = 0;
  const everyRecord = () => {
    if (group.failure) return Promise.reject(group.failure);
    if (ledger.distinct >= recordCount) return true;
    if (ledger.distinct > progressed) [progressed, progressAt] = [ledger.distinct, performance.now()];
    if (performance.now() - progressAt <= STALL_MS) return undefined;
    const handedOut = `${count(ledger.distinct)} of ${count(recordCount)} handed out (${ledger.describeMissing(ends)})`;
    return Promise.reject(new Error(`${label}: no new record for ${STALL_MS} ms; ${handedOut}`));
  };
  // No deadline for the whole read, which a slow machine may take long over: a hang shows as a stall.
  await waitFor(`every record of ${topic}`, everyRecord, { timeoutMs: Infinity, pollMs: SETTLE_POLL_MS });
  await group.closeAll();

  const result = { recordCount, payloadBytes: ledger.payloadBytes, elapsedMs: ledger.lastNewAt - ledger.firstAt };
  progress('Tributary', `consume, ${label} of one group`, result);
  setup.problems.push(...ledger.problems(`${label}, consume`, ends), ...group.problems(label));
  return { members: memberCount, result, perMember: group.members.map((m) => ledger.countOf(m.id)), settledMs };
}

/** Records per partition after round-robin writes of `recordCount` records, i.e. each partition's end offset. */
function expectedEnds(recordCount: number, partitions: number): number[] {
  return Array.from({ length: partitions }, (_, p) => Math.ceil((recordCount - p) / partitions));
}

/** One rebalance, timed from the event that began it. */
interface Settled {
  /** Until every member owned its balanced share, as the members see it. */
  membersMs: number;
  /** Until DescribeGroups at the coordinator said STABLE with the members left. */
  coordinatorMs: number;
}

interface Rebalances {
  joins: Settled[];
  leaves: Settled[];
  deaths: Settled[];
  redelivered: number;
}

async function measureRebalances(
  setup: Setup,
  options: Options & { heartbeatMs: number; sessionMs: number; bootstrapServers: string },
): Promise<Rebalances> {
  const topic = 'bench-groups-rebalance';
  await setup.admin.createTopic({ topic, numPartitions: setup.partitions });
  // A producer of its own with the client's default batchSize (16 KiB): each batch allocates its batchSize up front, and
  // the fill producer's 1 MiB batches, a few records each at this rate, kept this process busy collecting garbage.
  const trickle = await Trickle.start(setup.client.producer({ acks: 1 }), topic, setup.partitions, options.rate, setup.payload);
  const ledger = new DeliveryLedger(setup.partitions, topic, setup.payload.length);
  const group = new WatchedGroup('bench-groups-rebalance', setup.partitions);
  let nextId = 1;
  const newMember = () => new InProcessMember(nextId++, setup.client, group, topic, ledger);
  for (let i = 0; i < BASE_MEMBERS; i++) group.add(newMember());
  await group.settle(`the first ${BASE_MEMBERS} members to settle`, 0);
  // Settling is checked once more a heartbeat later: an assignment that moves on after "settled" is an error.
  const settle = async (what: string, since: number, timeoutMs = SETTLE_TIMEOUT_MS): Promise<Settled> => {
    const [membersMs, coordinatorMs] = await Promise.all([
      group.settle(what, since, timeoutMs),
      coordinatorStable(setup.admin, group.groupId, group.members.length, since, timeoutMs),
    ]);
    await group.stillSettled(what, options.heartbeatMs);
    return { membersMs, coordinatorMs };
  };
  const report = (what: string, settled: Settled) =>
    process.stderr.write(`${what}: members settled after ${ms(settled.membersMs)} ms, the coordinator said STABLE after ${ms(settled.coordinatorMs)} ms\n`);

  const result: Rebalances = { joins: [], leaves: [], deaths: [], redelivered: 0 };
  for (let i = 1; i <= options.rebalances; i++) {
    await atRandomPhase(options.heartbeatMs);
    const joinedAt = performance.now();
    const joiner = group.add(newMember());
    const joined = await settle(`member ${joiner.id} to join`, joinedAt);
    result.joins.push(joined);
    report(`join ${i}/${options.rebalances}`, joined);
    await atRandomPhase(options.heartbeatMs);
    const leftAt = performance.now();
    group.remove(joiner);
    const closing = joiner.close();
    const left = await settle(`member ${joiner.id} to leave`, leftAt);
    await closing;
    result.leaves.push(left);
    report(`leave ${i}/${options.rebalances}`, left);
  }
  for (let i = 1; i <= options.deaths; i++) {
    const doomed = group.add(new ChildMember(nextId++, options.bootstrapServers, group, topic, ledger));
    // It consumes for a heartbeat before it dies, so it dies holding records it has not committed, as a busy member does.
    await settle(`member ${doomed.id} (a child process) to join`, 0);
    await atRandomPhase(options.heartbeatMs);
    const killedAt = performance.now();
    group.remove(doomed);
    ledger.killedMember(doomed.id);
    await doomed.kill();
    const died = await settle(`the group to settle after member ${doomed.id}'s SIGKILL`, killedAt, options.sessionMs + SETTLE_TIMEOUT_MS);
    result.deaths.push(died);
    report(`death ${i}/${options.deaths} (session timeout ${options.sessionMs} ms)`, died);
  }

  await trickle.stop();
  const listed = await setup.admin.listOffsets(Array.from({ length: setup.partitions }, (_, partition) => ({ topic, partition, spec: 'latest' as const })));
  const ends = listed.map((l) => l.offset);
  // The last records are still on their way to the members; what never arrives is reported as missing below.
  await waitFor('the group to read the rebalance topic to its end', () => ledger.covers(ends) || undefined, { timeoutMs: SETTLE_TIMEOUT_MS }).catch(() => undefined);
  await group.closeAll();
  await setup.admin.deleteTopic(topic);
  setup.problems.push(...ledger.problems('rebalances', ends), ...group.problems('rebalances'));
  result.redelivered = ledger.redelivered;
  return result;
}

/** The time from `since` until DescribeGroups (polled) says the group is STABLE with `members` members. */
async function coordinatorStable(admin: Admin, groupId: string, members: number, since: number, timeoutMs: number): Promise<number> {
  await waitFor(
    `the coordinator to call ${groupId} STABLE with ${members} members`,
    async () => {
      const [description] = await admin.describeGroups([groupId]);
      return description.state === 'STABLE' && description.members.length === members ? true : undefined;
    },
    { timeoutMs, pollMs: DESCRIBE_POLL_MS },
  );
  return performance.now() - since;
}

/**
 * Waits a uniformly random part of a heartbeat interval. A step that began right when the
 * previous one settled would begin at the same point of the members' heartbeat cycle every time
 * (they heartbeat as soon as their partitions change, then every interval), and measure that
 * one phase instead of the spread a join or leave at any moment meets.
 */
function atRandomPhase(heartbeatMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * heartbeatMs));
}

/** A member as the bench watches it. */
interface GroupMember {
  readonly id: number;
  /** The partitions it owns now, as far as this process knows. */
  owned(): number[];
  /** When it last got partitions (performance.now()); 0 before. */
  readonly assignedAt: number;
}

/** The members of one group, whether they own the partitions as a settled group does, and what went wrong. */
class WatchedGroup {
  readonly members: GroupMember[] = [];
  failure: Error | undefined;
  private readonly overlaps: string[] = [];
  private readonly unsettled: string[] = [];

  constructor(
    readonly groupId: string,
    private readonly partitions: number,
  ) {}

  add<M extends GroupMember>(member: M): M {
    this.members.push(member);
    return member;
  }

  /** The member is leaving or dead: what it still owns no longer counts. */
  remove(member: GroupMember): void {
    this.members.splice(this.members.indexOf(member), 1);
  }

  inProcess(): InProcessMember[] {
    return this.members.filter((m): m is InProcessMember => m instanceof InProcessMember);
  }

  /** `member` was just given `partitions`: the coordinator must have had them back from their previous owner first. */
  gained(member: GroupMember, partitions: number[]): void {
    for (const other of this.members) {
      if (other === member) continue;
      const both = other.owned().filter((p) => partitions.includes(p));
      if (both.length > 0) this.overlaps.push(`partitions ${both.join(', ')} were given to member ${member.id} while member ${other.id} still owned them`);
    }
  }

  fail(error: Error): void {
    this.failure ??= error;
  }

  /** Each partition owned by exactly one member, and each member owning ⌊P/n⌋ or ⌈P/n⌉ of them, as the uniform assignor balances them. */
  settled(): boolean {
    const fewest = Math.floor(this.partitions / this.members.length);
    const most = Math.ceil(this.partitions / this.members.length);
    const owner = new Array<number>(this.partitions).fill(0);
    for (const member of this.members) {
      const owned = member.owned();
      if (owned.length < fewest || owned.length > most) return false;
      for (const p of owned) {
        if (owner[p] !== 0) return false;
        owner[p] = member.id;
      }
    }
    return owner.every((id) => id !== 0);
  }

  /** Waits until settled (a partition never assigned ends in a timeout); returns the time from `since` until the last member got its final partitions. */
  async settle(what: string, since: number, timeoutMs = SETTLE_TIMEOUT_MS): Promise<number> {
    await waitFor(what, () => (this.failure ? Promise.reject(this.failure) : this.settled() || undefined), { timeoutMs, pollMs: SETTLE_POLL_MS });
    const lastAssignedAt = Math.max(...this.members.map((m) => m.assignedAt));
    if (lastAssignedAt < since) throw new Error(`${what}: the group was settled before it began, so the measurement is of nothing`);
    return lastAssignedAt - since;
  }

  /** After `ms` more, the group must still be settled with no member given anything since. */
  async stillSettled(what: string, waitMs: number): Promise<void> {
    const before = this.members.map((m) => m.assignedAt);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    if (!this.settled() || this.members.some((m, i) => m.assignedAt !== before[i])) {
      this.unsettled.push(`after ${what}, the assignment moved again within ${waitMs} ms of settling`);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.inProcess().map((m) => m.close()));
  }

  problems(label: string): string[] {
    const failure = this.failure ? [`a member failed: ${this.failure.message}`] : [];
    return [...failure, ...this.overlaps, ...this.unsettled].map((p) => `${label}: ${p}`);
  }
}

/** A member in this process; `onAssigned` runs in its onPartitionsAssigned callback. */
class InProcessMember implements GroupMember {
  readonly consumer: Consumer;
  assignedAt = 0;
  private readonly running: Promise<void>;

  constructor(
    readonly id: number,
    client: Tributary,
    group: WatchedGroup,
    topic: string,
    ledger: DeliveryLedger,
    onAssigned?: (member: InProcessMember, partitions: TopicPartition[]) => void,
  ) {
    this.consumer = client.consumer({ autoOffsetReset: 'earliest' });
    this.consumer.subscribe({
      groupId: group.groupId,
      topics: [topic],
      onPartitionsAssigned: (partitions) => {
        this.assignedAt = performance.now();
        const gained = partitions.map((tp) => tp.partition);
        group.gained(this, gained);
        onAssigned?.(this, partitions);
      },
    });
    this.running = this.consumer.run({ eachBatch: (batch) => ledger.recordBatch(this.id, batch) }).catch((error: Error) => group.fail(error));
  }

  owned(): number[] {
    return this.consumer.assignment().map((tp) => tp.partition);
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.running;
  }
}

/** A member in a child process (bench/group-member.ts), which reports what it owns and is handed; kill() is its silent death. */
class ChildMember implements GroupMember {
  assignedAt = 0;
  private ownedNow: number[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private killed = false;

  constructor(
    readonly id: number,
    bootstrapServers: string,
    group: WatchedGroup,
    topic: string,
    ledger: DeliveryLedger,
  ) {
    this.child = fork(RUN_JS, ['group-member', bootstrapServers, group.groupId, topic], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.add(this.child);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.once('exit', (code, signal) => {
      children.delete(this.child);
      if (!this.killed) group.fail(new Error(`member ${this.id} (pid ${this.child.pid}) exited by itself (${signal ?? `status ${code}`})`));
    });
    this.child.on('message', (report: MemberReport) => {
      if ('delivered' in report) {
        ledger.recordOffsets(this.id, report.delivered.partition, report.delivered.offsets);
        return;
      }
      const gained = report.owned.filter((p) => !this.ownedNow.includes(p));
      this.ownedNow = report.owned;
      if (gained.length === 0) return;
      this.assignedAt = performance.now();
      group.gained(this, gained);
    });
  }

  owned(): number[] {
    return this.ownedNow;
  }

  /** SIGKILL: no leave, no commit; the deliveries it made count as a dead member's from now on. */
  async kill(): Promise<void> {
    this.killed = true;
    this.child.kill('SIGKILL');
    await this.exited;
    this.ownedNow = [];
  }
}

/**
 * Which member was handed each offset of each partition (0: none yet): a second hand-out is a
 * duplicate, unless the first went to a member that was killed since (a re-delivery, expected);
 * an offset below a partition's end that nobody was handed is a gap.
 */
class DeliveryLedger {
  distinct = 0;
  payloadBytes = 0;
  redelivered = 0;
  /** When the first record and the last record not handed out before were handed out (performance.now()). */
  firstAt = 0;
  lastNewAt = 0;
  private readonly handedTo: Uint16Array[];
  private readonly perMember = new Map<number, number>();
  private readonly killed = new Set<number>();
  private duplicates = 0;
  private readonly duplicateExamples: string[] = [];

  constructor(
    partitions: number,
    private readonly topic: string,
    private readonly valueBytes: number,
  ) {
    this.handedTo = Array.from({ length: partitions }, () => new Uint16Array(1024));
  }

  recordBatch(member: number, batch: ConsumerBatch): void {
    this.recordOffsets(member, batch.partition, batch.records.map((r) => r.offset));
  }

  recordOffsets(member: number, partition: number, offsets: number[]): void {
    const now = performance.now();
    if (this.firstAt === 0) this.firstAt = now;
    let handed = this.handedTo[partition];
    const last = offsets[offsets.length - 1];
    if (last >= handed.length) {
      const grown = new Uint16Array(Math.max(handed.length * 2, last + 1));
      grown.set(handed);
      handed = this.handedTo[partition] = grown;
    }
    for (const offset of offsets) {
      const earlier = handed[offset];
      handed[offset] = member;
      if (earlier === 0) {
        this.distinct++;
        this.lastNewAt = now;
      } else if (this.killed.has(earlier)) {
        this.redelivered++;
      } else {
        this.duplicates++;
        if (this.duplicateExamples.length < EXAMPLES_SHOWN) {
          const who = earlier === member ? `twice to member ${member}` : `to member ${member} after member ${earlier}`;
          this.duplicateExamples.push(`${this.topic}-${partition} offset ${offset} was handed ${who}`);
        }
      }
    }
    this.payloadBytes = this.distinct * this.valueBytes;
    this.perMember.set(member, (this.perMember.get(member) ?? 0) + offsets.length);
  }

  /** The member is dead: what it was handed and did not commit is expected again. */
  killedMember(member: number): void {
    this.killed.add(member);
  }

  countOf(member: number): number {
    return this.perMember.get(member) ?? 0;
  }

  /** Whether every offset below each partition's end was handed out. */
  covers(ends: number[]): boolean {
    return ends.every((end, p) => this.missingIn(p, end) === 0);
  }

  describeMissing(ends: number[]): string {
    return ends.map((end, p) => `${this.topic}-${p}: ${count(this.missingIn(p, end))} of ${count(end)} missing`).join(', ');
  }

  problems(label: string, ends: number[]): string[] {
    const problems: string[] = [];
    if (this.duplicates > 0) problems.push(`${label}: ${count(this.duplicates)} records handed out twice, e.g. ${this.duplicateExamples.join('; ')}`);
    if (!this.covers(ends)) problems.push(`${label}: records never handed out (gaps): ${this.describeMissing(ends)}`);
    return problems;
  }

  private missingIn(partition: number, end: number): number {
    const handed = this.handedTo[partition];
    let missing = 0;
    for (let offset = 0; offset < end; offset++) if (offset >= handed.length || handed[offset] === 0) missing++;
    return missing;
  }
}

/** `rate` records/s round-robin over the partitions until stop(): the group has something to consume while it rebalances. */
class Trickle {
  private sent = 0;
  private failure: Error | null = null;
  private readonly timer: NodeJS.Timeout;

  static async start(producer: Producer, topic: string, partitions: number, rate: number, payload: Buffer): Promise<Trickle> {
    await producer.connect();
    return new Trickle(producer, topic, partitions, rate, payload);
  }

  private constructor(
    private readonly producer: Producer,
    topic: string,
    partitions: number,
    rate: number,
    payload: Buffer,
  ) {
    const startedMs = performance.now();
    this.timer = setInterval(() => {
      const due = Math.floor(((performance.now() - startedMs) * rate) / 1000);
      for (; this.sent < due; this.sent++) {
        producer.produce({ topic, partition: this.sent % partitions, value: payload }, (error) => {
          if (error) this.failure ??= error;
        });
      }
    }, TRICKLE_TICK_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.producer.close();
    if (this.failure) throw this.failure;
  }
}

function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

stopServersOnSignals(async () => killChildren());

main().then(
  (status) => process.exit(status),
  async (error: Error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    killChildren();
    await ServerProcess.stopAll();
    process.exit(1);
  },
);
