import { credentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { callUnary, parseQuorumVoters, type RequestOf, type ResponseOf, type UnaryClientMethod } from '@tributary/service-common';
import { Inject, Injectable } from '@nestjs/common';
import {
  decodeMetadataRecord,
  MetadataImage,
  type AlterConfigsRequest,
  type BrokerConfig,
  type CreatePartitionsRequest,
  type CreateTopicRequest,
  type TopicImage,
} from '@tributary/metadata';
import { TributaryError, type ErrorCodeName } from '@tributary/protocol';
import {
  AlterConfigOp as ProtoAlterConfigOp,
  CONTROLLER_ID_TRAILER,
  ConfigResourceType as ProtoConfigResourceType,
  ControllerServiceClient,
  ERROR_CODE_TRAILER,
  type FetchMetadataResponse,
  type TopicDescription,
} from '@tributary/proto';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { BROKER_CONFIG } from './broker-config-provider';
import { BROKER_LOGGER } from './broker-logger';
import { BROKER_OPTIONS, type StartBrokerOptions } from './broker-options';
import { ClusterMetadata, type IsrChange, type IsrChangeResult, type ProducerIdBlock, type TopicCreation } from './cluster-metadata';
import { loadOrCreateMetaProperties } from './meta-properties';

type UnaryMethod = {
  [K in keyof ControllerServiceClient]: ControllerServiceClient[K] extends UnaryClientMethod<never, unknown> ? K : never;
}[keyof ControllerServiceClient];
type ControllerRequest<K extends UnaryMethod> = RequestOf<ControllerServiceClient[K]>;
type ControllerResponse<K extends UnaryMethod> = ResponseOf<ControllerServiceClient[K]>;

/** One call to one controller may take this long (at most half a session) before another controller is tried. */
const CALL_DEADLINE_MS = 5_000;
/** Pause before trying the next controller when none named the active one. */
const RETRY_BACKOFF_MS = 50;
/** Pause between heartbeats while waiting to be unfenced at start (the regular interval is for a running broker). */
const UNFENCE_RETRY_MS = 50;
/** Pause between controlled-shutdown heartbeats while the controller moves leaderships away. */
const CONTROLLED_SHUTDOWN_RETRY_MS = 100;

/**
 * A broker's view of the metadata kept by a controller quorum (controller.quorum.voters set).
 * The broker keeps no metadata log of its own:
 * - cluster id: meta.properties of the data dir; a data dir without it takes the quorum's cluster
 *   id on the first start (from DescribeQuorum) and is tied to that cluster from then on: a
 *   controller of another cluster refuses its registration (INCONSISTENT_CLUSTER_ID);
 * - the image: a FetchMetadata stream from the applied offset (a snapshot replaces the image,
 *   batches apply in order), reopened from the last applied offset to the next voter when it ends;
 * - liveness: RegisterBroker with one incarnation id per start, heartbeats until the controller
 *   unfences it (it has caught up with the metadata log), then BrokerHeartbeat every
 *   broker.heartbeat.interval.ms; STALE_BROKER_EPOCH (e.g. fenced by a new controller) registers
 *   again; on a clean stop, a controlled shutdown moves its leaderships away first;
 * - mutations go to the active controller (following NOT_CONTROLLER hints, otherwise trying the
 *   next voter) and resolve once the local image has reached the offset that controller had
 *   applied when it answered, so a caller reads its own writes from `image`.
 */
@Injectable()
export class QuorumMetadataClient extends ClusterMetadata {
  private current = MetadataImage.EMPTY;
  private appliedOffset = 0;
  private cluster = '';
  private readonly voters: Map<number, string>;
  private readonly voterIds: number[];
  private readonly clients = new Map<number, ControllerServiceClient>();
  /** The controller calls go to first: the last known active one. */
  private target: number;
  private leaderId = -1;
  private readonly incarnationId = randomUUID();
  private registeredEpoch = -1;
  private endpoint: { host: string; port: number } | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeating = false;
  private stream: ClientReadableStream<FetchMetadataResponse> | undefined;
  private streamVoter = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private applying: Promise<void> = Promise.resolve();
  private readonly waiters: { offset: number; resolve: () => void }[] = [];
  private closed = false;
  /** Whether the active controller last said this broker is fenced. */
  fenced = true;
  /** performance.now() until which the lease holds: the send time of the last heartbeat answered unfenced, plus the session. */
  private leaseUntilMs = -Infinity;

  constructor(
    @Inject(BROKER_OPTIONS) private readonly options: StartBrokerOptions,
    @Inject(BROKER_CONFIG) private readonly brokerConfig: BrokerConfig,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {
    super();
    const voters = brokerConfig.controllerQuorumVoters;
    if (voters === null) throw new TributaryError('INVALID_CONFIG', 'a broker needs controller.quorum.voters: the controllers it follows, as id@host:port entries');
    this.voters = parseQuorumVoters(voters.join(','));
    this.voterIds = [...this.voters.keys()];
    this.target = this.voterIds[0];
  }

  get image(): MetadataImage {
    return this.current;
  }

  get clusterId(): string {
    return this.cluster;
  }

  get nodeId(): number {
    return this.brokerConfig.nodeId;
  }

  get controllerId(): number {
    return this.leaderId;
  }

  get brokerEpoch(): number {
    return this.registeredEpoch;
  }

  get holdsLease(): boolean {
    return performance.now() < this.leaseUntilMs;
  }

  /** The metadata offset the image is at. */
  get offset(): number {
    return this.appliedOffset;
  }

  /** Takes the cluster id, starts following the metadata log and waits until the image has what the active controller had applied. */
  async open(): Promise<void> {
    const meta = await loadOrCreateMetaProperties(this.options.dataDir, this.nodeId, async () => (await this.callController('describeQuorum', {})).response.clusterId);
    this.cluster = meta.clusterId;
    this.follow();
    await this.waitForOffset(await this.activeControllerOffset());
    this.logger.info({ clusterId: this.cluster, offset: this.appliedOffset, topics: this.current.topicNames().length }, 'metadata fetched from the controller quorum');
  }

  async registerSelf(host: string, port: number): Promise<void> {
    this.endpoint = { host, port };
    await this.register();
    await this.awaitUnfenced();
    this.heartbeatTimer ??= setInterval(() => void this.heartbeat(), this.brokerConfig.brokerHeartbeatIntervalMs);
  }

  /**
   * Kafka's controlled shutdown: heartbeats asking to shut down until the controller has moved
   * every leadership this broker holds to another in-sync replica and fenced it, so clients are
   * redirected before it stops serving rather than after a session timeout. Gives up after
   * broker.session.timeout.ms (the lease then lapses as for a crash).
   */
  async shutDownControlled(): Promise<void> {
    if (this.registeredEpoch < 0 || this.closed) return;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const deadline = performance.now() + this.brokerConfig.brokerSessionTimeoutMs;
    while (performance.now() < deadline) {
      try {
        const { response } = await this.callController('brokerHeartbeat', this.heartbeatRequest({ wantShutdown: true }));
        if (response.shouldShutDown) {
          this.logger.info({ brokerId: this.nodeId }, 'controlled shutdown complete: leaderships moved and broker fenced');
          return;
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'controlled shutdown heartbeat failed; stopping without it');
        return;
      }
      await sleep(CONTROLLED_SHUTDOWN_RETRY_MS);
    }
    this.logger.warn({ brokerId: this.nodeId }, 'controlled shutdown did not complete in broker.session.timeout.ms; stopping anyway');
  }

  async createTopic(request: CreateTopicRequest): Promise<TopicCreation> {
    const response = await this.mutate('createTopic', {
      name: request.name,
      // 0 asks the controller for its default, as on the broker's AdminService.
      numPartitions: request.numPartitions ?? 0,
      replicationFactor: request.replicationFactor ?? 0,
      configs: { ...request.configs },
      ifNotExists: request.ifNotExists ?? false,
      validateOnly: request.validateOnly ?? false,
    });
    const described = response.topic as TopicDescription;
    return { topic: this.current.topic(described.name) ?? toTopicImage(described), configs: described.configs, created: response.created };
  }

  async deleteTopic(name: string): Promise<void> {
    await this.mutate('deleteTopic', { name });
  }

  async createPartitions(request: CreatePartitionsRequest): Promise<TopicImage> {
    const response = await this.mutate('createPartitions', { topic: request.topic, totalCount: request.totalCount, validateOnly: request.validateOnly ?? false });
    const described = response.topic as TopicDescription;
    // validate-only answers what the topic would be; the image has what it is.
    return request.validateOnly ? toTopicImage(described) : (this.current.topic(described.name) ?? toTopicImage(described));
  }

  async alterConfigs(request: AlterConfigsRequest): Promise<void> {
    await this.mutate('alterConfigs', {
      resource: { type: request.resource.type === 'topic' ? ProtoConfigResourceType.TOPIC : ProtoConfigResourceType.BROKER, name: request.resource.name },
      entries: request.ops.map((op) =>
        op.op === 'SET' ? { name: op.name, value: op.value, op: ProtoAlterConfigOp.SET } : { name: op.name, value: '', op: ProtoAlterConfigOp.DELETE },
      ),
      validateOnly: request.validateOnly ?? false,
    });
  }

  async allocateProducerIds(): Promise<ProducerIdBlock> {
    const { response } = await this.callController('allocateProducerIds', { brokerId: this.nodeId, brokerEpoch: this.registeredEpoch, blockSize: 0 });
    return { firstProducerId: response.firstProducerId, blockSize: response.blockSize };
  }

  async alterPartition(change: IsrChange): Promise<IsrChangeResult> {
    return this.mutate('alterPartition', { brokerId: this.nodeId, brokerEpoch: this.registeredEpoch, ...change, newIsr: [...change.newIsr] });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.reconnectTimer);
    this.stream?.cancel();
    this.stream = undefined;
    await this.applying;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  /**
   * RegisterBroker; DUPLICATE_BROKER_REGISTRATION is retried for two session timeouts, since a
   * restarted broker's previous incarnation holds its lease until the lease lapses (a second
   * live process with this node.id keeps it, and the start fails).
   */
  private async register(): Promise<void> {
    if (this.endpoint === undefined) return;
    const request = {
      brokerId: this.nodeId,
      incarnationId: this.incarnationId,
      clusterId: this.cluster,
      endpoints: [this.endpoint],
      rack: this.brokerConfig.rack ?? undefined,
    };
    const deadline = performance.now() + 2 * this.brokerConfig.brokerSessionTimeoutMs;
    let registered: { brokerEpoch: number } | undefined;
    while (registered === undefined) {
      try {
        registered = (await this.callController('registerBroker', request)).response;
      } catch (error) {
        if (!(error instanceof TributaryError && error.code === 'DUPLICATE_BROKER_REGISTRATION') || performance.now() > deadline || this.closed) throw error;
        await sleep(this.brokerConfig.brokerHeartbeatIntervalMs);
      }
    }
    this.registeredEpoch = registered.brokerEpoch;
    this.logger.info({ brokerId: this.nodeId, brokerEpoch: this.registeredEpoch }, 'registered with the controller quorum');
  }

  /**
   * Heartbeats until unfenced: Kafka's broker does not finish starting before that either, since
   * no replica is placed on a fenced broker. The first goes out once the image holds this broker's
   * registration, so the controller finds it caught up.
   */
  private async awaitUnfenced(): Promise<void> {
    await this.waitForOffset(await this.activeControllerOffset());
    while (!this.closed) {
      await this.heartbeat();
      if (!this.fenced) return;
      await sleep(UNFENCE_RETRY_MS);
    }
  }

  private heartbeatRequest(wants: { wantShutdown: boolean }) {
    return { brokerId: this.nodeId, brokerEpoch: this.registeredEpoch, currentMetadataOffset: this.appliedOffset, wantFence: false, ...wants };
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeating || this.closed) return;
    this.heartbeating = true;
    // The controller renews the lease when the heartbeat arrives, later than this: counting from here never outlasts its view.
    const sentAtMs = performance.now();
    try {
      const { response } = await this.callController('brokerHeartbeat', this.heartbeatRequest({ wantShutdown: false }));
      if (this.fenced !== response.isFenced) this.logger.info({ brokerId: this.nodeId, fenced: response.isFenced }, 'broker fencing changed');
      this.fenced = response.isFenced;
      this.leaseUntilMs = response.isFenced ? -Infinity : Math.max(this.leaseUntilMs, sentAtMs + this.brokerConfig.brokerSessionTimeoutMs);
    } catch (error) {
      if (error instanceof TributaryError && error.code === 'STALE_BROKER_EPOCH') {
        this.fenced = true;
        this.leaseUntilMs = -Infinity;
        await this.register().catch((e: unknown) => this.logger.warn({ err: e }, 'registering again failed; retrying at the next heartbeat'));
      } else if (!this.closed) {
        this.logger.warn({ err: error }, 'heartbeat failed; retrying at the next interval');
      }
    } finally {
      this.heartbeating = false;
    }
  }

  /** A mutation on the active controller, answered once the local image has caught up with it. */
  private async mutate<K extends UnaryMethod>(method: K, request: ControllerRequest<K>): Promise<ControllerResponse<K>> {
    const { response, controllerId } = await this.callController(method, request);
    const { metadataOffset } = await this.callOn(controllerId, 'describeQuorum', {});
    await this.waitForOffset(metadataOffset);
    return response;
  }

  /** The offset the active controller has applied (any controller's when none is active). */
  private async activeControllerOffset(): Promise<number> {
    const { response } = await this.callController('describeQuorum', {});
    if (response.leaderId === 0 || response.leaderId === response.nodeId || !this.voters.has(response.leaderId)) return response.metadataOffset;
    return (await this.callOn(response.leaderId, 'describeQuorum', {}).catch(() => response)).metadataOffset;
  }

  /**
   * Calls the active controller: starts with the last known one, follows NOT_CONTROLLER hints,
   * otherwise tries the next voter; gives up with NOT_CONTROLLER after broker.session.timeout.ms, or
   * the time to try every voter once if longer.
   */
  private async callController<K extends UnaryMethod>(method: K, request: ControllerRequest<K>): Promise<{ response: ControllerResponse<K>; controllerId: number }> {
    // Room to try every voter once even when each hangs (a controller cut off from the network).
    const deadline = performance.now() + Math.max(this.brokerConfig.brokerSessionTimeoutMs, this.voters.size * this.attemptDeadlineMs());
    let lastError = '';
    while (!this.closed && performance.now() < deadline) {
      const id = this.target;
      try {
        const response = await this.callOn(id, method, request);
        if (method !== 'describeQuorum') this.leaderId = id;
        return { response, controllerId: id };
      } catch (error) {
        const serviceError = error as ServiceError;
        const code = serviceError.metadata?.get(ERROR_CODE_TRAILER)[0]?.toString();
        if (code !== undefined && code !== 'NOT_CONTROLLER') throw toTributaryError(code, serviceError.details);
        lastError = `controller ${id}: ${serviceError.details ?? String(error)}`;
        const hinted = Number(serviceError.metadata?.get(CONTROLLER_ID_TRAILER)[0] ?? 0);
        if (this.voters.has(hinted) && hinted !== id) {
          this.target = this.leaderId = hinted;
          continue;
        }
        this.leaderId = -1;
        this.target = this.nextVoter(id);
        await sleep(RETRY_BACKOFF_MS);
      }
    }
    throw new TributaryError(
      'NOT_CONTROLLER',
      `no active controller answered among controller.quorum.voters ${[...this.voters.values()].join(',')} (last: ${lastError}); check that a majority of the controllers runs`,
    );
  }

  private callOn<K extends UnaryMethod>(id: number, method: K, request: ControllerRequest<K>): Promise<ControllerResponse<K>> {
    return callUnary(this.client(id), method, request, { deadline: Date.now() + this.attemptDeadlineMs() });
  }

  /** A call stuck on a controller that went away must leave time for the others, and a heartbeat must not outlast its lease. */
  private attemptDeadlineMs(): number {
    return Math.min(CALL_DEADLINE_MS, this.brokerConfig.brokerSessionTimeoutMs / 2);
  }

  private client(id: number): ControllerServiceClient {
    let client = this.clients.get(id);
    if (client === undefined) {
      client = new ControllerServiceClient(this.voters.get(id) as string, credentials.createInsecure());
      this.clients.set(id, client);
    }
    return client;
  }

  private nextVoter(id: number): number {
    return this.voterIds[(this.voterIds.indexOf(id) + 1) % this.voterIds.length];
  }

  /** Opens a FetchMetadata stream from the applied offset, preferring the active controller; reopens it to the next voter when it ends. */
  private follow(): void {
    if (this.closed) return;
    const id = this.leaderId > 0 ? this.leaderId : this.streamVoter === 0 ? this.target : this.nextVoter(this.streamVoter);
    this.streamVoter = id;
    const stream = this.client(id).fetchMetadata({ fromOffset: this.appliedOffset });
    this.stream = stream;
    stream.on('data', (message: FetchMetadataResponse) => {
      if (stream === this.stream) this.applying = this.applying.then(() => this.apply(message));
    });
    const reopen = (error?: Error) => {
      if (stream !== this.stream || this.closed) return;
      this.stream = undefined;
      stream.cancel();
      this.logger.debug({ controller: id, err: error }, 'metadata stream ended; reopening');
      if (this.leaderId === id) this.leaderId = -1;
      this.reconnectTimer = setTimeout(() => this.follow(), RETRY_BACKOFF_MS);
    };
    stream.on('error', reopen);
    stream.on('end', () => reopen());
  }

  private async apply(message: FetchMetadataResponse): Promise<void> {
    // After a reconnect a controller may resend what this broker has: skip it.
    if (!message.isSnapshot && message.offset <= this.appliedOffset) return;
    const previous = this.current;
    try {
      const records = message.records.map((record) => decodeMetadataRecord(Buffer.from(record)));
      this.current = (message.isSnapshot ? MetadataImage.EMPTY : this.current).apply(records);
      await this.notifyChange(this.current);
      // Only now: a caller waiting for this offset expects the listeners' effects (partition logs) in place.
      this.appliedOffset = message.offset;
    } catch (error) {
      this.current = previous;
      this.logger.error({ err: error, offset: message.offset }, 'applying a metadata batch failed; reopening the stream from the last applied offset');
      this.stream?.cancel();
    }
    for (const waiter of this.waiters.filter((w) => w.offset <= this.appliedOffset)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  private waitForOffset(offset: number): Promise<void> {
    if (this.appliedOffset >= offset) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ offset, resolve }));
  }
}

function toTributaryError(code: string, details: string): TributaryError {
  return new TributaryError(code as ErrorCodeName, details.startsWith(`${code}: `) ? details.slice(code.length + 2) : details);
}

function toTopicImage(described: TopicDescription): TopicImage {
  return {
    name: described.name,
    topicId: described.topicId,
    partitions: described.partitions.map((p) => ({ partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, partitionEpoch: 0 })),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
