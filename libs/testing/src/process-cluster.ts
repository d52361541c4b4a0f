import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultProxy } from './fault-proxy';
import { freePort } from '@tributary/service-common';
import { NodeProcess } from './node-process';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const CONTROLLER_BIN = join(REPO_ROOT, 'apps', 'controller', 'bin', 'tributary-controller.js');
const BROKER_BIN = join(REPO_ROOT, 'apps', 'server', 'bin', 'tributary-server.js');

export type NodeName = `controller-${number}` | `broker-${number}`;

export interface ProcessClusterOptions {
  /** Number of controllers (Raft voters), ids 1..n; 3 by default. */
  controllers?: number;
  /** Number of brokers, ids 1..n; 3 by default. */
  brokers?: number;
  /** Kafka-named configs given to every node, e.g. broker.session.timeout.ms. */
  config?: Record<string, string>;
  /** Route every controller→controller, broker→controller and broker→broker (replica fetch) link through a FaultProxy, so cut/delay work. */
  faults?: boolean;
  /** Where the data dirs go; by default a fresh temp dir that destroy() removes. */
  root?: string;
  clusterId?: string;
  logLevel?: string;
  /** Fixed ports by node (e.g. for a cluster people connect to by hand); free ephemeral ones by default. */
  portOf?: (name: NodeName) => number;
}

interface Member {
  name: NodeName;
  id: number;
  kind: 'controller' | 'broker';
  port: number;
  process?: NodeProcess;
}

/**
 * A Tributary cluster of separate processes on loopback, each with its own data dir: controllers
 * (tributary-controller, formatted on first start) and brokers (tributary-server following them),
 * started through the same bin shims users run. Processes can be killed, restarted and paused;
 * with `faults`, links between nodes can be cut or delayed (see FaultProxy).
 */
export class ProcessCluster {
  private readonly members = new Map<NodeName, Member>();
  /** "from→to" → the proxy `from` dials to reach `to`. */
  private readonly links = new Map<string, FaultProxy>();

  private constructor(
    readonly root: string,
    private readonly ownsRoot: boolean,
    private readonly options: ProcessClusterOptions,
  ) {}

  static async start(options: ProcessClusterOptions = {}): Promise<ProcessCluster> {
    const root = options.root ?? (await mkdtemp(join(tmpdir(), 'tributary-cluster-')));
    await mkdir(root, { recursive: true });
    const cluster = new ProcessCluster(root, options.root === undefined, options);
    try {
      const port = async (name: NodeName) => options.portOf?.(name) ?? (await freePort());
      for (let id = 1; id <= (options.controllers ?? 3); id++) cluster.add('controller', id, await port(`controller-${id}`));
      for (let id = 1; id <= (options.brokers ?? 3); id++) cluster.add('broker', id, await port(`broker-${id}`));
      if (options.faults) await cluster.openLinks();
      await Promise.all(cluster.names('controller').map((name) => cluster.startNode(name)));
      await Promise.all(cluster.names('broker').map((name) => cluster.startNode(name)));
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  get controllerIds(): number[] {
    return this.names('controller').map((name) => this.member(name).id);
  }

  get brokerIds(): number[] {
    return this.names('broker').map((name) => this.member(name).id);
  }

  /** Where a client reaches the node directly (never through a proxy). */
  address(name: NodeName): string {
    return `127.0.0.1:${this.member(name).port}`;
  }

  get bootstrapServers(): string {
    return this.names('broker').map((name) => this.address(name)).join(',');
  }

  /** controller.quorum.voters with the controllers' own addresses, as clients outside the cluster use it. */
  get quorumVoters(): string {
    return this.names('controller').map((name) => `${this.member(name).id}@${this.address(name)}`).join(',');
  }

  dataDir(name: NodeName): string {
    return join(this.root, name);
  }

  /** Where a node's JSON log lines go (appended across restarts), beside its data dir. */
  logFile(name: NodeName): string {
    return join(this.root, `${name}.log`);
  }

  process(name: NodeName): NodeProcess {
    const process = this.member(name).process;
    if (!process) throw new Error(`${name} is not running`);
    return process;
  }

  isRunning(name: NodeName): boolean {
    return this.member(name).process?.running ?? false;
  }

  /** Starts a stopped or killed node again on its port and data dir; resolves once it announces it serves. */
  async startNode(name: NodeName): Promise<void> {
    const member = this.member(name);
    if (member.process?.running) throw new Error(`${name} is running already`);
    const common = ['--data-dir', this.dataDir(name), '--port', String(member.port), '--log-level', this.options.logLevel ?? 'warn', ...this.configArgs()];
    if (member.kind === 'controller') {
      member.process = NodeProcess.spawn(name, CONTROLLER_BIN, [
        '--node-id', String(member.id),
        '--controller-quorum-voters', this.votersSeenBy(name),
        '--format', '--cluster-id', this.options.clusterId ?? 'process-cluster',
        ...common,
      ], this.logFile(name));
      await member.process.announced(/is running/);
    } else {
      member.process = NodeProcess.spawn(name, BROKER_BIN, [
        '--metrics-port', '0',
        '--no-schema-registry',
        '--config', `node.id=${member.id}`,
        '--config', `controller.quorum.voters=${this.votersSeenBy(name)}`,
        ...this.leadersSeenBy(name),
        ...common,
      ], this.logFile(name));
      await member.process.announced(/Tributary is running/);
    }
  }

  /** Sends `signal` (SIGKILL by default) and waits for the exit. */
  async kill(name: NodeName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const process = this.process(name);
    process.signal(signal);
    await process.exited;
  }

  /** A clean stop (SIGTERM; SIGKILL after 10 s). */
  async stopNode(name: NodeName): Promise<void> {
    await this.member(name).process?.stop();
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing, as a long GC pause or a hung VM would. */
  pause(name: NodeName): void {
    this.process(name).signal('SIGSTOP');
  }

  resume(name: NodeName): void {
    this.process(name).signal('SIGCONT');
  }

  /** Cuts the links between `a` and `b`, both ways. */
  cut(a: NodeName, b: NodeName): void {
    for (const proxy of this.linksBetween(a, b)) proxy.cut();
  }

  /** Cuts every link to and from `name`: it runs, but reaches no other node and no node reaches it. */
  isolate(name: NodeName): void {
    for (const other of this.members.keys()) if (other !== name) this.cut(name, other);
  }

  /** Delays the traffic between `a` and `b`, both ways. */
  delay(a: NodeName, b: NodeName, delayMs: number): void {
    for (const proxy of this.linksBetween(a, b)) proxy.delay(delayMs);
  }

  /** Opens every link again. */
  heal(): void {
    for (const proxy of this.links.values()) proxy.heal();
  }

  /** Stops every node cleanly (brokers first, so their controlled shutdowns find a quorum) and closes the links. */
  async stop(): Promise<void> {
    await Promise.all(this.names('broker').map((name) => this.stopNode(name)));
    await Promise.all(this.names('controller').map((name) => this.stopNode(name)));
    await Promise.all([...this.links.values()].map((proxy) => proxy.close()));
    this.links.clear();
  }

  /** Kills whatever still runs, closes the links and removes the data dirs it created. */
  async destroy(): Promise<void> {
    const running = [...this.members.values()].flatMap((m) => (m.process?.running ? [m.process] : []));
    for (const process of running) process.signal('SIGKILL');
    await Promise.all(running.map((process) => process.exited));
    await Promise.all([...this.links.values()].map((proxy) => proxy.close()));
    this.links.clear();
    if (this.ownsRoot) await rm(this.root, { recursive: true, force: true });
  }

  private add(kind: Member['kind'], id: number, port: number): void {
    const name: NodeName = `${kind}-${id}`;
    this.members.set(name, { name, id, kind, port });
  }

  private names(kind: Member['kind']): NodeName[] {
    return [...this.members.values()].filter((m) => m.kind === kind).map((m) => m.name);
  }

  private member(name: NodeName): Member {
    const member = this.members.get(name);
    if (!member) throw new Error(`no ${name} in this cluster (${[...this.members.keys()].join(', ')})`);
    return member;
  }

  /** A proxy for every link a node dials: controller→controller (Raft), broker→controller and broker→broker (replica fetches). */
  private async openLinks(): Promise<void> {
    for (const from of this.members.keys()) {
      const dialed = this.member(from).kind === 'broker' ? [...this.names('controller'), ...this.names('broker')] : this.names('controller');
      for (const to of dialed) {
        if (from !== to) this.links.set(linkKey(from, to), await this.openLink(to));
      }
    }
  }

  /**
   * A proxy to `to` on a port none of the nodes is given: their ports are picked free but not held
   * until they start, so the kernel may hand one of them to a proxy meanwhile.
   */
  private async openLink(to: NodeName): Promise<FaultProxy> {
    const nodePorts = new Set([...this.members.values()].map((m) => m.port));
    const taken: FaultProxy[] = [];
    let proxy = await FaultProxy.start(this.address(to));
    while (nodePorts.has(proxy.port)) {
      taken.push(proxy); // held open while the next is opened, so it is not handed out again
      proxy = await FaultProxy.start(this.address(to));
    }
    await Promise.all(taken.map((p) => p.close()));
    return proxy;
  }

  /** replica.fetch.leader.addresses for broker `name`: every other broker through its link (none without links). */
  private leadersSeenBy(name: NodeName): string[] {
    const leaders = this.names('broker').flatMap((to) => {
      const link = this.links.get(linkKey(name, to));
      return link ? [`${this.member(to).id}@${link.address}`] : [];
    });
    return leaders.length > 0 ? ['--config', `replica.fetch.leader.addresses=${leaders.join(',')}`] : [];
  }

  /** controller.quorum.voters as `name` dials them: through its links when there are any; itself directly. */
  private votersSeenBy(name: NodeName): string {
    return this.names('controller')
      .map((to) => `${this.member(to).id}@${this.links.get(linkKey(name, to))?.address ?? this.address(to)}`)
      .join(',');
  }

  private linksBetween(a: NodeName, b: NodeName): FaultProxy[] {
    return [this.links.get(linkKey(a, b)), this.links.get(linkKey(b, a))].filter((proxy): proxy is FaultProxy => proxy !== undefined);
  }

  private configArgs(): string[] {
    return Object.entries(this.options.config ?? {}).flatMap(([key, value]) => ['--config', `${key}=${value}`]);
  }
}

function linkKey(from: NodeName, to: NodeName): string {
  return `${from}→${to}`;
}
