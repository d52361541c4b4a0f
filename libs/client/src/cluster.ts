import type { BrokerNode, MetadataResponse, TopicMetadata } from '@tributary/proto';
import { ErrorCode, TributaryError, errorCodeName } from '@tributary/protocol';
import { BrokerConnection } from './broker-connection';
import { BrokerTimeoutError } from './broker-unreachable-error';

export interface ClusterOptions {
  /** host:port of one or more brokers to learn the cluster from. */
  bootstrapServers: string[];
  requestTimeoutMs: number;
  /** Ask the broker to create unknown topics (it still obeys auto.create.topics.enable). */
  allowAutoTopicCreation: boolean;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * What a client knows of the cluster: brokers, topics, partition leaders, and one connection
 * per broker. Metadata is fetched per topic on first use and refreshed when a call says it went
 * stale (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE): callers
 * then `invalidate` the topic and ask again.
 */
export class Cluster {
  private readonly connections = new Map<string, BrokerConnection>();
  private readonly brokers = new Map<number, BrokerNode>();
  private readonly topics = new Map<string, TopicMetadata>();
  private readonly refreshing = new Map<string, Promise<TopicMetadata>>();
  private bootstrapConnection: BrokerConnection | null = null;
  private clusterIdValue = '';

  constructor(private readonly options: ClusterOptions) {
    if (options.bootstrapServers.length === 0) {
      throw new TributaryError('INVALID_REQUEST', 'no bootstrap servers given; pass at least one host:port');
    }
  }

  get clusterId(): string {
    return this.clusterIdValue;
  }

  /** Reaches the first bootstrap server that answers a Metadata call. */
  async connect(): Promise<void> {
    if (this.bootstrapConnection) return;
    this.absorb(await this.withAnyBroker((connection) => connection.call('metadata', { topics: [], allowAutoTopicCreation: false })));
  }

  /**
   * Runs a call any broker answers (Metadata, admin, InitProducerId) on the broker that answered
   * last, or — when that one cannot be reached or does not answer in time — on each other known
   * broker and bootstrap server in turn, as Kafka's clients pick another node: one dead or hung
   * broker must not cut a client off.
   */
  async withAnyBroker<T>(use: (connection: BrokerConnection) => Promise<T>): Promise<T> {
    const known = [...this.brokers.values()].map((b) => `${b.host}:${b.port}`);
    const candidates = [...new Set([...(this.bootstrapConnection ? [this.bootstrapConnection.address] : []), ...known, ...this.options.bootstrapServers])];
    let lastError: unknown;
    for (const address of candidates) {
      const connection = this.connectionTo(address);
      try {
        const result = await use(connection);
        this.bootstrapConnection = connection;
        return result;
      } catch (e) {
        if (!(e instanceof BrokerTimeoutError || (e instanceof TributaryError && e.code === 'NETWORK_EXCEPTION'))) throw e;
        lastError = e;
      }
    }
    throw lastError;
  }

  /** The topic's metadata, fetched if not known. Throws the topic's error code. */
  async topic(name: string): Promise<TopicMetadata> {
    return this.topics.get(name) ?? this.refreshTopic(name);
  }

  async partitionCount(topic: string): Promise<number> {
    return (await this.topic(topic)).partitions.length;
  }

  /** The connection to the leader of a partition. */
  async leaderFor(tp: TopicPartition): Promise<BrokerConnection> {
    let meta = await this.topic(tp.topic);
    let partition = meta.partitions.find((p) => p.partition === tp.partition);
    if (!partition) {
      // Metadata fetched before partitions were added (a group hands them out at once) knows too few.
      this.invalidate(tp.topic);
      meta = await this.topic(tp.topic);
      partition = meta.partitions.find((p) => p.partition === tp.partition);
    }
    if (!partition) {
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${tp.topic} has no partition ${tp.partition} (it has ${meta.partitions.length})`);
    }
    const broker = this.brokers.get(partition.leaderId);
    if (partition.leaderId < 0 || !broker) {
      this.invalidate(tp.topic);
      throw new TributaryError('LEADER_NOT_AVAILABLE', `partition ${tp.topic}-${tp.partition} has no leader right now; retry shortly`);
    }
    return this.connectionToBroker(broker);
  }

  /** The leader's connection if the metadata at hand names one, else null (no I/O). */
  knownLeader(tp: TopicPartition): BrokerConnection | null {
    const partition = this.topics.get(tp.topic)?.partitions.find((p) => p.partition === tp.partition);
    const broker = partition ? this.brokers.get(partition.leaderId) : undefined;
    return broker ? this.connectionToBroker(broker) : null;
  }

  /** The (shared) connection to a broker a response named, e.g. a group's coordinator. */
  connectionToBroker(broker: Pick<BrokerNode, 'host' | 'port'>): BrokerConnection {
    return this.connectionTo(`${broker.host}:${broker.port}`);
  }

  /** Forgets what is known of a topic so the next lookup asks a broker again. */
  invalidate(topic: string): void {
    this.topics.delete(topic);
  }

  close(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
    this.bootstrapConnection = null;
  }

  private refreshTopic(name: string): Promise<TopicMetadata> {
    let pending = this.refreshing.get(name);
    if (!pending) {
      pending = this.fetchTopic(name).finally(() => this.refreshing.delete(name));
      this.refreshing.set(name, pending);
    }
    return pending;
  }

  private async fetchTopic(name: string): Promise<TopicMetadata> {
    const response = await this.withAnyBroker((connection) => connection.call('metadata', { topics: [name], allowAutoTopicCreation: this.options.allowAutoTopicCreation }));
    this.absorb(response);
    const meta = response.topics.find((t) => t.name === name);
    if (!meta) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist; create it first (tributary topics --create)`);
    if (meta.errorCode !== ErrorCode.NONE) {
      this.topics.delete(name);
      const code = errorCodeName(meta.errorCode);
      throw new TributaryError(code, meta.errorMessage || `topic ${name}: ${code}`);
    }
    return meta;
  }

  private absorb(response: MetadataResponse): void {
    this.clusterIdValue = response.clusterId;
    for (const broker of response.brokers) this.brokers.set(broker.nodeId, broker);
    for (const topic of response.topics) {
      if (topic.errorCode === ErrorCode.NONE) this.topics.set(topic.name, topic);
    }
  }

  private connectionTo(address: string): BrokerConnection {
    let connection = this.connections.get(address);
    if (!connection) {
      connection = new BrokerConnection(address, { requestTimeoutMs: this.options.requestTimeoutMs });
      this.connections.set(address, connection);
    }
    return connection;
  }
}
