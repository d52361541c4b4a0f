import { Inject, Injectable } from '@nestjs/common';
import { effectiveTopicConfig, type BrokerConfig, type EffectiveTopicConfig, type MetadataImage } from '@tributary/metadata';
import { TributaryError } from '@tributary/protocol';
import type { PartitionLog } from '@tributary/storage';
import { BROKER_CONFIG } from './broker-config-provider';
import { ClusterMetadata } from './cluster-metadata';
import { PartitionLogs, partitionDirName } from './partition-logs';
import type { PartitionReplica } from './replication/partition-replica';
import { ReplicaManager } from './replication/replica-manager';
import { TopicAdmin } from './topic-admin';

export interface ResolvedPartition {
  /** `<topic>-<partition>`: names the partition in logs, metrics and fetch wake-ups. */
  key: string;
  log: PartitionLog;
  /** This broker's replica, which leads the partition. */
  replica: PartitionReplica;
  config: EffectiveTopicConfig;
}

/**
 * Finds the log, leader replica and effective config of a topic-partition for the data plane
 * (NOT_LEADER_OR_FOLLOWER naming the leader when this broker does not lead it), creating an unknown
 * topic when auto.create.topics.enable allows it (as Kafka does on a metadata request; here on
 * Produce and Fetch too, for gRPC clients that never ask for metadata).
 */
@Injectable()
export class PartitionResolver {
  private configImage?: MetadataImage;
  private readonly configs = new Map<string, EffectiveTopicConfig>();

  constructor(
    @Inject(ClusterMetadata) private readonly metadata: ClusterMetadata,
    @Inject(PartitionLogs) private readonly logs: PartitionLogs,
    @Inject(TopicAdmin) private readonly admin: TopicAdmin,
    @Inject(BROKER_CONFIG) private readonly brokerConfig: BrokerConfig,
    @Inject(ReplicaManager) private readonly replicas: ReplicaManager,
  ) {}

  key(topic: string, partition: number): string {
    return partitionDirName(topic, partition);
  }

  /** The high watermark of a partition this broker holds (-1 when it holds none), without creating anything. */
  highWatermark(topic: string, partition: number): number {
    return this.replicas.find(partitionDirName(topic, partition))?.highWatermark ?? -1;
  }

  async resolve(topic: string, partition: number, options: { autoCreate: boolean }): Promise<ResolvedPartition> {
    await this.ensureTopic(topic, options);
    const image = this.metadata.image;
    const count = image.partitionCount(topic) ?? 0;
    const log = this.logs.find(topic, partition);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      throw new TributaryError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `partition ${partition} of topic ${topic} does not exist: the topic has partitions 0..${count - 1}`,
      );
    }
    if (!log) {
      // With a controller quorum a broker holds only the partitions whose replicas include it.
      const leader = image.topic(topic)?.partitions[partition]?.leader ?? -1;
      throw new TributaryError(
        'NOT_LEADER_OR_FOLLOWER',
        `broker ${this.metadata.nodeId} is not a replica of partition ${partition} of topic ${topic}; its leader is broker ${leader}: send it there`,
      );
    }
    return { key: partitionDirName(topic, partition), log, replica: this.replicas.leader(topic, partition), config: this.configOf(image, topic) };
  }

  /** Checks that the topic exists, creating it when asked to and auto.create.topics.enable allows it. */
  async ensureTopic(topic: string, options: { autoCreate: boolean }): Promise<void> {
    if (this.metadata.image.topic(topic) !== undefined) return;
    if (!options.autoCreate || !this.brokerConfig.autoCreateTopicsEnable) {
      throw new TributaryError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `topic ${topic} does not exist and auto.create.topics.enable is false; create it first`,
      );
    }
    await this.admin.autoCreate(topic);
  }

  /** Parsed configs are cached per image: Produce is hot, and configs change only with the image. */
  private configOf(image: MetadataImage, topic: string): EffectiveTopicConfig {
    if (this.configImage !== image) {
      this.configs.clear();
      this.configImage = image;
    }
    let config = this.configs.get(topic);
    if (!config) this.configs.set(topic, (config = effectiveTopicConfig(image, topic, this.brokerConfig)));
    return config;
  }
}
