import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  coordinatorPartition,
  GroupError,
  validateGroupId,
  type GroupCoordinatorOptions,
  type GroupCoordinatorState,
  type GroupRecord,
} from '@tributary/groups';
import { newTopicId, type BrokerConfig, type MetadataImage } from '@tributary/metadata';
import { TributaryError } from '@tributary/protocol';
import type { Logger } from 'pino';
import { BROKER_CONFIG } from '../broker-config-provider';
import { BROKER_LOGGER } from '../broker-logger';
import { ClusterMetadata } from '../cluster-metadata';
import { PartitionResolver } from '../partition-resolver';
import { ReplicaManager } from '../replication/replica-manager';
import { PartitionLogs, partitionDirName } from '../partition-logs';
import { TopicAdmin } from '../topic-admin';
import { GroupCoordinatorShard, readPartition, type OffsetsPartitionAccess } from './group-coordinator-shard';

export const OFFSETS_TOPIC = '__consumer_offsets';
/** How often members' session and rebalance timeouts are checked; it adds to every timeout. */
const MEMBER_EXPIRY_INTERVAL_MS = 250;

export interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
  rack?: string;
}

/**
 * The group coordinator of this broker (Kafka's GroupCoordinatorService): one shard per
 * __consumer_offsets partition this broker leads, loaded when it becomes leader and dropped
 * when it stops; requests for groups of other partitions are NOT_COORDINATOR. Timers expire
 * members and offsets through the shards, so they are ordered with the requests.
 */
@Injectable()
export class GroupCoordinator implements OnApplicationShutdown {
  private readonly shards = new Map<number, { leaderEpoch: number; shard: Promise<GroupCoordinatorShard> }>();
  private readonly options: GroupCoordinatorOptions;
  private readonly memberTimer: NodeJS.Timeout;
  private readonly offsetsTimer: NodeJS.Timeout;
  private offsetsTopicCreation: Promise<void> | undefined;

  constructor(
    @Inject(ClusterMetadata) private readonly metadata: ClusterMetadata,
    // Its metadata listener (logs and replica roles) runs before this one, which reads the roles.
    @Inject(TopicAdmin) private readonly topics: TopicAdmin,
    @Inject(ReplicaManager) private readonly replicas: ReplicaManager,
    @Inject(PartitionResolver) private readonly partitions: PartitionResolver,
    @Inject(PartitionLogs) private readonly logs: PartitionLogs,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {
    this.options = {
      newMemberId: () => newTopicId(),
      sessionTimeoutMs: config.groupConsumerSessionTimeoutMs,
      heartbeatIntervalMs: config.groupConsumerHeartbeatIntervalMs,
      maxGroupSize: config.groupConsumerMaxSize,
      offsetMetadataMaxBytes: config.offsetMetadataMaxBytes,
      offsetsRetentionMs: config.offsetsRetentionMs,
    };
    metadata.onChange(async (image) => this.followLeadership(image));
    this.memberTimer = setInterval(() => this.everyShard((state) => state.expireMembers(Date.now())), MEMBER_EXPIRY_INTERVAL_MS);
    this.offsetsTimer = setInterval(() => this.everyShard((state) => state.expireOffsets(Date.now())), config.offsetsRetentionCheckIntervalMs);
    this.memberTimer.unref();
    this.offsetsTimer.unref();
  }

  /** The broker coordinating `groupId`, creating __consumer_offsets on first use as Kafka does. */
  async findCoordinator(groupId: string): Promise<CoordinatorNode> {
    validateGroupId(groupId);
    await this.ensureOffsetsTopic();
    const partition = this.metadata.image.partition(OFFSETS_TOPIC, this.partitionOf(groupId));
    const broker = partition && partition.leader >= 0 ? this.metadata.image.broker(partition.leader) : undefined;
    const endpoint = broker?.endpoints[0];
    if (!broker || broker.fenced || !endpoint) {
      throw new TributaryError('COORDINATOR_NOT_AVAILABLE', `partition ${this.partitionOf(groupId)} of ${OFFSETS_TOPIC}, which coordinates group ${groupId}, has no live leader right now; retry`);
    }
    return { nodeId: broker.brokerId, host: endpoint.host, port: endpoint.port, rack: broker.rack ?? undefined };
  }

  /** Runs a changing operation on the group's shard; resolves once its records are durable. */
  async run<T>(groupId: string, operation: (state: GroupCoordinatorState, image: MetadataImage) => { records: readonly GroupRecord[]; response: T }): Promise<T> {
    return (await this.shardOf(groupId)).run((state) => operation(state, this.metadata.image));
  }

  async read<T>(groupId: string, query: (state: GroupCoordinatorState) => T): Promise<T> {
    return (await this.shardOf(groupId)).read(query);
  }

  /** Runs `query` on every shard this broker has loaded (ListGroups). */
  async readAll<T>(query: (state: GroupCoordinatorState) => T[]): Promise<T[]> {
    const loaded = await Promise.allSettled([...this.shards.values()].map(async ({ shard }) => (await shard).read(query)));
    return loaded.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
  }

  onApplicationShutdown(): void {
    clearInterval(this.memberTimer);
    clearInterval(this.offsetsTimer);
    this.shards.clear();
  }

  private partitionOf(groupId: string): number {
    return coordinatorPartition(groupId, this.metadata.image.partitionCount(OFFSETS_TOPIC) ?? this.config.offsetsTopicNumPartitions);
  }

  private async shardOf(groupId: string): Promise<GroupCoordinatorShard> {
    validateGroupId(groupId);
    const partition = this.partitionOf(groupId);
    const entry = this.shards.get(partition);
    if (!entry) {
      const leader = this.metadata.image.partition(OFFSETS_TOPIC, partition)?.leader ?? -1;
      throw new GroupError('NOT_COORDINATOR', `broker ${this.metadata.nodeId} is not the coordinator of group ${groupId} (partition ${partition} of ${OFFSETS_TOPIC} is led by broker ${leader}); find the coordinator again`);
    }
    return entry.shard;
  }

  private ensureOffsetsTopic(): Promise<void> {
    if (this.metadata.image.topic(OFFSETS_TOPIC)) return Promise.resolve();
    this.offsetsTopicCreation ??= this.createOffsetsTopic().finally(() => (this.offsetsTopicCreation = undefined));
    return this.offsetsTopicCreation;
  }

  private async createOffsetsTopic(): Promise<void> {
    // As many replicas as offsets.topic.replication.factor asks, or as there are live brokers (a one-node cluster works).
    const liveBrokers = this.metadata.image.unfencedBrokers().length;
    const replicationFactor = Math.max(1, Math.min(this.config.offsetsTopicReplicationFactor, liveBrokers));
    await this.topics.createTopic({
      name: OFFSETS_TOPIC,
      numPartitions: this.config.offsetsTopicNumPartitions,
      replicationFactor,
      configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(this.config.offsetsTopicSegmentBytes), 'compression.type': 'producer' },
      ifNotExists: true,
    });
    this.logger.info({ partitions: this.config.offsetsTopicNumPartitions, replicationFactor }, `created ${OFFSETS_TOPIC}`);
  }

  /** Loads a shard for each offsets partition this broker now leads (again, in a new epoch) and drops the others. */
  private followLeadership(image: MetadataImage): void {
    const count = image.partitionCount(OFFSETS_TOPIC) ?? 0;
    for (const [partition, entry] of [...this.shards]) {
      const replica = this.replicas.find(partitionDirName(OFFSETS_TOPIC, partition));
      if (partition >= count || !replica?.isLeader || replica.leaderEpoch !== entry.leaderEpoch) this.shards.delete(partition);
    }
    for (let partition = 0; partition < count; partition++) {
      const replica = this.replicas.find(partitionDirName(OFFSETS_TOPIC, partition));
      if (!replica?.isLeader || this.shards.has(partition)) continue;
      const shard = GroupCoordinatorShard.load(partition, this.access(partition), this.options, Date.now());
      const entry = { leaderEpoch: replica.leaderEpoch, shard };
      this.shards.set(partition, entry);
      shard.then(
        () => this.logger.info({ partition, leaderEpoch: replica.leaderEpoch }, 'group coordinator loaded'),
        (error: unknown) => {
          this.logger.error({ err: error, partition }, 'group coordinator failed to load; it is retried on the next metadata change');
          if (this.shards.get(partition) === entry) this.shards.delete(partition);
        },
      );
    }
  }

  private access(partition: number): OffsetsPartitionAccess {
    return {
      readAll: () => {
        const log = this.logs.get(OFFSETS_TOPIC, partition);
        return readPartition((offset, maxBytes) => log.read(offset, maxBytes), log.logStartOffset, log.logEndOffset);
      },
      appendDurably: async (batch) => {
        const { log, replica, config } = await this.partitions.resolve(OFFSETS_TOPIC, partition, { autoCreate: false });
        const options = { acks: -1, minInsyncReplicas: config.minInsyncReplicas };
        const info = await this.replicas.appendAsLeader(replica, log, batch, options);
        await this.replicas.awaitReplication(replica, info.lastOffset + 1, config.minInsyncReplicas, this.config.requestTimeoutMs);
      },
    };
  }

  /** Runs a timer's operation on every loaded shard; what it changes is logged, failures too. */
  private everyShard(operation: (state: GroupCoordinatorState) => { records: readonly GroupRecord[]; response: unknown }): void {
    for (const [partition, { shard }] of this.shards) {
      shard
        .then((s) => s.run(operation))
        .catch((error: unknown) => this.logger.warn({ err: error, partition }, 'group coordinator timer failed'));
    }
  }
}
