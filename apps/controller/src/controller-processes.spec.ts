/**
 * The quorum as separate processes on loopback, started through the bin shims: 3 controllers
 * (bin/tributary-controller.js) and 2 brokers in quorum mode (apps/broker/bin/tributary-server.js).
 * The active controller is SIGKILLed; the survivors elect a new leader that keeps the metadata and
 * accepts writes, and the killed controller restarts from its data dir and catches up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { AdminServiceClient, BrokerServiceClient, ControllerServiceClient, type DescribeQuorumResponse } from '@tributary/proto';
import { MetadataFollower, call, eventually, freePort } from './testing/controller-test-cluster';

// Every wait below is bounded by attempts (eventually); this only keeps jest from cutting a slow machine's run short.
jest.setTimeout(60_000);

const CONTROLLER_BIN = join(__dirname, '..', 'bin', 'tributary-controller.js');
const BROKER_BIN = join(__dirname, '..', '..', 'broker', 'bin', 'tributary-server.js');
const CLUSTER_ID = 'process-cluster';
const CONTROLLER_IDS = [1, 2, 3];
const BROKER_IDS = [1, 2];
/** Short heartbeats so fencing decisions come quickly; a session long enough to outlive an election. */
const LEASE_CONFIG = ['--config', 'broker.heartbeat.interval.ms=100', '--config', 'broker.session.timeout.ms=4000'];
/** Polls of 50 ms: 300 of them bound a wait at ~15 s, far above what a healthy run needs. */
const POLL_ATTEMPTS = 300;
const POLL_INTERVAL_MS = 50;

interface ChildHandle {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildHandle[] = [];

function launch(bin: string, args: string[]): ChildHandle {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const handle = { child, stderr: () => stderr, exited };
  children.push(handle);
  return handle;
}

/** Resolves with the first match of `pattern` in the child's stderr; rejects if the child exits first. */
function announced(handle: ChildHandle, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = pattern.exec(handle.stderr());
      if (match) {
        handle.child.stderr?.off('data', check);
        resolve(match);
      }
    };
    handle.child.stderr?.on('data', check);
    check();
    void handle.exited.then(({ code, signal }) => reject(new Error(`process exited (${code ?? signal}) before announcing ${pattern}:\n${handle.stderr()}`)));
  });
}

describe('controller quorum as processes: 3 controllers and 2 brokers on loopback', () => {
  let root: string;
  const controllerPorts = new Map<number, number>();
  let voters: string;
  const controllers = new Map<number, ChildHandle>();
  const controllerClients = new Map<number, ControllerServiceClient>();
  const brokers: { admin: AdminServiceClient; data: BrokerServiceClient }[] = [];
  let killed: { id: number; term: number };
  let newLeader: number;
  let brokerEpochs: Map<number, number>;

  const dataDir = (kind: string, id: number): string => join(root, `${kind}-${id}`);

  async function startController(id: number): Promise<void> {
    const handle = launch(CONTROLLER_BIN, [
      '--node-id', String(id),
      '--controller-quorum-voters', voters,
      '--data-dir', dataDir('controller', id),
      '--port', String(controllerPorts.get(id)),
      '--log-level', 'warn',
      ...LEASE_CONFIG,
    ]);
    controllers.set(id, handle);
    await announced(handle, /is running/);
    controllerClients.get(id)?.close();
    // A fresh channel per start: an old one may sit in reconnect back-off after the kill.
    controllerClients.set(id, new ControllerServiceClient(`127.0.0.1:${controllerPorts.get(id)}`, credentials.createInsecure()));
  }

  async function startBroker(id: number): Promise<void> {
    const handle = launch(BROKER_BIN, [
      '--data-dir', dataDir('broker', id),
      '--port', '0',
      '--metrics-port', '0',
      '--log-level', 'warn',
      '--config', `node.id=${id}`,
      '--config', `controller.quorum.voters=${voters}`,
      ...LEASE_CONFIG,
    ]);
    const [, port] = await announced(handle, /gRPC[^\n]*:(\d+)\n/);
    const address = `127.0.0.1:${port}`;
    brokers.push({ admin: new AdminServiceClient(address, credentials.createInsecure()), data: new BrokerServiceClient(address, credentials.createInsecure()) });
  }

  const describe = (id: number): Promise<DescribeQuorumResponse> => call(controllerClients.get(id) as ControllerServiceClient, 'describeQuorum', {});

  /** The view of a controller that answers as the leader, among `ids`. */
  function leaderView(ids: number[]): Promise<DescribeQuorumResponse> {
    return eventually(
      async () => {
        const views = await Promise.all(ids.map((id) => describe(id).catch(() => undefined)));
        return views.find((v) => v !== undefined && v.leaderId === v.nodeId);
      },
      `a leader among controllers ${ids.join(', ')}`,
      POLL_ATTEMPTS,
      POLL_INTERVAL_MS,
    );
  }

  function brokerTopics(broker: { data: BrokerServiceClient }): Promise<string[]> {
    return call(broker.data, 'metadata', { topics: [], allowAutoTopicCreation: false }).then((m) => m.topics.map((t) => t.name));
  }

  /** Broker id → epoch of the unfenced brokers, as `leader` sees them. */
  async function unfencedBrokers(leader: number): Promise<Map<number, number>> {
    const view = await describe(leader);
    return new Map(view.brokers.filter((b) => !b.fenced).map((b) => [b.brokerId, b.brokerEpoch]));
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'controller-processes-'));
    for (const id of CONTROLLER_IDS) controllerPorts.set(id, await freePort());
    voters = CONTROLLER_IDS.map((id) => `${id}@127.0.0.1:${controllerPorts.get(id)}`).join(',');
    await Promise.all(
      CONTROLLER_IDS.map(async (id) => {
        const format = launch(CONTROLLER_BIN, ['format', '--cluster-id', CLUSTER_ID, '--node-id', String(id), '--data-dir', dataDir('controller', id)]);
        const { code } = await format.exited;
        if (code !== 0) throw new Error(`format of controller ${id} failed (${code}):\n${format.stderr()}`);
      }),
    );
    await Promise.all(CONTROLLER_IDS.map((id) => startController(id)));
    await Promise.all(BROKER_IDS.map((id) => startBroker(id)));
  });

  afterAll(async () => {
    for (const client of controllerClients.values()) client.close();
    for (const broker of brokers) {
      broker.admin.close();
      broker.data.close();
    }
    const running = children.filter((c) => c.child.exitCode === null && c.child.signalCode === null);
    for (const c of running) c.child.kill('SIGKILL');
    await Promise.all(running.map((c) => c.exited));
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('both brokers register with the quorum and are unfenced once caught up, and take its cluster id', async () => {
    const leader = await leaderView(CONTROLLER_IDS);
    expect(leader.clusterId).toBe(CLUSTER_ID);
    brokerEpochs = await eventually(
      async () => {
        const unfenced = await unfencedBrokers(leader.nodeId);
        return BROKER_IDS.every((id) => unfenced.has(id)) ? unfenced : undefined;
      },
      'both brokers registered and unfenced',
      POLL_ATTEMPTS,
      POLL_INTERVAL_MS,
    );
    for (const broker of brokers) {
      const metadata = await call(broker.data, 'metadata', { topics: [], allowAutoTopicCreation: false });
      expect(metadata.clusterId).toBe(CLUSTER_ID);
    }
  });

  it('a topic created through a broker reaches both brokers', async () => {
    const { topic } = await call(brokers[0].admin, 'createTopic', { name: 'before-failover', numPartitions: 2, replicationFactor: 2, configs: {}, ifNotExists: false, validateOnly: false });
    expect(topic?.partitions).toHaveLength(2);
    for (const broker of brokers) await eventually(async () => (await brokerTopics(broker)).includes('before-failover'), 'topic before-failover in a broker', POLL_ATTEMPTS, POLL_INTERVAL_MS);
  });

  it('SIGKILL of the active controller: the survivors elect another leader in a higher term', async () => {
    const old = await leaderView(CONTROLLER_IDS);
    killed = { id: old.nodeId, term: old.term };
    const survivors = CONTROLLER_IDS.filter((id) => id !== killed.id);
    const killedAtMs = performance.now();
    controllers.get(killed.id)?.child.kill('SIGKILL');
    const elected = await leaderView(survivors);
    const failoverMs = performance.now() - killedAtMs;
    console.log(`controller failover: SIGKILL of leader ${killed.id} (term ${killed.term}) to leader ${elected.nodeId} answering (term ${elected.term}): ${failoverMs.toFixed(0)} ms`);
    await controllers.get(killed.id)?.exited;
    newLeader = elected.nodeId;
    expect(newLeader).not.toBe(killed.id);
    expect(elected.term).toBeGreaterThan(killed.term);
  });

  it('after the failover the metadata is kept, a new topic can be created through a broker, and brokers stay unfenced', async () => {
    const follower = new MetadataFollower(controllerClients.get(newLeader) as ControllerServiceClient, 0);
    try {
      await eventually(() => follower.image.topic('before-failover') !== undefined, 'topic before-failover in the new leader\'s metadata log', POLL_ATTEMPTS, POLL_INTERVAL_MS);
    } finally {
      follower.close();
    }
    for (const broker of brokers) expect(await brokerTopics(broker)).toContain('before-failover');

    const createdAtMs = performance.now();
    const { topic } = await call(brokers[1].admin, 'createTopic', { name: 'after-failover', numPartitions: 1, replicationFactor: 2, configs: {}, ifNotExists: false, validateOnly: false });
    console.log(`first topic creation through a broker after the failover: ${(performance.now() - createdAtMs).toFixed(0)} ms`);
    expect(topic?.name).toBe('after-failover');
    for (const broker of brokers) await eventually(async () => (await brokerTopics(broker)).includes('after-failover'), 'topic after-failover in a broker', POLL_ATTEMPTS, POLL_INTERVAL_MS);
    // Unfenced right away and under the same epochs: their sessions outlived the election, no re-registration.
    expect(await unfencedBrokers(newLeader)).toEqual(brokerEpochs);
    expect((await describe(newLeader)).leaderId).toBe(newLeader);
  });

  it('the killed controller restarts from its data dir, rejoins as a follower and catches up with the leader', async () => {
    await startController(killed.id);
    const target = (await describe(newLeader)).appliedIndex;
    const rejoined = await eventually(
      async () => {
        const view = await describe(killed.id);
        return view.leaderId === newLeader && view.appliedIndex >= target ? view : undefined;
      },
      `controller ${killed.id} following ${newLeader} at applied index ${target}`,
      POLL_ATTEMPTS,
      POLL_INTERVAL_MS,
    );
    const leader = await describe(newLeader);
    expect(leader.leaderId).toBe(newLeader);
    expect(rejoined.term).toBe(leader.term);
    expect(rejoined.clusterId).toBe(CLUSTER_ID);
    expect(await unfencedBrokers(newLeader)).toEqual(brokerEpochs);
  });
});
