import {
  AlterConfigOp,
  ConfigResourceType,
  type ConfigEntry,
  type DescribeClusterResponse,
  type TopicDescription,
  type TopicListing,
} from '@tributary/proto';
import { TributaryError } from '@tributary/protocol';
import type { AdminMethod, AdminRequest, AdminResponse } from './broker-connection';
import { Cluster, type TopicPartition } from './cluster';
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

const OFFSET_SPECS = { earliest: -2, latest: -1, 'max-timestamp': -3 } as const;

/** Topic and cluster administration, as Kafka's Admin client offers it. */
export class Admin {
  constructor(private readonly cluster: Cluster) {}

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

  async close(): Promise<void> {
    this.cluster.close();
  }

  disconnect(): Promise<void> {
    return this.close();
  }

  private async call<K extends AdminMethod>(method: K, request: AdminRequest<K>): Promise<AdminResponse<K>> {
    return this.cluster.withAnyBroker((connection) => connection.callAdmin(method, request));
  }
}

function toResource(resource: ConfigResource) {
  return { type: resource.type === 'topic' ? ConfigResourceType.TOPIC : ConfigResourceType.BROKER, name: resource.name };
}
