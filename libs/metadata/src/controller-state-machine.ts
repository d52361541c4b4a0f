/**
 * The controller's decision logic: given the current MetadataImage and an admin request, it
 * validates the request and returns the metadata records that carry it out. It appends nothing
 * and changes nothing: the caller (the single-node broker today, the Raft controller later)
 * appends the records to `__cluster_metadata` and then applies them to its image. Requests must
 * be handled one at a time against the image that includes every record returned before, or two
 * requests could both pass validation against the same stale image.
 */
import { TributaryError } from '@tributary/protocol';
import { BROKER_CONFIG_DEFS_BY_NAME, BrokerConfig } from './broker-config';
import { parseConfigValue } from './config-def';
import { MetadataImage, TopicImage } from './metadata-image';
import { BrokerEndpoint, ConfigRecord, ConfigResourceType, MetadataRecord } from './metadata-record';
import { PlacementBroker, arrangeBrokers, placeReplicas } from './replica-placement';
import { resolveTopicConfig, topicConfigDef, validateTopicConfigs } from './topic-config';
import { RandomBytes, newTopicId } from './topic-id';
import { checkTopicNameCollision, isInternalTopic, validateTopicName } from './topic-name';

/** Kafka's default producer-id block (ProducerIdManager.PID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;
/** A bound on partitions per topic so a typo cannot create millions of directories. */
export const PARTITIONS_PER_TOPIC_MAX = 100_000;

export interface ControllerStateMachineOptions {
  readonly brokerConfig: BrokerConfig;
  /** Random source for topic ids; a seeded one makes tests reproducible. */
  readonly randomBytes?: RandomBytes;
  readonly partitionsPerTopicMax?: number;
}

export interface CreateTopicRequest {
  readonly name: string;
  /** 0 or absent: the broker's num.partitions. */
  readonly numPartitions?: number;
  /** 0 or absent: the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string>>;
  readonly ifNotExists?: boolean;
  readonly validateOnly?: boolean;
}

export interface PlacementContext {
  /** The brokers replicas may go to; default: the image's unfenced brokers. */
  readonly brokers?: readonly PlacementBroker[];
}

export interface ControllerResult {
  /** What to append, in order; empty when nothing changes (validateOnly, ifNotExists, no-op). */
  readonly records: MetadataRecord[];
}

export interface CreateTopicResult extends ControllerResult {
  /** The topic as it is (ifNotExists) or will be once `records` are applied. */
  readonly topic: TopicImage;
  /** The topic's own configs (normalized), as they are or will be. */
  readonly configs: Readonly<Record<string, string>>;
  /** False when ifNotExists found the topic already there. */
  readonly created: boolean;
}

export interface CreatePartitionsRequest {
  readonly topic: string;
  readonly totalCount: number;
  readonly validateOnly?: boolean;
}

export interface CreatePartitionsResult extends ControllerResult {
  readonly topic: TopicImage;
}

export type AlterConfigOp =
  | { readonly op: 'SET'; readonly name: string; readonly value: string }
  | { readonly op: 'DELETE'; readonly name: string };

export interface AlterConfigsRequest {
  readonly resource: { readonly type: ConfigResourceType; readonly name: string };
  readonly ops: readonly AlterConfigOp[];
  readonly validateOnly?: boolean;
}

export interface DeleteTopicRequest {
  readonly name: string;
  /** Internal topics (`__consumer_offsets` …) are refused unless this is set. */
  readonly allowInternal?: boolean;
}

export interface AllocateProducerIdsRequest {
  readonly brokerId: number;
  /** When given and the broker is registered, it must be the registration's epoch. */
  readonly brokerEpoch?: number;
  readonly blockSize?: number;
}

export interface AllocateProducerIdsResult extends ControllerResult {
  /** The block is [firstProducerId, firstProducerId + blockSize). */
  readonly firstProducerId: number;
  readonly blockSize: number;
}

export interface RegisterBrokerRequest {
  readonly brokerId: number;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack?: string | null;
  /** Kafka registers brokers fenced until they catch up; a single node may register unfenced. */
  readonly fenced?: boolean;
  /** Default: one above every epoch in the image (Kafka uses the record's log offset). */
  readonly brokerEpoch?: number;
}

export interface RegisterBrokerResult extends ControllerResult {
  readonly brokerEpoch: number;
}

export class ControllerStateMachine {
  private readonly broker: BrokerConfig;
  private readonly randomBytes: RandomBytes | undefined;
  private readonly partitionsMax: number;

  constructor(options: ControllerStateMachineOptions) {
    this.broker = options.brokerConfig;
    this.randomBytes = options.randomBytes;
    this.partitionsMax = options.partitionsPerTopicMax ?? PARTITIONS_PER_TOPIC_MAX;
  }

  createTopic(image: MetadataImage, request: CreateTopicRequest, context: PlacementContext = {}): CreateTopicResult {
    const { name } = request;
    validateTopicName(name);
    const existing = image.topic(name);
    if (existing !== undefined) {
      if (request.ifNotExists) {
        return { records: [], topic: existing, configs: Object.fromEntries(image.topicConfigs(name)), created: false };
      }
      throw new TributaryError('TOPIC_ALREADY_EXISTS', `Topic ${name} already exists`);
    }
    checkTopicNameCollision(name, image.topicNames());
    const numPartitions = orDefault(request.numPartitions, this.broker.numPartitions);
    this.checkPartitionCount(name, numPartitions);
    const replicationFactor = orDefault(request.replicationFactor, this.broker.defaultReplicationFactor);
    const brokers = this.placementBrokers(image, context);
    checkReplicationFactor(replicationFactor, brokers);
    const configs = validateTopicConfigs(request.configs ?? {});
    checkMinInsyncReplicas(resolveTopicConfig(configs, this.broker).minInsyncReplicas, replicationFactor, name);

    const topicId = newTopicId(this.randomBytes);
    const assignment = placeReplicas({ brokers, numPartitions, replicationFactor, startIndex: startIndexFor(topicId) });
    const records: MetadataRecord[] = [{ type: 'Topic', name, topicId }];
    assignment.forEach((replicas, partition) =>
      records.push({ type: 'Partition', topicId, partition, replicas, isr: replicas, leader: replicas[0], leaderEpoch: 0, partitionEpoch: 0 }),
    );
    for (const [configName, value] of Object.entries(configs)) {
      records.push({ type: 'Config', resourceType: 'topic', resourceName: name, name: configName, value });
    }
    const topic = image.apply(records).topic(name) as TopicImage;
    return { records: request.validateOnly ? [] : records, topic, configs, created: true };
  }

  deleteTopic(image: MetadataImage, request: DeleteTopicRequest): ControllerResult {
    const topic = requireTopic(image, request.name);
    if (!this.broker.deleteTopicEnable) {
      throw new TributaryError('TOPIC_DELETION_DISABLED', `Topic deletion is disabled (delete.topic.enable=false); cannot delete ${request.name}`);
    }
    if (isInternalTopic(request.name) && !request.allowInternal) {
      throw new TributaryError('INVALID_REQUEST', `Topic ${request.name} is internal to the cluster and cannot be deleted`);
    }
    return { records: [{ type: 'RemoveTopic', topicId: topic.topicId }] };
  }

  createPartitions(image: MetadataImage, request: CreatePartitionsRequest, context: PlacementContext = {}): CreatePartitionsResult {
    const topic = requireTopic(image, request.topic);
    const current = topic.partitions.length;
    const { totalCount } = request;
    if (!Number.isInteger(totalCount) || totalCount < current) {
      throw new TributaryError(
        'INVALID_PARTITIONS',
        `Topic ${topic.name} currently has ${current} partitions, which is higher than the requested ${totalCount}; partitions can only be added`,
      );
    }
    if (totalCount === current) {
      throw new TributaryError('INVALID_PARTITIONS', `Topic ${topic.name} already has ${current} partitions; ask for more than ${current}`);
    }
    this.checkPartitionCount(topic.name, totalCount);
    const brokers = this.placementBrokers(image, context);
    const replicationFactor = topic.partitions[0]?.replicas.length ?? 1;
    checkReplicationFactor(replicationFactor, brokers);
    // Continue the existing layout: start where partition 0's leader sits, as Kafka does.
    const leaderIndex = arrangeBrokers(brokers).findIndex((b) => b.id === topic.partitions[0]?.leader);
    const assignment = placeReplicas({
      brokers,
      numPartitions: totalCount - current,
      replicationFactor,
      firstPartition: current,
      startIndex: leaderIndex >= 0 ? leaderIndex : startIndexFor(topic.topicId),
    });
    const records: MetadataRecord[] = assignment.map((replicas, i) => ({
      type: 'Partition',
      topicId: topic.topicId,
      partition: current + i,
      replicas,
      isr: replicas,
      leader: replicas[0],
      leaderEpoch: 0,
      partitionEpoch: 0,
    }));
    const after = image.apply(records).topicById(topic.topicId) as TopicImage;
    return { records: request.validateOnly ? [] : records, topic: after };
  }

  alterConfigs(image: MetadataImage, request: AlterConfigsRequest): ControllerResult {
    const { type, name } = request.resource;
    const seen = new Set<string>();
    for (const op of request.ops) {
      if (seen.has(op.name)) throw new TributaryError('INVALID_REQUEST', `Config ${op.name} appears twice in one request; send it once`);
      seen.add(op.name);
    }
    const records: ConfigRecord[] =
      type === 'topic' ? this.topicConfigRecords(image, name, request.ops) : this.brokerConfigRecords(image, name, request.ops);
    return { records: request.validateOnly ? [] : records };
  }

  allocateProducerIds(image: MetadataImage, request: AllocateProducerIdsRequest): AllocateProducerIdsResult {
    const blockSize = request.blockSize ?? PRODUCER_ID_BLOCK_SIZE;
    if (!Number.isSafeInteger(blockSize) || blockSize < 1) {
      throw new TributaryError('INVALID_REQUEST', `Producer id block size must be a positive integer, got ${blockSize}`);
    }
    const registered = image.broker(request.brokerId);
    if (registered !== undefined && request.brokerEpoch !== undefined && registered.brokerEpoch !== request.brokerEpoch) {
      throw new TributaryError(
        'INVALID_REQUEST',
        `Broker ${request.brokerId} asked for producer ids with epoch ${request.brokerEpoch}, but its registration has epoch ${registered.brokerEpoch}; re-register`,
      );
    }
    const firstProducerId = image.nextProducerId;
    const nextProducerId = firstProducerId + blockSize;
    if (!Number.isSafeInteger(nextProducerId)) {
      throw new TributaryError('UNKNOWN_SERVER_ERROR', `Producer ids are exhausted: cannot hand out ${blockSize} after ${firstProducerId}`);
    }
    const brokerEpoch = request.brokerEpoch ?? registered?.brokerEpoch ?? -1;
    return { records: [{ type: 'ProducerIds', brokerId: request.brokerId, brokerEpoch, nextProducerId }], firstProducerId, blockSize };
  }

  registerBroker(image: MetadataImage, request: RegisterBrokerRequest): RegisterBrokerResult {
    const { brokerId, endpoints } = request;
    if (!Number.isInteger(brokerId) || brokerId < 0 || brokerId >= 2 ** 31) {
      throw new TributaryError('INVALID_REQUEST', `Broker id must be an integer in [0, 2147483647], got ${brokerId}`);
    }
    for (const e of endpoints) {
      if (e.host.length === 0 || !Number.isInteger(e.port) || e.port < 0 || e.port > 65535) {
        throw new TributaryError('INVALID_REQUEST', `Broker ${brokerId} endpoint ${e.host}:${e.port} is not a host and a port in [0, 65535]`);
      }
    }
    const epochsMax = Math.max(0, ...image.brokers().map((b) => b.brokerEpoch));
    const brokerEpoch = request.brokerEpoch ?? epochsMax + 1;
    const previous = image.broker(brokerId);
    if (previous !== undefined && brokerEpoch <= previous.brokerEpoch) {
      throw new TributaryError('INVALID_REQUEST', `Broker ${brokerId} epoch ${brokerEpoch} is not above its current epoch ${previous.brokerEpoch}`);
    }
    return {
      records: [{ type: 'RegisterBroker', brokerId, brokerEpoch, endpoints, rack: request.rack ?? null, fenced: request.fenced ?? false }],
      brokerEpoch,
    };
  }

  /** Fences (or unfences) a registered broker. */
  setBrokerFenced(image: MetadataImage, brokerId: number, fenced: boolean): ControllerResult {
    const broker = image.broker(brokerId);
    if (broker === undefined) throw new TributaryError('INVALID_REQUEST', `Broker ${brokerId} is not registered`);
    if (broker.fenced === fenced) return { records: [] };
    return { records: [{ type: 'BrokerRegistrationChange', brokerId, brokerEpoch: broker.brokerEpoch, fenced }] };
  }

  /** The record that stamps a new cluster's id; refuses an image of another cluster. */
  formatCluster(image: MetadataImage, clusterId: string): ControllerResult {
    if (clusterId.length === 0) throw new TributaryError('INVALID_REQUEST', 'The cluster id is empty');
    if (image.clusterId === clusterId) return { records: [] };
    if (image.clusterId !== null) {
      throw new TributaryError('INVALID_REQUEST', `This metadata belongs to cluster ${image.clusterId}, not ${clusterId}`);
    }
    return { records: [{ type: 'ClusterId', clusterId }] };
  }

  private checkPartitionCount(topic: string, count: number): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new TributaryError('INVALID_PARTITIONS', `Number of partitions must be at least 1, got ${count} for topic ${topic}`);
    }
    if (count > this.partitionsMax) {
      throw new TributaryError('INVALID_PARTITIONS', `Number of partitions ${count} for topic ${topic} is above the limit of ${this.partitionsMax}`);
    }
  }

  private placementBrokers(image: MetadataImage, context: PlacementContext): readonly PlacementBroker[] {
    return context.brokers ?? image.unfencedBrokers().map((b) => ({ id: b.brokerId, rack: b.rack }));
  }

  private topicConfigRecords(image: MetadataImage, name: string, ops: readonly AlterConfigOp[]): ConfigRecord[] {
    const topic = requireTopic(image, name);
    const after = Object.fromEntries(image.topicConfigs(name));
    const records = ops.map((op): ConfigRecord => {
      let value: string | null = null;
      if (op.op === 'SET') {
        value = validateTopicConfigs({ [op.name]: op.value })[op.name];
        after[op.name] = value;
      } else {
        topicConfigDef(op.name); // deleting an unknown name is an error, deleting an unset one is not
        delete after[op.name];
      }
      return { type: 'Config', resourceType: 'topic', resourceName: name, name: op.name, value };
    });
    checkMinInsyncReplicas(resolveTopicConfig(after, this.broker).minInsyncReplicas, topic.partitions[0]?.replicas.length ?? 1, name);
    return records;
  }

  private brokerConfigRecords(image: MetadataImage, name: string, ops: readonly AlterConfigOp[]): ConfigRecord[] {
    if (name !== '' && !(/^\d+$/.test(name) && image.broker(Number(name)) !== undefined) && name !== String(this.broker.nodeId)) {
      throw new TributaryError('INVALID_REQUEST', `Broker ${name} is not registered; name a broker id, or '' for the cluster-wide default`);
    }
    return ops.map((op) => {
      const def = BROKER_CONFIG_DEFS_BY_NAME.get(op.name);
      if (def === undefined) throw new TributaryError('INVALID_CONFIG', `Unknown broker config name: ${op.name}`);
      if (def.readOnly) throw new TributaryError('INVALID_CONFIG', `Broker config ${op.name} is read-only; it can only be set in the broker's configuration file`);
      const value = op.op === 'SET' ? op.value.trim() : null;
      if (value !== null) parseConfigValue(def, value);
      return { type: 'Config', resourceType: 'broker', resourceName: name, name: op.name, value };
    });
  }
}

function orDefault(value: number | undefined, fallback: number): number {
  return value === undefined || value === 0 ? fallback : value;
}

function requireTopic(image: MetadataImage, name: string): TopicImage {
  const topic = image.topic(name);
  if (topic === undefined) {
    throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${name} does not exist; check the name or create it first`);
  }
  return topic;
}

function checkReplicationFactor(replicationFactor: number, brokers: readonly PlacementBroker[]): void {
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new TributaryError('INVALID_REPLICATION_FACTOR', `Replication factor must be at least 1, got ${replicationFactor}`);
  }
  if (replicationFactor > brokers.length) {
    throw new TributaryError(
      'INVALID_REPLICATION_FACTOR',
      `Unable to replicate the partition ${replicationFactor} time(s): only ${brokers.length} broker(s) are available; lower the replication factor or start more brokers`,
    );
  }
}

function checkMinInsyncReplicas(minInsyncReplicas: number, replicationFactor: number, topic: string): void {
  if (minInsyncReplicas > replicationFactor) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `min.insync.replicas=${minInsyncReplicas} for topic ${topic} is above its replication factor ${replicationFactor}; writes with acks=all could never succeed`,
    );
  }
}

/** Spreads the first leader of different topics over the brokers without randomness of our own. */
function startIndexFor(topicId: string): number {
  let h = 0;
  for (let i = 0; i < topicId.length; i++) h = (h * 31 + topicId.charCodeAt(i)) >>> 0;
  return h;
}
