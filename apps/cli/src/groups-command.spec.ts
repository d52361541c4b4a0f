import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@tributary/broker';
import { Tributary, type Consumer } from '@tributary/client';
import { runTributary as tributary } from './testing/run-tributary';

// Each command is a fresh Node process that transpiles the CLI on start (about a second).
jest.setTimeout(120_000);

/** The table a groups command prints after its blank line, each row split on its padding. */
function rowsOf(stdout: string): string[][] {
  return stdout.trim().split('\n').map((line) => line.trim().split(/\s+/));
}

describe('tributary groups and consume --group against a real broker', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cli-groups-'));
  let broker: RunningBroker;
  let client: Tributary;
  const bootstrap = () => ['--bootstrap-server', `127.0.0.1:${broker.port}`];
  const groups = (...args: string[]) => tributary(['groups', ...bootstrap(), ...args]);

  /** A topic with `perPartition` records on each partition, valued "<partition>:<i>". */
  const topicWith = async (topic: string, partitions: number, perPartition: number): Promise<string[]> => {
    const admin = client.admin();
    await admin.createTopic({ topic, numPartitions: partitions });
    await admin.close();
    const producer = client.producer({ lingerMs: 0 });
    const messages = [];
    for (let p = 0; p < partitions; p++) for (let i = 0; i < perPartition; i++) messages.push({ partition: p, value: `${p}:${i}` });
    await producer.send({ topic, messages });
    await producer.close();
    return messages.map((m) => m.value);
  };

  const committed = async (groupId: string): Promise<[number, number][]> => {
    const admin = client.admin();
    const offsets = await admin.fetchOffsets(groupId);
    await admin.close();
    return offsets.map((o) => [o.partition, o.offset]);
  };

  /** A member of `groupId` in this process, once it owns every partition of `topic`. */
  const activeMember = async (groupId: string, topic: string, partitions: number): Promise<Consumer> => {
    const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50, clientId: 'in-test' });
    let owned = 0;
    const assigned = new Promise<void>((resolve) =>
      consumer.subscribe({
        groupId,
        topics: [topic],
        onPartitionsAssigned: (p) => {
          owned += p.length;
          if (owned === partitions) resolve();
        },
      }),
    );
    void consumer.run({ eachRecord: () => undefined });
    await assigned;
    return consumer;
  };

  beforeAll(async () => {
    broker = await startBroker({
      dataDir,
      port: 0,
      metricsPort: 0,
      controllerPort: 0,
      logLevel: 'silent',
      config: { 'group.consumer.heartbeat.interval.ms': '100', 'offsets.topic.num.partitions': '5' },
    });
    client = new Tributary({ bootstrapServers: `127.0.0.1:${broker.port}` });
  });
  afterAll(async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('consume --group commits what it printed, so a second run goes on after the first; --describe shows the offsets and lag', async () => {
    const all = await topicWith('cg', 2, 5);
    const consume = (...args: string[]) => tributary(['consume', ...bootstrap(), '--topic', 'cg', '--group', 'cli-g', '--timeout-ms', '20000', ...args]);
    const first = await consume('--from-beginning', '--max-messages', '4');
    expect(first).toMatchObject({ code: 0, stderr: 'Processed a total of 4 messages\n' });
    const second = await consume('--max-messages', '6');
    expect(second).toMatchObject({ code: 0, stderr: 'Processed a total of 6 messages\n' });
    const printed = [...first.stdout.trimEnd().split('\n'), ...second.stdout.trimEnd().split('\n')];
    expect(printed.sort()).toEqual([...all].sort());
    expect(await committed('cli-g')).toEqual([
      [0, 5],
      [1, 5],
    ]);

    const described = await groups('--describe', '--group', 'cli-g');
    expect(described.code).toBe(0);
    const [notice, table] = described.stdout.split(/\n(?=\nGROUP)/);
    expect(notice).toBe("\nConsumer group 'cli-g' has no active members.");
    expect(table.split('\n')[1]).toBe('GROUP TOPIC PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID HOST CLIENT-ID');
    expect(rowsOf(table).slice(1)).toEqual([
      ['cli-g', 'cg', '0', '5', '5', '0', '-', '-', '-'],
      ['cli-g', 'cg', '1', '5', '5', '0', '-', '-', '-'],
    ]);
  });

  it('--list, --describe (offsets, --members, --state) and --delete; an active group is neither deleted nor reset', async () => {
    await topicWith('live', 2, 3);
    const member = await activeMember('cli-live', 'live', 2);
    const memberId = member.groupMetadata()?.memberId;
    const [listed, withStates, offsets, members, state] = await Promise.all([
      groups('--list'),
      groups('--list', '--state'),
      groups('--describe', '--group', 'cli-live'),
      groups('--describe', '--group', 'cli-live', '--members'),
      groups('--describe', '--group', 'cli-live', '--state'),
    ]);
    expect(listed.stdout.split('\n')).toContain('cli-live');
    expect(rowsOf(withStates.stdout)).toContainEqual(['cli-live', 'Stable']);
    expect(rowsOf(offsets.stdout)[0]).toEqual(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']);
    for (const row of rowsOf(offsets.stdout).slice(1)) {
      expect(row).toEqual(['cli-live', 'live', expect.stringMatching(/^[01]$/), expect.stringMatching(/^(\d+|-)$/), '3', expect.stringMatching(/^(\d+|-)$/), memberId, '/127.0.0.1', 'in-test']);
    }
    expect(rowsOf(members.stdout)).toEqual([
      ['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS'],
      ['cli-live', memberId, '/127.0.0.1', 'in-test', '2'],
    ]);
    expect(state.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^GROUP +COORDINATOR \(ID\) +ASSIGNMENT-STRATEGY +STATE +#MEMBERS$/),
      expect.stringMatching(new RegExp(`^cli-live +\\S+:${broker.port}  \\(1\\) +uniform +Stable +1$`)),
    ]);

    const [deleteActive, resetActive] = await Promise.all([groups('--delete', '--group', 'cli-live'), groups('--reset-offsets', '--group', 'cli-live', '--topic', 'live', '--to-earliest', '--execute')]);
    expect(deleteActive).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error: NON_EMPTY_GROUP: [^\n]*cli-live[^\n]*\n$/) });
    expect(resetActive).toMatchObject({ code: 1, stderr: "Error: NON_EMPTY_GROUP: Assignments can only be reset if the group 'cli-live' is inactive, but the current state is Stable.\n" });

    await member.close();
    expect(await groups('--delete', '--group', 'cli-live')).toMatchObject({ code: 0, stdout: "Deletion of requested consumer groups ('cli-live') was successful.\n" });
    expect((await groups('--list')).stdout.split('\n')).not.toContain('cli-live');
    expect(await groups('--describe', '--group', 'cli-live')).toMatchObject({ code: 1, stderr: 'Error: GROUP_ID_NOT_FOUND: group cli-live does not exist\n' });
  });

  it('--reset-offsets: --dry-run changes nothing, --execute sets exactly what the dry run showed', async () => {
    await topicWith('rs', 3, 10);
    const admin = client.admin();
    await admin.alterOffsets('cli-reset', [
      { topic: 'rs', partition: 0, offset: 2 },
      { topic: 'rs', partition: 1, offset: 5 },
      { topic: 'rs', partition: 2, offset: 8 },
    ]);
    await admin.close();
    const before = await committed('cli-reset');

    const dryRun = await groups('--reset-offsets', '--group', 'cli-reset', '--topic', 'rs', '--shift-by', '-3', '--dry-run');
    expect(dryRun).toMatchObject({ code: 0, stderr: 'WARN: New offset (-1) is lower than earliest offset for topic partition rs-0. Value will be set to 0\n' });
    expect(rowsOf(dryRun.stdout)).toEqual([
      ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
      ['cli-reset', 'rs', '0', '0'],
      ['cli-reset', 'rs', '1', '2'],
      ['cli-reset', 'rs', '2', '5'],
    ]);
    expect(await committed('cli-reset')).toEqual(before);

    const executed = await groups('--reset-offsets', '--group', 'cli-reset', '--topic', 'rs', '--shift-by', '-3', '--execute');
    expect(executed).toMatchObject({ code: 0, stdout: dryRun.stdout });
    expect(await committed('cli-reset')).toEqual(rowsOf(dryRun.stdout).slice(1).map((r) => [Number(r[2]), Number(r[3])]));

    const [onePartition, future, latest] = await Promise.all([
      groups('--reset-offsets', '--group', 'cli-reset', '--topic', 'rs:1', '--to-offset', '7', '--dry-run'),
      groups('--reset-offsets', '--group', 'cli-reset', '--all-topics', '--to-datetime', '2999-01-01T00:00:00.000', '--dry-run'),
      groups('--reset-offsets', '--group', 'cli-reset', '--all-topics', '--to-latest'),
    ]);
    expect(rowsOf(onePartition.stdout).slice(1)).toEqual([['cli-reset', 'rs', '1', '7']]);
    expect(rowsOf(future.stdout).slice(1).map((r) => r[3])).toEqual(['10', '10', '10']);
    expect(latest.stderr).toMatch(/^WARN: No action will be performed as the --execute option is missing/);
    expect(await committed('cli-reset')).toEqual([
      [0, 0],
      [1, 2],
      [2, 5],
    ]);
    expect(await groups('--reset-offsets', '--group', 'cli-reset', '--topic', 'rs', '--to-earliest', '--execute')).toMatchObject({ code: 0 });
    expect(await committed('cli-reset')).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
  });

  it.each([
    [['groups', '--describe'], 'Error: INVALID_REQUEST: Option [describe] takes one of these options: [all-groups], [group]'],
    [['groups', '--list', '--describe'], 'Error: INVALID_REQUEST: Command must include exactly one action: --list, --describe, --delete, --reset-offsets'],
    [['groups', '--list', '--members'], 'Error: INVALID_REQUEST: Option "[members]" can\'t be used with option "[list]"'],
    [['groups', '--reset-offsets', '--group', 'g', '--to-earliest'], 'Error: INVALID_REQUEST: One of the reset scopes should be defined: --all-topics, --topic.'],
    [['groups', '--reset-offsets', '--group', 'g', '--topic', 'rs', '--to-earliest', '--to-latest'], 'Error: INVALID_REQUEST: Option [reset-offsets] takes exactly one of these options: --to-earliest, --to-latest, --to-current, --to-offset, --to-datetime, --shift-by'],
    [['groups', '--reset-offsets', '--group', 'g', '--topic', 'rs', '--to-earliest', '--dry-run', '--execute'], 'Error: INVALID_REQUEST: Option "[dry-run]" can\'t be used with option "[execute]"'],
    [['groups', '--reset-offsets', '--group', 'g', '--topic', 'rs', '--to-datetime', 'yesterday', '--dry-run'], 'Error: INVALID_REQUEST: Error parsing timestamp "yesterday": it does not match YYYY-MM-DDTHH:mm:SS.sss (optionally with a zone such as Z or +01:00)'],
    [['groups', '--reset-offsets', '--group', 'g', '--topic', 'nope', '--to-earliest', '--dry-run'], 'Error: UNKNOWN_TOPIC_OR_PARTITION: topic nope does not exist'],
    [['groups', '--delete', '--group', 'never-was'], 'Error: GROUP_ID_NOT_FOUND: group never-was does not exist'],
    [['consume', '--topic', 'rs', '--group', 'g', '--partition', '0'], 'Error: INVALID_REQUEST: Options group and partition cannot be specified together: the group assigns the partitions'],
    [['consume', '--include', 'r.*'], 'Error: INVALID_REQUEST: --include needs --group: a group follows the topics the expression matches'],
    [['consume', '--group', 'g'], 'Error: INVALID_REQUEST: Exactly one of --include/--topic is required.'],
    [['consume', '--topic', 'rs', '--group', 'g', '--consumer-property', 'group.id=other'], 'Error: INVALID_CONFIG: The group ids provided in different places (--group and group.id) do not match: g, other'],
  ])('fails %j with exit status 1 and one line naming the problem', async (args, line) => {
    const result = await tributary([...args, ...bootstrap()]);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('Processed a total'))).toEqual([line]);
  });
});
