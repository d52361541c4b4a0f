/**
 * The controller's decision logic: given the current MetadataImage and an admin request, it
 * validates the request and returns the metadata records that carry it out. It appends nothing
 * and changes nothing: the caller (the single-node broker today, the Raft controller later)
 * appends the records to `__cluster_metadata` and then applies them to its image. Requests must
 * be handled one at a time against the image that includes every record returned before, or two
 * requests could both pass validation against the same stale image.
 *
 * The one thing it keeps is the broker leases (BrokerHeartbeatManager), which Kafka does not
 * replicate either: registerBroker and heartbeat touch them, fenceExpiredBrokers reads them and
 * activate starts them afresh when this controller becomes active. Time comes in as numbers, and
 * the periodic checks (fenceExpiredBrokers, balancePartitionLeaders) are called by the caller's timers.
 */
import { TributaryError } from '@tributary/protocol';
import { BROKER_CONFIG_DEFS_BY_NAME, BrokerConfig } from './broker-config';
import { parseConfigValue } from './config-def';
import { BrokerHeartbeatManager } from './broker-heartbeat-manager';
import { BrokerRegistration, MetadataImage, PartitionImage, TopicImage } from './metadata-image';
import { BrokerEndpoint, ConfigRecord, ConfigResourceType, MetadataRecord, PartitionChangeRecord } from './metadata-record';
import { NO_LEADER, isrWithout, partitionChange } from './partition-change';
import { preferredLeaderChanges } from './preferred-leader-balance';
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
  /** Default: brokerConfig's broker.session.timeout.ms. */
  readonly sessionTimeoutMs?: number;
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
  /** This start of the broker process; a live registration of another incarnation is refused. */
  readonly incarnationId?: string;
  /** The cluster the broker was formatted for; refused unless it is the image's. */
  readonly clusterId?: string;
}

export interface RegisterBrokerResult extends ControllerResult {
  readonly brokerEpoch: number;
}

export interface BrokerHeartbeatRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  /** The offset of the last metadata record the broker has applied. */
  readonly currentMetadataOffset: number;
  /** The broker asks to be fenced (it cannot serve, e.g. a log directory failed). */
  readonly wantFence?: boolean;
  /** The broker asks to shut down: its leaderships move first, then it is fenced. */
  readonly wantShutdown?: boolean;
}

export interface HeartbeatContext {
  /** The controller's clock. */
  readonly nowMs: number;
  /** The offset of the last committed metadata record; a broker at or past it has caught up. */
  readonly lastCommittedOffset: number;
}

export interface BrokerHeartbeatResult extends ControllerResult {
  readonly isCaughtUp: boolean;
  /** Whether the broker is fenced once `records` are applied. */
  readonly isFenced: boolean;
  /** True when a broker that asked to shut down may now stop: it leads nothing and is fenced. */
  readonly shouldShutDown: boolean;
}

/** A partition leader's ISR change (Kafka's AlterPartition), checked against the partition's current state. */
export interface AlterPartitionRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly topic: string;
  readonly partition: number;
  /** The leader epoch the leader acts in. */
  readonly leaderEpoch: number;
  /** The partition epoch the leader last saw; a stale one means its view is outdated. */
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
}

export interface AlterPartitionResult extends ControllerResult {
  /** The partition once `records` are applied. */
  readonly partition: PartitionImage;
}

export interface FenceExpiredBrokersResult extends ControllerResult {
  readonly fencedBrokerIds: number[];
}

export class ControllerStateMachine {
  private readonly broker: BrokerConfig;
  private readonly randomBytes: RandomBytes | undefined;
  private readonly partitionsMax: number;
  private readonly sessionTimeoutMs: number;
  /** Broker leases: in memory, not replicated (see the file header). */
  readonly heartbeats = new BrokerHeartbeatManager();

  constructor(options: ControllerStateMachineOptions) {
    this.broker = options.brokerConfig;
    this.randomBytes = options.randomBytes;
    this.partitionsMax = options.partitionsPerTopicMax ?? PARTITIONS_PER_TOPIC_MAX;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? options.brokerConfig.brokerSessionTimeoutMs;
  }

  /** Call on becoming the active controller: every registered broker gets a full session from
   * `nowMs`, since leases kept by a previous controller (or by this one earlier) are not known. */
  activate(image: MetadataImage, nowMs: number): void {
    this.heartbeats.reset(image.brokers(), nowMs);
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
    checkReplicationFactor(replicationFactor, brokers, image);
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
    checkReplicationFactor(replicationFactor, brokers, image);
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

  /**
   * Registers (or re-registers) a broker with a new epoch, as Kafka's ClusterControlManager does:
   * refuses a broker of another cluster, and a broker id whose registration has another
   * incarnation, is unfenced and has a lease still valid at `nowMs` (DUPLICATE_BROKER_REGISTRATION) — two
   * processes configured with one id. A broker with an incarnation id registers fenced unless told
   * otherwise (it is unfenced by `heartbeat` once caught up); one without (the single-node
   * broker's self-registration) registers unfenced. Re-registering fenced a broker that was
   * unfenced first moves its leaderships away. Starts the new epoch's lease at `nowMs`.
   */
  registerBroker(image: MetadataImage, request: RegisterBrokerRequest, nowMs = 0): RegisterBrokerResult {
    const { brokerId, endpoints, incarnationId } = request;
    if (!Number.isInteger(brokerId) || brokerId < 0 || brokerId >= 2 ** 31) {
      throw new TributaryError('INVALID_REQUEST', `Broker id must be an integer in [0, 2147483647], got ${brokerId}`);
    }
    for (const e of endpoints) {
      if (e.host.length === 0 || !Number.isInteger(e.port) || e.port < 0 || e.port > 65535) {
        throw new TributaryError('INVALID_REQUEST', `Broker ${brokerId} endpoint ${e.host}:${e.port} is not a host and a port in [0, 65535]`);
      }
    }
    if (incarnationId !== undefined && incarnationId.length === 0) {
      throw new TributaryError('INVALID_REQUEST', `Broker ${brokerId} sent an empty incarnation id; send a new unique id per broker start`);
    }
    checkClusterId(image, brokerId, request.clusterId);
    const previous = image.broker(brokerId);
    // A fenced broker holds no session (Kafka's BrokerHeartbeatManager): after a controlled shutdown or a
    // lapsed lease its next incarnation registers at once, even under a new controller that restarted leases.
    if (
      previous !== undefined &&
      previous.incarnationId !== incarnationId &&
      !previous.fenced &&
      this.heartbeats.hasValidSession(brokerId, previous.brokerEpoch, nowMs, this.sessionTimeoutMs)
    ) {
      throw new TributaryError(
        'DUPLICATE_BROKER_REGISTRATION',
        `Broker ${brokerId} is registered by incarnation ${previous.incarnationId ?? '(none)'} whose session is still live; ` +
          `another process (incarnation ${incarnationId ?? '(none)'}) uses the same node.id: give it another id, or wait ${this.sessionTimeoutMs} ms after stopping the first`,
      );
    }
    const epochsMax = Math.max(0, ...image.brokers().map((b) => b.brokerEpoch));
    const brokerEpoch = request.brokerEpoch ?? epochsMax + 1;
    if (previous !== undefined && brokerEpoch <= previous.brokerEpoch) {
      throw new TributaryError('INVALID_REQUEST', `Broker ${brokerId} epoch ${brokerEpoch} is not above its current epoch ${previous.brokerEpoch}`);
    }
    const fenced = request.fenced ?? incarnationId !== undefined;
    // The old incarnation's leaderships cannot stay with a fenced registration.
    const moves = fenced && previous !== undefined && !previous.fenced ? this.movesOffBroker(image, brokerId) : [];
    const records: MetadataRecord[] = [
      ...moves,
      {
        type: 'RegisterBroker',
        brokerId,
        brokerEpoch,
        endpoints,
        rack: request.rack ?? null,
        fenced,
        ...(incarnationId !== undefined ? { incarnationId } : {}),
      },
    ];
    this.heartbeats.touch(brokerId, brokerEpoch, nowMs);
    return { records, brokerEpoch };
  }

  /**
   * A broker's heartbeat, as Kafka's BrokerHeartbeatManager state machine handles it: renews the
   * lease (STALE_BROKER_EPOCH for an unknown broker or another epoch); a fenced broker is unfenced
   * once its metadata offset reaches `lastCommittedOffset` (and partitions with no leader that it
   * can lead get it); `wantFence` fences an unfenced broker; `wantShutdown` from an unfenced broker
   * moves its leaderships and ISR memberships away, and once none is left and the broker has seen
   * that, fences it and answers shouldShutDown.
   */
  heartbeat(image: MetadataImage, request: BrokerHeartbeatRequest, context: HeartbeatContext): BrokerHeartbeatResult {
    const { brokerId, brokerEpoch } = request;
    const broker = image.broker(brokerId);
    if (broker === undefined) {
      throw new TributaryError('STALE_BROKER_EPOCH', `Broker ${brokerId} is not registered; register it before sending heartbeats`);
    }
    if (broker.brokerEpoch !== brokerEpoch) {
      throw new TributaryError(
        'STALE_BROKER_EPOCH',
        `Broker ${brokerId} sent a heartbeat with epoch ${brokerEpoch}, but its registration has epoch ${broker.brokerEpoch}; register again`,
      );
    }
    this.heartbeats.touch(brokerId, brokerEpoch, context.nowMs);
    const isCaughtUp = request.currentMetadataOffset >= context.lastCommittedOffset;
    const answer = (records: MetadataRecord[], isFenced: boolean, shouldShutDown = false): BrokerHeartbeatResult => ({
      records,
      isCaughtUp,
      isFenced,
      shouldShutDown,
    });
    if (broker.fenced) {
      if (request.wantShutdown) return answer([], true, true);
      // A broker that began a controlled shutdown does not come back without registering again.
      if (request.wantFence || !isCaughtUp || this.heartbeats.inControlledShutdown(brokerId)) return answer([], true);
      return answer(this.unfenceRecords(image, brokerId), false);
    }
    if (request.wantFence) return answer(this.fenceRecords(image, brokerId), true);
    if (request.wantShutdown || this.heartbeats.inControlledShutdown(brokerId)) {
      this.heartbeats.beginControlledShutdown(brokerId);
      const moves = this.movesOffBroker(image, brokerId);
      if (moves.length > 0 || !isCaughtUp) return answer(moves, false);
      return answer(this.fenceRecords(image, brokerId), true, true);
    }
    return answer([], false);
  }

  /**
   * Kafka's AlterPartition: the leader of a partition shrinks or expands its ISR. Refused unless
   * the sender is the registered leader in the current leader epoch and has seen the current
   * partition epoch (STALE_BROKER_EPOCH, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH,
   * UNKNOWN_LEADER_EPOCH, INVALID_UPDATE_VERSION), and unless the new ISR is a set of the
   * partition's replicas that holds the leader (INVALID_REQUEST) and whose other members may serve
   * (unfenced, not shutting down: INELIGIBLE_REPLICA). The leader epoch does not change; the
   * partition epoch does. An ISR equal to the current one changes nothing.
   */
  alterPartition(image: MetadataImage, request: AlterPartitionRequest): AlterPartitionResult {
    const { brokerId, topic: name, partition: index, newIsr } = request;
    const broker = image.broker(brokerId);
    if (broker === undefined || broker.brokerEpoch !== request.brokerEpoch) {
      throw new TributaryError('STALE_BROKER_EPOCH', `Broker ${brokerId} sent AlterPartition with epoch ${request.brokerEpoch}, but its registration has ${broker ? `epoch ${broker.brokerEpoch}` : 'none'}; register again`);
    }
    const topic = requireTopic(image, name);
    const current = topic.partitions[index];
    if (current === undefined) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Partition ${name}-${index} does not exist`);
    const where = `${name}-${index}`;
    if (current.leader !== brokerId) {
      throw new TributaryError('NOT_LEADER_OR_FOLLOWER', `Broker ${brokerId} is not the leader of ${where} (leader ${current.leader} in epoch ${current.leaderEpoch})`);
    }
    if (request.leaderEpoch < current.leaderEpoch) {
      throw new TributaryError('FENCED_LEADER_EPOCH', `AlterPartition for ${where} in leader epoch ${request.leaderEpoch}, but the current one is ${current.leaderEpoch}`);
    }
    if (request.leaderEpoch > current.leaderEpoch) {
      throw new TributaryError('UNKNOWN_LEADER_EPOCH', `AlterPartition for ${where} in leader epoch ${request.leaderEpoch}, ahead of the current ${current.leaderEpoch}`);
    }
    if (request.partitionEpoch !== current.partitionEpoch) {
      throw new TributaryError('INVALID_UPDATE_VERSION', `AlterPartition for ${where} at partition epoch ${request.partitionEpoch}, but it is at ${current.partitionEpoch}; update from the latest metadata`);
    }
    const isr = [...new Set(newIsr)];
    if (isr.length !== newIsr.length || !isr.includes(brokerId) || isr.some((id) => !current.replicas.includes(id))) {
      throw new TributaryError('INVALID_REQUEST', `ISR [${newIsr.join(',')}] for ${where} must be distinct replicas of [${current.replicas.join(',')}] including the leader ${brokerId}`);
    }
    const ineligible = isr.filter((id) => !current.isr.includes(id) && !this.isLive(image, id));
    if (ineligible.length > 0) {
      throw new TributaryError('INELIGIBLE_REPLICA', `Replicas ${ineligible.join(',')} of ${where} are fenced or shutting down and cannot join the ISR`);
    }
    const ordered = current.replicas.filter((id) => isr.includes(id));
    if (ordered.length === current.isr.length && ordered.every((id) => current.isr.includes(id))) return { records: [], partition: current };
    const record: PartitionChangeRecord = { type: 'PartitionChange', topicId: topic.topicId, partition: index, isr: ordered };
    return { records: [record], partition: { ...current, isr: ordered, partitionEpoch: current.partitionEpoch + 1 } };
  }

  /**
   * Fences every unfenced broker whose lease lapsed (no contact for `sessionTimeoutMs` up to
   * `nowMs`): a BrokerRegistrationChange each, and PartitionChanges that elect a new leader for the
   * partitions it led and drop it from ISRs (see partition-change.ts). Brokers are fenced in id
   * order, each against the image with the previous ones fenced.
   */
  fenceExpiredBrokers(image: MetadataImage, nowMs: number, sessionTimeoutMs = this.sessionTimeoutMs): FenceExpiredBrokersResult {
    const records: MetadataRecord[] = [];
    const fencedBrokerIds: number[] = [];
    let current = image;
    for (const lease of this.heartbeats.expired(nowMs, sessionTimeoutMs)) {
      const broker = current.broker(lease.brokerId);
      if (broker === undefined || broker.fenced || broker.brokerEpoch !== lease.brokerEpoch) continue;
      const fencing = this.fenceRecords(current, lease.brokerId);
      current = current.apply(fencing);
      records.push(...fencing);
      fencedBrokerIds.push(lease.brokerId);
    }
    return { records, fencedBrokerIds };
  }

  /**
   * The periodic leader-imbalance check (auto.leader.rebalance.enable; call it every
   * leader.imbalance.check.interval.seconds): PartitionChanges that give the lead back to the
   * preferred replica, for the brokers whose share of preferred partitions led by another is above
   * leader.imbalance.per.broker.percentage (see preferred-leader-balance.ts). None when disabled.
   */
  balancePartitionLeaders(image: MetadataImage): ControllerResult {
    if (!this.broker.autoLeaderRebalanceEnable) return { records: [] };
    const records = preferredLeaderChanges(image, {
      isLive: (id) => this.isLive(image, id),
      imbalancePerBrokerPercentage: this.broker.leaderImbalancePerBrokerPercentage,
    });
    return { records };
  }

  /** Fences (or unfences) a registered broker, moving leaderships away (or to it) as needed. */
  setBrokerFenced(image: MetadataImage, brokerId: number, fenced: boolean): ControllerResult {
    const broker = image.broker(brokerId);
    if (broker === undefined) throw new TributaryError('INVALID_REQUEST', `Broker ${brokerId} is not registered`);
    if (broker.fenced === fenced) return { records: [] };
    return { records: fenced ? this.fenceRecords(image, brokerId) : this.unfenceRecords(image, brokerId) };
  }

  /** The record that stamps a new cluster's id; refuses an image of another cluster. */
  formatCluster(image: MetadataImage, clusterId: string): ControllerResult {
    if (clusterId.length === 0) throw new TributaryError('INVALID_REQUEST', 'The cluster id is empty');
    if (image.clusterId === clusterId) return { records: [] };
    if (image.clusterId !== null) {
      throw new TributaryError('INCONSISTENT_CLUSTER_ID', `This metadata belongs to cluster ${image.clusterId}, not ${clusterId}`);
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
    return context.brokers ?? this.liveBrokers(image).map((b) => ({ id: b.brokerId, rack: b.rack }));
  }

  /** Brokers that may lead and take new replicas: unfenced and not shutting down. */
  private liveBrokers(image: MetadataImage): BrokerRegistration[] {
    return image.unfencedBrokers().filter((b) => !this.heartbeats.inControlledShutdown(b.brokerId));
  }

  private isLive(image: MetadataImage, brokerId: number): boolean {
    const broker = image.broker(brokerId);
    return broker !== undefined && !broker.fenced && !this.heartbeats.inControlledShutdown(brokerId);
  }

  private fenceRecords(image: MetadataImage, brokerId: number): MetadataRecord[] {
    const { brokerEpoch } = image.broker(brokerId) as BrokerRegistration;
    return [{ type: 'BrokerRegistrationChange', brokerId, brokerEpoch, fenced: true }, ...this.movesOffBroker(image, brokerId)];
  }

  /** Unfences the broker and gives it the partitions that have no leader and that it may lead. */
  private unfenceRecords(image: MetadataImage, brokerId: number): MetadataRecord[] {
    const { brokerEpoch } = image.broker(brokerId) as BrokerRegistration;
    const isLive = (id: number): boolean => id === brokerId || this.isLive(image, id);
    const records: MetadataRecord[] = [{ type: 'BrokerRegistrationChange', brokerId, brokerEpoch, fenced: false }];
    for (const topic of image.topics()) {
      const uncleanLeaderElection = this.uncleanLeaderElection(image, topic.name);
      for (const p of topic.partitions) {
        if (p.leader !== NO_LEADER || !p.replicas.includes(brokerId)) continue;
        const change = partitionChange(topic.topicId, p, { isr: p.isr, isLive, uncleanLeaderElection });
        if (change !== null) records.push(change);
      }
    }
    return records;
  }

  /** PartitionChanges that take the broker out of every ISR (but as the last member) and give its
   * leaderships to other live in-sync replicas (leader -1 when there is none). */
  private movesOffBroker(image: MetadataImage, brokerId: number): PartitionChangeRecord[] {
    const isLive = (id: number): boolean => id !== brokerId && this.isLive(image, id);
    const records: PartitionChangeRecord[] = [];
    for (const topic of image.topics()) {
      const uncleanLeaderElection = this.uncleanLeaderElection(image, topic.name);
      for (const p of topic.partitions) {
        if (p.leader !== brokerId && !p.isr.includes(brokerId)) continue;
        const change = partitionChange(topic.topicId, p, { isr: isrWithout(p.isr, brokerId), isLive, uncleanLeaderElection });
        if (change !== null) records.push(change);
      }
    }
    return records;
  }

  private uncleanLeaderElection(image: MetadataImage, topic: string): boolean {
    return resolveTopicConfig(Object.fromEntries(image.topicConfigs(topic)), this.broker).uncleanLeaderElectionEnable;
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

function checkReplicationFactor(replicationFactor: number, brokers: readonly PlacementBroker[], image: MetadataImage): void {
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new TributaryError('INVALID_REPLICATION_FACTOR', `Replication factor must be at least 1, got ${replicationFactor}`);
  }
  if (replicationFactor > brokers.length) {
    throw new TributaryError(
      'INVALID_REPLICATION_FACTOR',
      `Unable to replicate the partition ${replicationFactor} time(s): only ${brokers.length} broker(s) are available ` +
        `(unfenced and not shutting down; ${image.brokers().length} registered); lower the replication factor or start more brokers`,
    );
  }
}

function checkClusterId(image: MetadataImage, brokerId: number, clusterId: string | undefined): void {
  if (clusterId === undefined || clusterId === image.clusterId) return;
  if (image.clusterId === null) {
    throw new TributaryError('INVALID_REQUEST', `Broker ${brokerId} belongs to cluster ${clusterId}, but this controller is not formatted yet; format the cluster first`);
  }
  throw new TributaryError(
    'INCONSISTENT_CLUSTER_ID',
    `Broker ${brokerId} belongs to cluster ${clusterId}, but this controller's cluster is ${image.clusterId}; point the broker at its own cluster's controllers or reformat it`,
  );
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
