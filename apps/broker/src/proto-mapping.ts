/** Domain values (libs/metadata) as tributary.broker.v1 messages. */
import type { BrokerRegistration, ConfigSourceName, PartitionImage, TopicConfigEntry } from '@tributary/metadata';
import {
  ConfigSource,
  ErrorCode,
  type BrokerNode,
  type ConfigEntry,
  type PartitionDescription,
  type PartitionMetadata,
  type TopicDescription,
} from '@tributary/proto';
import type { TopicView } from './topic-admin';

export function toBrokerNode(broker: BrokerRegistration): BrokerNode {
  const endpoint = broker.endpoints[0] ?? { host: '', port: 0 };
  return { nodeId: broker.brokerId, host: endpoint.host, port: endpoint.port, rack: broker.rack ?? undefined };
}

export function toPartitionMetadata(p: PartitionImage): PartitionMetadata {
  return {
    partition: p.partition,
    leaderId: p.leader,
    leaderEpoch: p.leaderEpoch,
    replicas: [...p.replicas],
    isr: [...p.isr],
    errorCode: ErrorCode.NONE,
  };
}

export function toPartitionDescription(p: PartitionImage): PartitionDescription {
  return { partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: [...p.replicas], isr: [...p.isr] };
}

export function toTopicDescription(view: TopicView): TopicDescription {
  return {
    name: view.topic.name,
    topicId: view.topic.topicId,
    isInternal: view.isInternal,
    partitions: view.topic.partitions.map(toPartitionDescription),
    configs: view.configs,
  };
}

const CONFIG_SOURCES: Record<ConfigSourceName, ConfigSource> = {
  DYNAMIC_TOPIC_CONFIG: ConfigSource.DYNAMIC_TOPIC_CONFIG,
  STATIC_BROKER_CONFIG: ConfigSource.STATIC_BROKER_CONFIG,
  DEFAULT_CONFIG: ConfigSource.DEFAULT_CONFIG,
};

export function toConfigEntry(entry: TopicConfigEntry): ConfigEntry {
  return {
    name: entry.name,
    value: entry.sensitive ? undefined : (entry.value ?? undefined),
    source: CONFIG_SOURCES[entry.source],
    isDefault: entry.isDefault,
    readOnly: entry.readOnly,
    sensitive: entry.sensitive,
    type: entry.type,
    documentation: entry.documentation,
  };
}
