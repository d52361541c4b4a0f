import { Inject, Injectable } from '@nestjs/common';
import {
  BROKER_CONFIG_DEFS,
  describeTopicConfigs,
  effectiveTopicConfig,
  isInternalTopic,
  type AlterConfigOp,
  type BrokerConfig,
  type BrokerRegistration,
  type ConfigResourceType,
  type CreatePartitionsRequest,
  type CreateTopicRequest,
  type MetadataImage,
  type PartitionImage,
  type TopicConfigEntry,
  type TopicImage,
} from '@tributary/metadata';
import { TributaryError } from '@tributary/protocol';
import { AppendNotifier } from './append-notifier';
import { BROKER_CONFIG } from './broker-config-provider';
import { ClusterMetadata, type TopicCreation } from './cluster-metadata';
import { METADATA_LOG_DIR } from '@tributary/controller';
import { PartitionLogs, partitionDirName } from './partition-logs';
import { ReplicaManager } from './replication/replica-manager';

export interface TopicView {
  topic: TopicImage;
  /** The topic's own config entries (not defaults). */
  configs: Record<string, string>;
  isInternal: boolean;
}

export interface ClusterView {
  clusterId: string;
  controllerId: number;
  brokers: BrokerRegistration[];
}

/**
 * Topic and cluster administration: requests are decided by the controller (embedded, or the
 * quorum's active one) through ClusterMetadata, and partition logs follow each new image: this
 * broker holds the partitions whose replicas include it.
 */
@Injectable()
export class TopicAdmin {
  constructor(
    @Inject(ClusterMetadata) private readonly metadata: ClusterMetadata,
    @Inject(PartitionLogs) private readonly logs: PartitionLogs,
    @Inject(BROKER_CONFIG) private readonly brokerConfig: BrokerConfig,
    @Inject(AppendNotifier) private readonly appendNotifier: AppendNotifier,
    @Inject(ReplicaManager) private readonly replicas: ReplicaManager,
  ) {
    metadata.onChange((image) => this.syncLogs(image));
  }

  /** Opens the logs of every partition of the image and removes what no topic owns (start-up). */
  async openLogs(): Promise<void> {
    const image = this.metadata.image;
    const known = new Set([METADATA_LOG_DIR]);
    for (const topic of image.topics()) this.hosted(topic).forEach((p) => known.add(partitionDirName(topic.name, p.partition)));
    await this.logs.removeStrayDirs((dir) => known.has(dir));
    await this.syncLogs(image);
  }

  /** Registers this broker, reachable at host:port. */
  registerSelf(host: string, port: number): Promise<void> {
    return this.metadata.registerSelf(host, port);
  }

  createTopic(request: CreateTopicRequest): Promise<TopicCreation> {
    return this.metadata.createTopic(request);
  }

  /** Creates `topic` with the broker's defaults unless it exists by now. */
  async autoCreate(topic: string): Promise<void> {
    await this.createTopic({ name: topic, ifNotExists: true });
  }

  async deleteTopic(name: string): Promise<void> {
    await this.metadata.deleteTopic(name);
  }

  listTopics(includeInternal: boolean): TopicView[] {
    const image = this.metadata.image;
    return image
      .topics()
      .filter((topic) => includeInternal || !isInternalTopic(topic.name))
      .map((topic) => this.view(image, topic));
  }

  /** The named topics (every topic when none are named); UNKNOWN_TOPIC_OR_PARTITION for a missing one. */
  describeTopics(names: readonly string[]): TopicView[] {
    const image = this.metadata.image;
    if (names.length === 0) return image.topics().map((topic) => this.view(image, topic));
    return names.map((name) => this.view(image, requireTopic(image, name)));
  }

  async createPartitions(request: CreatePartitionsRequest): Promise<TopicView> {
    return this.view(this.metadata.image, await this.metadata.createPartitions(request));
  }

  describeConfigs(resource: { type: ConfigResourceType; name: string }, names: readonly string[]): TopicConfigEntry[] {
    const entries = resource.type === 'topic' ? describeTopicConfigs(this.metadata.image, resource.name, this.brokerConfig) : this.describeBrokerConfigs(resource.name);
    if (names.length === 0) return entries;
    const known = new Map(entries.map((entry) => [entry.name, entry]));
    return names.map((name) => {
      const entry = known.get(name);
      if (!entry) throw new TributaryError('INVALID_CONFIG', `${name} is not a ${resource.type} config; describe without names to list them all`);
      return entry;
    });
  }

  async alterConfigs(
    resource: { type: ConfigResourceType; name: string },
    ops: readonly AlterConfigOp[],
    validateOnly: boolean,
  ): Promise<TopicConfigEntry[]> {
    if (resource.type === 'broker') {
      throw new TributaryError(
        'INVALID_REQUEST',
        'broker configs are read-only on this broker: set them in server.properties or with --config and restart',
      );
    }
    await this.metadata.alterConfigs({ resource, ops, validateOnly });
    return this.describeConfigs(resource, ops.map((op) => op.name));
  }

  describeCluster(): ClusterView {
    return { clusterId: this.metadata.clusterId, controllerId: this.metadata.controllerId, brokers: this.metadata.image.brokers() };
  }

  private describeBrokerConfigs(name: string): TopicConfigEntry[] {
    if (name !== '' && name !== String(this.metadata.nodeId)) {
      throw new TributaryError('INVALID_REQUEST', `broker ${name} is not this broker (node.id=${this.metadata.nodeId})`);
    }
    return BROKER_CONFIG_DEFS.map((def) => {
      const explicit = this.brokerConfig.explicit.get(def.name);
      return {
        name: def.name,
        value: def.sensitive ? null : (explicit ?? def.defaultValue),
        source: explicit !== undefined ? 'STATIC_BROKER_CONFIG' : 'DEFAULT_CONFIG',
        isDefault: explicit === undefined,
        readOnly: true,
        sensitive: def.sensitive ?? false,
        type: def.type,
        documentation: def.documentation,
      };
    });
  }

  private view(image: MetadataImage, topic: TopicImage): TopicView {
    return { topic, configs: Object.fromEntries(image.topicConfigs(topic.name)), isInternal: isInternalTopic(topic.name) };
  }

  /** Makes the open partition logs match the image: new partitions opened, configs updated, deleted topics removed. */
  private async syncLogs(image: MetadataImage): Promise<void> {
    for (const name of this.logs.topics()) {
      if (image.topic(name) === undefined) {
        // Fetches long-polling the deleted partitions answer now, not at max_wait_ms.
        for (const key of await this.logs.removeTopic(name)) this.appendNotifier.notify(key);
      }
    }
    for (const topic of image.topics()) {
      const config = effectiveTopicConfig(image, topic.name, this.brokerConfig);
      for (const partition of this.hosted(topic)) await this.logs.ensure(topic.name, topic.topicId, partition.partition, config);
    }
    await this.replicas.sync(image);
  }

  private hosted(topic: TopicImage): PartitionImage[] {
    return topic.partitions.filter((p) => p.replicas.includes(this.metadata.nodeId));
  }
}

function requireTopic(image: MetadataImage, name: string): TopicImage {
  const topic = image.topic(name);
  if (!topic) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
  return topic;
}
