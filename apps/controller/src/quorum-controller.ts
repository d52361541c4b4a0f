import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  ControllerStateMachine,
  parseBrokerConfig,
  type AllocateProducerIdsRequest,
  type AllocateProducerIdsResult,
  type AlterPartitionRequest,
  type AlterPartitionResult,
  type AlterConfigsRequest,
  type BrokerConfig,
  type BrokerHeartbeatRequest,
  type BrokerHeartbeatResult,
  type ControllerResult,
  type CreatePartitionsRequest,
  type CreatePartitionsResult,
  type CreateTopicRequest,
  type CreateTopicResult,
  type DeleteTopicRequest,
  MetadataImage,
  type MetadataRecord,
  type RegisterBrokerRequest,
  type RegisterBrokerResult,
} from '@tributary/metadata';
import { TributaryError } from '@tributary/protocol';
import { nodeId, type Message } from '@tributary/raft';
import { RaftNode, type RaftNodeStatus } from '@tributary/raft-node';
import type { Logger } from 'pino';
import { encodeMetadataBatch } from './metadata-batch-codec';
import { MetadataLogState, type MetadataListener } from './metadata-log-state';
import { CONTROLLER_CLUSTER_ID, CONTROLLER_LOGGER, CONTROLLER_OPTIONS, METADATA_LOG_DIR, type StartControllerOptions } from './controller-options';

/** The active controller as a caller should reach it; `id` 0 when no leader is known. */
export interface ControllerLeader {
  id: number;
  address: string | undefined;
}

/**
 * One controller of the quorum: a Raft voter whose state machine is the metadata log. Only the
 * leader (the active controller) decides, one request at a time, as Kafka's QuorumController:
 * each decision is made against the image with every record proposed before it in this term,
 * committed or not, and its records are proposed as one batch at once, so decisions pipeline
 * while earlier batches replicate. A request is answered only once the last batch proposed up to
 * its decision has committed and applied, so no answer reports what could still be lost. On
 * becoming leader it first reads the committed state (ReadIndex: everything earlier leaders
 * committed), starts every broker's lease afresh (leases are not replicated) and, as long as it
 * leads, fences brokers whose lease lapsed every broker.heartbeat.interval.ms and moves leaderships
 * back to preferred replicas every leader.imbalance.check.interval.seconds.
 */
@Injectable()
export class QuorumController implements OnModuleInit, OnApplicationShutdown {
  readonly state: MetadataLogState;
  readonly brokerConfig: BrokerConfig;
  private readonly decisions: ControllerStateMachine;
  private raft: RaftNode | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The term in which this node last activated; 0 while it is not the active controller. */
  private activeTerm = 0;
  /** The committed image plus every batch proposed since activation: what the next decision sees. */
  private proposedImage = MetadataImage.EMPTY;
  /** Commit (and apply) of the last batch proposed; an answer waits for it. */
  private lastProposal: Promise<unknown> = Promise.resolve();
  /** The periodic checks of the active controller (see whileActive). */
  private readonly checks: NodeJS.Timeout[] = [];

  constructor(
    @Inject(CONTROLLER_OPTIONS) private readonly options: StartControllerOptions,
    @Inject(CONTROLLER_CLUSTER_ID) readonly clusterId: string,
    @Inject(CONTROLLER_LOGGER) private readonly logger: Logger,
  ) {
    this.state = new MetadataLogState(options.retainedBatchesMax ?? 10_000);
    this.brokerConfig = parseBrokerConfig(options.config ?? {});
    this.decisions = new ControllerStateMachine({ brokerConfig: this.brokerConfig });
  }

  async onModuleInit(): Promise<void> {
    const { nodeId: id, voters } = this.options;
    if (!voters.has(id)) {
      throw new TributaryError('INVALID_CONFIG', `node ${id} is not among the controller.quorum.voters (${[...voters.keys()].join(', ')}); list it or use one of those ids`);
    }
    this.raft = await RaftNode.start({
      id: nodeId(id),
      clusterId: this.clusterId,
      dir: join(this.options.dataDir, METADATA_LOG_DIR),
      stateMachine: this.state,
      peers: new Map([...voters].filter(([peer]) => peer !== id).map(([peer, address]) => [nodeId(peer), address])),
      initialVoters: [...voters.keys()].map(nodeId),
      tickIntervalMs: this.options.tickIntervalMs,
      electionTick: this.options.electionTick,
      snapshotEntries: this.options.snapshotEntries,
      onMessageRejected: (message, error) => this.logger.warn({ from: message.from, type: message.type, err: error }, 'dropped a Raft message'),
    });
    this.checks.push(
      this.whileActive('lease check', this.brokerConfig.brokerHeartbeatIntervalMs, (image) => this.decisions.fenceExpiredBrokers(image, nowMs()), ({ fencedBrokerIds }) => {
        if (fencedBrokerIds.length > 0) this.logger.warn({ fencedBrokerIds }, 'fenced brokers whose session expired');
      }),
      this.whileActive('leader imbalance check', this.brokerConfig.leaderImbalanceCheckIntervalMs, (image) => this.decisions.balancePartitionLeaders(image), ({ records }) => {
        if (records.length > 0) this.logger.info({ partitions: records.length }, 'moved leaderships back to preferred replicas');
      }),
    );
    this.logger.info({ nodeId: id, clusterId: this.clusterId, voters: Object.fromEntries(voters) }, 'controller started');
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Stops the periodic checks and the Raft node; requests waiting on it fail with NOT_CONTROLLER. */
  async stop(): Promise<void> {
    for (const timer of this.checks) clearInterval(timer);
    await this.raft?.stop();
    this.raft = undefined;
  }

  /** Messages from peers (the RaftTransportService handlers); dropped while the node is not running. */
  receive(messages: Message[]): void {
    this.raft?.receive(messages);
  }

  status(): RaftNodeStatus {
    return this.node().status();
  }

  leader(): ControllerLeader {
    const id = this.raft?.status().leaderId ?? 0;
    return { id, address: this.voterAddress(id) };
  }

  voterAddress(id: number): string | undefined {
    return this.options.voters.get(id);
  }

  follow(fromOffset: number, listener: MetadataListener): () => void {
    return this.state.follow(fromOffset, listener);
  }

  registerBroker(request: RegisterBrokerRequest): Promise<RegisterBrokerResult> {
    return this.decide((image) => this.decisions.registerBroker(image, request, nowMs()));
  }

  heartbeat(request: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResult & { metadataOffset: number }> {
    return this.decide((image) => ({
      ...this.decisions.heartbeat(image, request, { nowMs: nowMs(), lastCommittedOffset: this.state.offset }),
      metadataOffset: this.state.offset,
    }));
  }

  createTopic(request: CreateTopicRequest): Promise<CreateTopicResult> {
    return this.decide((image) => this.decisions.createTopic(image, request));
  }

  deleteTopic(request: DeleteTopicRequest): Promise<ControllerResult> {
    return this.decide((image) => this.decisions.deleteTopic(image, request));
  }

  createPartitions(request: CreatePartitionsRequest): Promise<CreatePartitionsResult> {
    return this.decide((image) => this.decisions.createPartitions(image, request));
  }

  alterConfigs(request: AlterConfigsRequest): Promise<ControllerResult> {
    return this.decide((image) => this.decisions.alterConfigs(image, request));
  }

  alterPartition(request: AlterPartitionRequest): Promise<AlterPartitionResult> {
    return this.decide((image) => this.decisions.alterPartition(image, request));
  }

  allocateProducerIds(request: AllocateProducerIdsRequest): Promise<AllocateProducerIdsResult> {
    return this.decide((image) => this.decisions.allocateProducerIds(image, request));
  }

  /** NOT_CONTROLLER naming the leader when it is known. */
  notController(): TributaryError {
    const leader = this.leader();
    const hint =
      leader.id === this.options.nodeId
        ? 'it is stepping down or stopping; retry shortly'
        : leader.id
          ? `the active controller is node ${leader.id} at ${leader.address ?? 'an unknown address'}`
          : 'no active controller is known yet; retry shortly';
    return new TributaryError('NOT_CONTROLLER', `controller ${this.options.nodeId} is not the active controller: ${hint}`);
  }

  /**
   * Decide and propose, one at a time; then, outside the queue, wait for the commit of the last
   * proposal so far. A proposal of this leader fails only when its leadership ends (term change,
   * step-down, stop), and every later one of the term fails with it, so no decision is ever
   * answered on top of records that did not commit.
   */
  private decide<T extends ControllerResult>(decision: (image: MetadataImage) => T): Promise<T> {
    const decided = this.queue.then(async () => {
      const raft = this.requireLeader();
      await this.activate(raft);
      const result = decision(this.proposedImage);
      if (result.records.length > 0) this.propose(raft, result.records);
      return { result, committed: this.lastProposal };
    });
    this.queue = decided.catch(() => undefined);
    return decided
      .then(async ({ result, committed }) => {
        await committed;
        return result;
      })
      .catch((error: unknown) => {
        // Raft's "not the leader (any more)" is, to a controller's callers, NOT_CONTROLLER.
        if (error instanceof TributaryError && error.code === 'NOT_LEADER_OR_FOLLOWER') throw this.notController();
        throw error;
      });
  }

  private propose(raft: RaftNode, records: MetadataRecord[]): void {
    this.proposedImage = this.proposedImage.apply(records);
    const committed = raft.propose(encodeMetadataBatch(records));
    // The next decision after a lost leadership re-activates from the committed image.
    committed.catch(() => (this.activeTerm = 0));
    this.lastProposal = committed;
  }

  /**
   * Once per term of leadership: a ReadIndex so the image holds everything earlier leaders
   * committed, decisions from that image on, fresh leases for every broker, and the ClusterId
   * record of a new cluster.
   */
  private async activate(raft: RaftNode): Promise<void> {
    const { term } = raft.status();
    if (this.activeTerm === term) return;
    await raft.read();
    this.proposedImage = this.state.image;
    this.lastProposal = Promise.resolve();
    this.decisions.activate(this.state.image, nowMs());
    const format = this.decisions.formatCluster(this.state.image, this.clusterId);
    if (format.records.length > 0) this.propose(raft, format.records);
    this.activeTerm = term;
    this.logger.info({ nodeId: this.options.nodeId, term, brokers: this.state.image.brokers().length }, 'became the active controller');
  }

  private requireLeader(): RaftNode {
    const raft = this.node();
    if (raft.status().role !== 'leader') {
      this.activeTerm = 0;
      throw this.notController();
    }
    return raft;
  }

  /**
   * A timer that every `intervalMs`, while this node leads, decides `check` as a request is decided
   * (queued, proposed, answered once committed) and hands the result to `report`. A round is
   * skipped while the previous one is still deciding or committing, so a slow commit cannot pile
   * checks up; losing the leadership midway is not an error, the next active controller checks.
   */
  private whileActive<T extends ControllerResult>(what: string, intervalMs: number, check: (image: MetadataImage) => T, report: (result: T) => void): NodeJS.Timeout {
    let running = false;
    return setInterval(() => {
      if (running || this.raft?.status().role !== 'leader') return;
      running = true;
      this.decide(check)
        .then(report, (error: unknown) => {
          if (!(error instanceof TributaryError && error.code === 'NOT_CONTROLLER')) this.logger.error({ err: error }, `${what} failed`);
        })
        .finally(() => {
          running = false;
        });
    }, intervalMs);
  }

  private node(): RaftNode {
    if (this.raft === undefined) throw new TributaryError('NOT_CONTROLLER', `controller ${this.options.nodeId} is not running`);
    return this.raft;
  }
}

/** A monotonic clock for leases: wall-clock steps must not expire or extend them. */
function nowMs(): number {
  return Math.floor(performance.now());
}
