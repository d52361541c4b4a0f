import {
  AlterConfigOp,
  ConfigResourceType,
  type BrokerNode,
  type ConfigEntry,
  type DescribeClusterResponse,
  type FetchedOffset,
  type GroupDescription,
  type GroupListing,
  type TopicDescription,
  type TopicListing,
} from '@tributary/proto';
import { TributaryError } from '@tributary/protocol';
import type { AdminMethod, AdminRequest, AdminResponse } from './broker-connection';
import { Cluster, type TopicPartition } from './cluster';
import { GroupCoordinator } from './group-coordinator';
import type { TopicPartitionOffset } from './group-offsets';
import { partitionError } from './grpc-error';

export interface NewTopic {
  topic: string;
  /** Default: the broker's num.partitions. */
  numPartitions?: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string>;
  /** Succeed without change when the topic exists. */
  ifNotExists?: boolean;
  validateOnly?: boolean;
}

export interface CreatedTopic {
  topic: TopicDescription;
  /** False when ifNotExists found the topic already there. */
  created: boolean;
}

export type ConfigResource = { type: 'topic'; name: string } | { type: 'broker'; name: string };

/** A config change: a value sets it, null deletes it (back to the default). */
export type ConfigChanges = Record<string, string | null>;

/** 'earliest', 'latest', 'max-timestamp', or the first offset at or after a timestamp (ms). */
export type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | number;

export interface ListedOffset extends TopicPartition {
  /** -1 when no record has a timestamp at or after the one asked for. */
  offset: number;
  timestamp: number;
}

/** Where a group stands on a partition. */
export interface PartitionLag extends TopicPartition {
  /** The committed offset (the next one to read); null when none. */
  committedOffset: number | null;
  /** The partition's high watermark. */
  logEndOffset: number;
  /** Records the group has yet to read; null without a committed offset. */
  lag: number | null;
}

export interface AdminOptions {
  /** How long a group call keeps finding the group's coordinator. Default 30000. */
  requestTimeoutMs?: number;
}

const OFFSET_SPECS = { earliest: -2, latest: -1, 'max-timestamp': -3 } as const;

/** Topic, cluster and consumer-group administration, as Kafka's Admin client offers it. */
export class Admin {
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly cluster: Cluster,
    options: AdminOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  connect(): Promise<void> {
    return this.cluster.connect();
  }

  async createTopic(topic: NewTopic): Promise<CreatedTopic> {
    const response = await this.call('createTopic', {
      name: topic.topic,
      numPartitions: topic.numPartitions ?? 0,
      replicationFactor: topic.replicationFactor ?? 0,
      configs: topic.configs ?? {},
      ifNotExists: topic.ifNotExists ?? false,
      validateOnly: topic.validateOnly ?? false,
    });
    this.cluster.invalidate(topic.topic);
    return { topic: response.topic!, created: response.created };
  }

  /** Creates each topic in turn; stops at the first failure. */
  async createTopics(topics: NewTopic[]): Promise<CreatedTopic[]> {
    const created: CreatedTopic[] = [];
    for (const topic of topics) created.push(await this.createTopic(topic));
    return created;
  }

  async deleteTopic(name: string): Promise<void> {
    await this.call('deleteTopic', { name });
    this.cluster.invalidate(name);
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<TopicListing[]> {
    return (await this.call('listTopics', { includeInternal: options.includeInternal ?? false })).topics;
  }

  /** Every topic when `names` is empty. */
  async describeTopics(names: string[] = []): Promise<TopicDescription[]> {
    return (await this.call('describeTopics', { names })).topics;
  }

  /** Raises a topic's partition count to `totalCount` (it never decreases). */
  async createPartitions(request: { topic: string; totalCount: number; validateOnly?: boolean }): Promise<TopicDescription> {
    const response = await this.call('createPartitions', { ...request, validateOnly: request.validateOnly ?? false });
    this.cluster.invalidate(request.topic);
    return response.topic!;
  }

  async describeConfigs(resource: ConfigResource, names: string[] = []): Promise<ConfigEntry[]> {
    return (await this.call('describeConfigs', { resource: toResource(resource), names })).entries;
  }

  /** Sets or deletes individual entries (Kafka's incrementalAlterConfigs). */
  async alterConfigs(resource: ConfigResource, changes: ConfigChanges, options: { validateOnly?: boolean } = {}): Promise<ConfigEntry[]> {
    const entries = Object.entries(changes).map(([name, value]) =>
      value === null ? { name, value: '', op: AlterConfigOp.DELETE } : { name, value, op: AlterConfigOp.SET },
    );
    return (await this.call('alterConfigs', { resource: toResource(resource), entries, validateOnly: options.validateOnly ?? false })).entries;
  }

  describeCluster(): Promise<DescribeClusterResponse> {
    return this.call('describeCluster', {});
  }

  /** Offsets by time, asked of each partition's leader. */
  async listOffsets(partitions: (TopicPartition & { spec: OffsetSpec })[]): Promise<ListedOffset[]> {
    return Promise.all(
      partitions.map(async ({ topic, partition, spec }) => {
        const timestamp = typeof spec === 'number' ? spec : OFFSET_SPECS[spec];
        const leader = await this.cluster.leaderFor({ topic, partition });
        const [result] = (await leader.call('listOffsets', { partitions: [{ topic, partition, timestamp }] })).partitions;
        if (!result) throw new TributaryError('UNKNOWN_SERVER_ERROR', `the broker did not answer for ${topic}-${partition}`);
        const error = partitionError(result.errorCode, result.errorMessage, `${topic}-${partition}`);
        if (error) throw error;
        return { topic, partition, offset: result.offset, timestamp: result.timestamp };
      }),
    );
  }

  /** Every group, from every broker (each lists the groups it coordinates), by id; only those in `states` when given. */
  async listGroups(options: { states?: string[] } = {}): Promise<GroupListing[]> {
    const { brokers } = await this.describeCluster();
    const answers = await Promise.all(brokers.map((b) => this.cluster.connectionToBroker(b).callGroup('listGroups', { states: options.states ?? [] })));
    const byId = new Map(answers.flatMap((a) => a.groups).map((g) => [g.groupId, g]));
    return [...byId.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** The broker coordinating a group. */
  findCoordinator(groupId: string): Promise<BrokerNode> {
    return this.coordinator(groupId).find();
  }

  /** Each group as its coordinator describes it; an unknown group fails with GROUP_ID_NOT_FOUND. */
  describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        const { groups } = await this.coordinator(groupId).call('describeGroups', { groupIds: [groupId] }, ({ groups: [group] }) => answerError(group, groupId));
        return groups[0];
      }),
    );
  }

  /** Deletes empty groups and their offsets; fails with the first group's refusal (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND …). */
  async deleteGroups(groupIds: string[]): Promise<void> {
    const outcomes = await Promise.allSettled(
      groupIds.map((groupId) => this.coordinator(groupId).call('deleteGroups', { groupIds: [groupId] }, ({ results: [result] }) => answerError(result, groupId))),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** A group's committed offsets: of `partitions` (offset -1 where none), else of every partition it committed. */
  async fetchOffsets(groupId: string, partitions: TopicPartition[] = []): Promise<FetchedOffset[]> {
    const { offsets } = await this.coordinator(groupId).call('offsetFetch', { groupId, partitions });
    return offsets;
  }

  /** Commits offsets as a tool does (no member): the group must have no active members. */
  async alterOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    await this.coordinator(groupId).call('offsetCommit', { groupId, memberId: '', memberEpoch: -1, offsets });
  }

  /** Committed offset, log end offset and lag: of `partitions`, else of every partition the group committed. */
  async groupLag(groupId: string, partitions: TopicPartition[] = []): Promise<PartitionLag[]> {
    const committed = await this.fetchOffsets(groupId, partitions);
    const ends = await this.listOffsets(committed.map(({ topic, partition }) => ({ topic, partition, spec: 'latest' })));
    return committed.map(({ topic, partition, offset }, i) => {
      const logEndOffset = ends[i].offset;
      return offset < 0
        ? { topic, partition, committedOffset: null, logEndOffset, lag: null }
        : { topic, partition, committedOffset: offset, logEndOffset, lag: Math.max(0, logEndOffset - offset) };
    });
  }

  async close(): Promise<void> {
    this.cluster.close();
  }

  disconnect(): Promise<void> {
    return this.close();
  }

  private coordinator(groupId: string): GroupCoordinator {
    return new GroupCoordinator(this.cluster, groupId, { timeoutMs: this.requestTimeoutMs, retryBackoffMs: 100, retryBackoffMaxMs: 1000 });
  }

  private async call<K extends AdminMethod>(method: K, request: AdminRequest<K>): Promise<AdminResponse<K>> {
    return this.cluster.withAnyBroker((connection) => connection.callAdmin(method, request));
  }
}

/** The error a per-group result carries (or its absence: the coordinator skipped the group). */
function answerError(result: { errorCode: number; errorMessage: string } | undefined, groupId: string): TributaryError | null {
  if (!result) return new TributaryError('UNKNOWN_SERVER_ERROR', `the coordinator did not answer for group ${groupId}`);
  return partitionError(result.errorCode, result.errorMessage, `group ${groupId}`);
}

function toResource(resource: ConfigResource) {
  return { type: resource.type === 'topic' ? ConfigResourceType.TOPIC : ConfigResourceType.BROKER, name: resource.name };
}
