/**
 * MetadataImage: the cluster metadata that applying metadata records in log order yields —
 * topics (by name and by id) with their partitions, configs per resource, registered brokers,
 * the producer-id high mark, features and the cluster id. Images are immutable: `apply` returns a
 * new image sharing everything the records did not touch, so readers may hold an image as long as
 * they like. `apply` checks every record against the image and throws (leaving nothing applied)
 * when a record breaks an invariant; a log that does that is corrupt or was written by a bug.
 */
import { TributaryError } from '@tributary/protocol';
import {
  BrokerEndpoint,
  ConfigRecord,
  ConfigResourceType,
  MetadataRecord,
  PartitionChangeRecord,
  PartitionRecord,
} from './metadata-record';

/** A partition as its latest Partition/PartitionChange records left it. */
export type PartitionImage = Omit<PartitionRecord, 'type' | 'topicId'>;

export interface TopicImage {
  readonly name: string;
  readonly topicId: string;
  /** Indexed by partition number: partitions are always 0..n-1. */
  readonly partitions: readonly PartitionImage[];
}

export interface BrokerRegistration {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
  /** Absent for a broker registered without one (the single-node broker's self-registration). */
  readonly incarnationId?: string;
}

export interface ProducerIdsImage {
  /** The broker the last block went to (-1 when none was handed out). */
  readonly brokerId: number;
  readonly brokerEpoch: number;
  /** The first producer id not yet handed out. */
  readonly nextProducerId: number;
}

type Configs = ReadonlyMap<string, ReadonlyMap<string, string>>;

interface ImageState {
  readonly topicsById: ReadonlyMap<string, TopicImage>;
  readonly topicIdsByName: ReadonlyMap<string, string>;
  readonly topicConfigs: Configs;
  readonly brokerConfigs: Configs;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  readonly producerIds: ProducerIdsImage;
  readonly features: ReadonlyMap<string, number>;
  readonly clusterId: string | null;
}

const NO_CONFIGS: ReadonlyMap<string, string> = new Map();
const NO_LEADER = -1;

export class MetadataImage {
  static readonly EMPTY = new MetadataImage({
    topicsById: new Map(),
    topicIdsByName: new Map(),
    topicConfigs: new Map(),
    brokerConfigs: new Map(),
    brokers: new Map(),
    producerIds: { brokerId: -1, brokerEpoch: -1, nextProducerId: 0 },
    features: new Map(),
    clusterId: null,
  });

  private constructor(private readonly state: ImageState) {}

  /** The image after `records`, applied in order; throws on the first record that breaks an invariant. */
  apply(records: readonly MetadataRecord[]): MetadataImage {
    if (records.length === 0) return this;
    const delta = new ImageDelta(this.state);
    records.forEach((record, index) => {
      try {
        delta.replay(record);
      } catch (e) {
        if (e instanceof TributaryError) {
          throw new TributaryError(e.code, `Metadata record ${index} (${record.type}) cannot be applied: ${e.message}`, { cause: e });
        }
        throw e;
      }
    });
    return new MetadataImage(delta.finish());
  }

  get clusterId(): string | null {
    return this.state.clusterId;
  }

  /** The first producer id not yet handed out. */
  get nextProducerId(): number {
    return this.state.producerIds.nextProducerId;
  }

  get producerIds(): ProducerIdsImage {
    return this.state.producerIds;
  }

  topic(name: string): TopicImage | undefined {
    const id = this.state.topicIdsByName.get(name);
    return id === undefined ? undefined : this.state.topicsById.get(id);
  }

  topicById(topicId: string): TopicImage | undefined {
    return this.state.topicsById.get(topicId);
  }

  /** Topics sorted by name. */
  topics(): TopicImage[] {
    return [...this.state.topicsById.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  topicNames(): string[] {
    return [...this.state.topicIdsByName.keys()].sort();
  }

  /** The partition count of `name`, or undefined when there is no such topic. */
  partitionCount(name: string): number | undefined {
    return this.topic(name)?.partitions.length;
  }

  partition(name: string, partition: number): PartitionImage | undefined {
    return this.topic(name)?.partitions[partition];
  }

  /** The topic's own config entries (not defaults); empty for an unknown topic. */
  topicConfigs(name: string): ReadonlyMap<string, string> {
    return this.state.topicConfigs.get(name) ?? NO_CONFIGS;
  }

  /** Dynamic broker configs of one broker id ('' = cluster-wide default). */
  brokerConfigs(resourceName: string): ReadonlyMap<string, string> {
    return this.state.brokerConfigs.get(resourceName) ?? NO_CONFIGS;
  }

  configs(resourceType: ConfigResourceType, resourceName: string): ReadonlyMap<string, string> {
    return resourceType === 'topic' ? this.topicConfigs(resourceName) : this.brokerConfigs(resourceName);
  }

  broker(brokerId: number): BrokerRegistration | undefined {
    return this.state.brokers.get(brokerId);
  }

  /** Registered brokers sorted by id. */
  brokers(): BrokerRegistration[] {
    return [...this.state.brokers.values()].sort((a, b) => a.brokerId - b.brokerId);
  }

  /** Brokers that may lead partitions and take new replicas. */
  unfencedBrokers(): BrokerRegistration[] {
    return this.brokers().filter((b) => !b.fenced);
  }

  featureLevel(name: string): number {
    return this.state.features.get(name) ?? 0;
  }

  /**
   * Records that rebuild this image from EMPTY (a snapshot): `EMPTY.apply(image.toRecords())`
   * equals `image`, apart from partition epochs and leader epochs which PartitionRecord carries.
   */
  toRecords(): MetadataRecord[] {
    const s = this.state;
    const records: MetadataRecord[] = [];
    if (s.clusterId !== null) records.push({ type: 'ClusterId', clusterId: s.clusterId });
    for (const [name, featureLevel] of s.features) records.push({ type: 'FeatureLevel', name, featureLevel });
    for (const b of this.brokers()) {
      records.push({ type: 'RegisterBroker', ...b });
    }
    for (const t of this.topics()) {
      records.push({ type: 'Topic', name: t.name, topicId: t.topicId });
      for (const p of t.partitions) records.push({ type: 'Partition', topicId: t.topicId, ...p });
    }
    for (const [resourceType, configs] of [['topic', s.topicConfigs], ['broker', s.brokerConfigs]] as const) {
      for (const [resourceName, entries] of configs) {
        for (const [name, value] of entries) records.push({ type: 'Config', resourceType, resourceName, name, value });
      }
    }
    if (s.producerIds.nextProducerId > 0) records.push({ type: 'ProducerIds', ...s.producerIds });
    return records;
  }
}

function invariant(code: 'INVALID_REQUEST' | 'UNKNOWN_TOPIC_ID' | 'TOPIC_ALREADY_EXISTS' | 'UNKNOWN_TOPIC_OR_PARTITION', message: string): never {
  throw new TributaryError(code, message);
}

/** Mutable working copy for one `apply`; copies each map once, on first write. */
class ImageDelta {
  private topicsById: Map<string, TopicImage> | null = null;
  private topicIdsByName: Map<string, string> | null = null;
  /** Topics whose partitions array is this delta's own copy. */
  private readonly ownedTopics = new Map<string, { name: string; topicId: string; partitions: PartitionImage[] }>();
  private topicConfigs: Map<string, ReadonlyMap<string, string>> | null = null;
  private brokerConfigs: Map<string, ReadonlyMap<string, string>> | null = null;
  private brokers: Map<number, BrokerRegistration> | null = null;
  private features: Map<string, number> | null = null;
  private producerIds: ProducerIdsImage;
  private clusterId: string | null;

  constructor(private readonly base: ImageState) {
    this.producerIds = base.producerIds;
    this.clusterId = base.clusterId;
  }

  private get topicsR(): ReadonlyMap<string, TopicImage> {
    return this.topicsById ?? this.base.topicsById;
  }

  private get namesR(): ReadonlyMap<string, string> {
    return this.topicIdsByName ?? this.base.topicIdsByName;
  }

  private topicsW(): Map<string, TopicImage> {
    return (this.topicsById ??= new Map(this.base.topicsById));
  }

  private namesW(): Map<string, string> {
    return (this.topicIdsByName ??= new Map(this.base.topicIdsByName));
  }

  private brokersW(): Map<number, BrokerRegistration> {
    return (this.brokers ??= new Map(this.base.brokers));
  }

  private configsW(resourceType: ConfigResourceType): Map<string, ReadonlyMap<string, string>> {
    return resourceType === 'topic'
      ? (this.topicConfigs ??= new Map(this.base.topicConfigs))
      : (this.brokerConfigs ??= new Map(this.base.brokerConfigs));
  }

  private ownedTopic(topicId: string): { name: string; topicId: string; partitions: PartitionImage[] } {
    const owned = this.ownedTopics.get(topicId);
    if (owned !== undefined) return owned;
    const topic = this.topicsR.get(topicId);
    if (topic === undefined) invariant('UNKNOWN_TOPIC_ID', `topic id ${topicId} is not in the image`);
    const copy = { name: topic.name, topicId, partitions: [...topic.partitions] };
    this.ownedTopics.set(topicId, copy);
    this.topicsW().set(topicId, copy);
    return copy;
  }

  replay(record: MetadataRecord): void {
    switch (record.type) {
      case 'ClusterId':
        if (this.clusterId !== null && this.clusterId !== record.clusterId) {
          invariant('INVALID_REQUEST', `the cluster id is ${this.clusterId} already; a log of cluster ${record.clusterId} does not belong here`);
        }
        this.clusterId = record.clusterId;
        return;
      case 'FeatureLevel':
        this.features ??= new Map(this.base.features);
        if (record.featureLevel === 0) this.features.delete(record.name);
        else this.features.set(record.name, record.featureLevel);
        return;
      case 'RegisterBroker': {
        const previous = (this.brokers ?? this.base.brokers).get(record.brokerId);
        if (previous !== undefined && record.brokerEpoch <= previous.brokerEpoch) {
          invariant('INVALID_REQUEST', `broker ${record.brokerId} registers with epoch ${record.brokerEpoch}, not above its current ${previous.brokerEpoch}`);
        }
        const { type: _type, ...registration } = record;
        this.brokersW().set(record.brokerId, registration);
        return;
      }
      case 'UnregisterBroker':
        this.requireBroker(record.brokerId, record.brokerEpoch);
        this.brokersW().delete(record.brokerId);
        return;
      case 'BrokerRegistrationChange': {
        const broker = this.requireBroker(record.brokerId, record.brokerEpoch);
        this.brokersW().set(record.brokerId, { ...broker, fenced: record.fenced ?? broker.fenced });
        return;
      }
      case 'Topic':
        if (this.namesR.has(record.name)) invariant('TOPIC_ALREADY_EXISTS', `topic ${record.name} exists already`);
        if (this.topicsR.has(record.topicId)) invariant('INVALID_REQUEST', `topic id ${record.topicId} is in use already`);
        this.topicsW().set(record.topicId, { name: record.name, topicId: record.topicId, partitions: [] });
        this.namesW().set(record.name, record.topicId);
        return;
      case 'Partition':
        this.replayPartition(record);
        return;
      case 'PartitionChange':
        this.replayPartitionChange(record);
        return;
      case 'RemoveTopic': {
        const topic = this.topicsR.get(record.topicId);
        if (topic === undefined) invariant('UNKNOWN_TOPIC_ID', `topic id ${record.topicId} is not in the image`);
        this.topicsW().delete(record.topicId);
        this.namesW().delete(topic.name);
        this.ownedTopics.delete(record.topicId);
        // A topic's configs go with it, so a topic created again under the name starts clean.
        this.configsW('topic').delete(topic.name);
        return;
      }
      case 'Config':
        this.replayConfig(record);
        return;
      case 'ProducerIds':
        if (record.nextProducerId <= this.producerIds.nextProducerId) {
          invariant('INVALID_REQUEST', `nextProducerId ${record.nextProducerId} does not advance past ${this.producerIds.nextProducerId}`);
        }
        this.producerIds = { brokerId: record.brokerId, brokerEpoch: record.brokerEpoch, nextProducerId: record.nextProducerId };
        return;
    }
  }

  private requireBroker(brokerId: number, brokerEpoch: number): BrokerRegistration {
    const broker = (this.brokers ?? this.base.brokers).get(brokerId);
    if (broker === undefined) invariant('INVALID_REQUEST', `broker ${brokerId} is not registered`);
    if (broker.brokerEpoch !== brokerEpoch) {
      invariant('INVALID_REQUEST', `broker ${brokerId} has epoch ${broker.brokerEpoch}, the record names ${brokerEpoch}`);
    }
    return broker;
  }

  private replayPartition(record: PartitionRecord): void {
    const topic = this.ownedTopic(record.topicId);
    if (record.partition < 0 || record.partition > topic.partitions.length) {
      invariant(
        'INVALID_REQUEST',
        `partition ${record.partition} of ${topic.name} would leave a gap: the topic has partitions 0..${topic.partitions.length - 1}`,
      );
    }
    const { type: _type, topicId: _topicId, ...partition } = record;
    checkPartition(topic.name, partition);
    topic.partitions[record.partition] = partition;
  }

  private replayPartitionChange(record: PartitionChangeRecord): void {
    const topic = this.ownedTopic(record.topicId);
    const current = topic.partitions[record.partition];
    if (current === undefined) {
      invariant('UNKNOWN_TOPIC_OR_PARTITION', `partition ${record.partition} of ${topic.name} does not exist`);
    }
    const leader = record.leader ?? current.leader;
    const next: PartitionImage = {
      partition: current.partition,
      replicas: record.replicas ?? current.replicas,
      isr: record.isr ?? current.isr,
      leader,
      leaderEpoch: leader !== current.leader ? current.leaderEpoch + 1 : current.leaderEpoch,
      partitionEpoch: current.partitionEpoch + 1,
    };
    checkPartition(topic.name, next);
    topic.partitions[record.partition] = next;
  }

  private replayConfig(record: ConfigRecord): void {
    if (record.resourceType === 'topic' && !this.namesR.has(record.resourceName)) {
      invariant('UNKNOWN_TOPIC_OR_PARTITION', `config ${record.name} names topic ${record.resourceName}, which does not exist`);
    }
    const configs = this.configsW(record.resourceType);
    const entries = new Map(configs.get(record.resourceName) ?? NO_CONFIGS);
    if (record.value === null) entries.delete(record.name);
    else entries.set(record.name, record.value);
    if (entries.size === 0) configs.delete(record.resourceName);
    else configs.set(record.resourceName, entries);
  }

  finish(): ImageState {
    return {
      topicsById: this.topicsById ?? this.base.topicsById,
      topicIdsByName: this.topicIdsByName ?? this.base.topicIdsByName,
      topicConfigs: this.topicConfigs ?? this.base.topicConfigs,
      brokerConfigs: this.brokerConfigs ?? this.base.brokerConfigs,
      brokers: this.brokers ?? this.base.brokers,
      producerIds: this.producerIds,
      features: this.features ?? this.base.features,
      clusterId: this.clusterId,
    };
  }
}

function checkPartition(topic: string, p: PartitionImage): void {
  const where = `partition ${p.partition} of ${topic}`;
  if (p.replicas.length === 0) invariant('INVALID_REQUEST', `${where} has no replicas`);
  if (new Set(p.replicas).size !== p.replicas.length) invariant('INVALID_REQUEST', `${where} lists a replica twice: ${p.replicas.join(',')}`);
  if (new Set(p.isr).size !== p.isr.length) invariant('INVALID_REQUEST', `${where} lists an in-sync replica twice: ${p.isr.join(',')}`);
  const notReplica = p.isr.find((id) => !p.replicas.includes(id));
  if (notReplica !== undefined) invariant('INVALID_REQUEST', `${where} has in-sync replica ${notReplica} that is not a replica`);
  if (p.leader !== NO_LEADER && !p.isr.includes(p.leader)) {
    invariant('INVALID_REQUEST', `${where} has leader ${p.leader} outside its ISR ${p.isr.join(',')}`);
  }
  if (p.leaderEpoch < 0 || p.partitionEpoch < 0) invariant('INVALID_REQUEST', `${where} has a negative epoch`);
}
