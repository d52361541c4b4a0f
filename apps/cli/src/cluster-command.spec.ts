import { startBroker, type RunningBroker } from '@tributary/broker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerCluster } from '../../broker/src/testing/broker-cluster';
import { ControllerTestCluster, HeartbeatingBroker, call, eventually } from '../../controller/src/testing/controller-test-cluster';
import { runTributary } from './testing/run-tributary';

// Each command is a fresh Node process that transpiles the CLI on start (about a second).
jest.setTimeout(30_000);

/** `Name: value` lines before the first blank line, as a map. */
function statusOf(stdout: string): Map<string, string> {
  const [status] = stdout.split('\n\n');
  return new Map(status.split('\n').map((line) => line.split(/:\s+/) as [string, string]));
}

/** The table after the blank line, each row split on its column padding. */
function rowsOf(stdout: string): string[][] {
  return stdout.split('\n\n')[1].trimEnd().split('\n').map((line) => line.split(/\s{2,}/));
}

describe('tributary cluster describe', () => {
  let quorum: ControllerTestCluster;
  let brokers: HeartbeatingBroker[];
  let broker: RunningBroker;
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cli-cluster-'));

  beforeAll(async () => {
    [quorum, broker] = await Promise.all([ControllerTestCluster.start(3), startBroker({ dataDir, port: 0, metricsPort: 0, controllerPort: 0, logLevel: 'silent' })]);
    brokers = [new HeartbeatingBroker(quorum, 1), new HeartbeatingBroker(quorum, 2)];
    for (const b of brokers) await b.register();
    await eventually(async () => {
      const view = await quorum.onLeader('describeQuorum', {});
      return view.brokers.length === 2 && view.brokers.every((b) => !b.fenced);
    }, 'both brokers registered and unfenced');
  });

  afterAll(async () => {
    for (const b of brokers) b.stop();
    await Promise.all([quorum.close(), broker.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('--bootstrap-controller: asks a follower, shows the active controller\'s status, voters and brokers with their state and epoch', async () => {
    const leader = await quorum.leader();
    const follower = [...quorum.voters.keys()].find((id) => id !== leader) as number;
    const before = await quorum.onLeader('describeQuorum', {});
    // The first address is closed: the next one answers.
    const result = await runTributary(['cluster', 'describe', '--bootstrap-controller', `127.0.0.1:1,${quorum.voters.get(follower)}`]);
    expect(result).toMatchObject({ code: 0, stderr: '' });

    const status = statusOf(result.stdout);
    expect([...status.keys()]).toEqual(['ClusterId', 'LeaderId', 'LeaderEpoch', 'HighWatermark', 'CurrentVoters', 'CurrentObservers']);
    expect(status.get('ClusterId')).toBe('test-cluster');
    expect(status.get('LeaderId')).toBe(String(leader));
    expect(Number(status.get('LeaderEpoch'))).toBe(before.term);
    expect(Number(status.get('HighWatermark'))).toBeGreaterThanOrEqual(before.commitIndex);
    expect(status.get('CurrentVoters')).toBe('[1,2,3]');
    expect(status.get('CurrentObservers')).toBe('[1,2]');

    expect(rowsOf(result.stdout)).toEqual([
      ['NodeId', 'Endpoint', 'Role', 'State', 'BrokerEpoch', 'Rack'],
      ...[1, 2, 3].map((id) => [String(id), quorum.voters.get(id), id === leader ? 'Leader' : 'Follower', '-', '-', '-']),
      ...brokers.map((b) => [String(b.brokerId), `127.0.0.1:${19000 + b.brokerId}`, 'Broker', 'Unfenced', String(b.brokerEpoch), '-']),
    ]);
  });

  it('--bootstrap-server: prints the cluster id, the active controller, no under-replicated partitions and the brokers, and points to --bootstrap-controller for the quorum', async () => {
    const result = await runTributary(['cluster', 'describe', '--bootstrap-server', `127.0.0.1:${broker.port}`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('Quorum details (voters, term, commit index, broker epochs and fencing) need --bootstrap-controller.\n');
    const status = statusOf(result.stdout);
    expect([...status.keys()]).toEqual(['ClusterId', 'ControllerId', 'UnderReplicatedPartitions']);
    expect(status.get('ClusterId')).toMatch(/\S+/);
    expect(status.get('ControllerId')).toBe('1');
    expect(status.get('UnderReplicatedPartitions')).toBe('0');
    expect(rowsOf(result.stdout)).toEqual([
      ['NodeId', 'Endpoint', 'Rack'],
      ['1', expect.stringMatching(new RegExp(`:${broker.port}$`)), '-'],
    ]);
  });

  it.each([
    [[], /^Error: INVALID_REQUEST: Only one of --bootstrap-server or --bootstrap-controller must be specified$/],
    [['--bootstrap-server', '127.0.0.1:1', '--bootstrap-controller', '127.0.0.1:1'], /^Error: INVALID_REQUEST: Only one of /],
    [['--bootstrap-controller', '127.0.0.1:1'], /^Error: NETWORK_EXCEPTION: cannot reach controller 127\.0\.0\.1:1: .*check --bootstrap-controller/],
    [['--bootstrap-controller', 'BROKER'], /^Error: UNSUPPORTED_VERSION: 127\.0\.0\.1:\d+ serves no ControllerService .*use --bootstrap-server/],
  ])('fails %j with exit status 1 and one line naming the problem', async (args, pattern) => {
    const result = await runTributary(['cluster', 'describe', ...args.map((a) => (a === 'BROKER' ? `127.0.0.1:${broker.port}` : a))]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(pattern)]);
  });
});

describe('tributary cluster describe --bootstrap-server with a broker down', () => {
  let cluster: BrokerCluster;

  beforeAll(async () => {
    // Frequent heartbeats: brokers are unfenced as soon as they caught up.
    cluster = await BrokerCluster.start(2, { 'broker.heartbeat.interval.ms': '50' });
  });

  afterAll(() => cluster.close());

  it('counts and lists the under-replicated partitions with their replicas and ISR, as topics --under-replicated-partitions does', async () => {
    const admin = cluster.broker(1).admin;
    // Retried until both brokers are unfenced (RF 2 needs them); ifNotExists makes a retry harmless.
    await eventually(() => call(admin, 'createTopic', { name: 'orders', numPartitions: 2, replicationFactor: 2, configs: {}, ifNotExists: true, validateOnly: false }), 'topic orders on both brokers');
    await call(admin, 'createTopic', { name: 'audit', numPartitions: 1, replicationFactor: 1, configs: {}, ifNotExists: false, validateOnly: false });
    // A controlled shutdown takes broker 2 out of every ISR at once (but as the last member).
    await cluster.stopBroker(2);
    const orders = await eventually(async () => {
      const [topic] = (await call(admin, 'describeTopics', { names: ['orders'] })).topics;
      return topic?.partitions.every((p) => p.isr.length === 1 && p.isr[0] === 1) ? topic : undefined;
    }, 'broker 1 to see orders in-sync on broker 1 alone');

    const bootstrap = `127.0.0.1:${cluster.broker(1).port}`;
    const result = await runTributary(['cluster', 'describe', '--bootstrap-server', bootstrap]);
    expect(result.code).toBe(0);
    expect(statusOf(result.stdout).get('UnderReplicatedPartitions')).toBe('2');
    const [, , listing] = result.stdout.split('\n\n');
    expect(listing.trimEnd().split('\n')).toEqual([
      'Under-replicated partitions:',
      ...[...orders.partitions]
        .sort((a, b) => a.partition - b.partition)
        .map((p) => `\tTopic: orders\tPartition: ${p.partition}\tLeader: 1\tReplicas: ${p.replicas.join(',')}\tIsr: 1`),
    ]);
    const topics = await runTributary(['topics', '--bootstrap-server', bootstrap, '--describe', '--under-replicated-partitions']);
    expect(`Under-replicated partitions:\n${topics.stdout}`).toBe(listing);
  });
});
