import { Metadata, type handleUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { Inject, Injectable } from '@nestjs/common';
import { isInternalTopic, type AlterConfigOp, type BrokerRegistration, type TopicImage } from '@tributary/metadata';
import { toServiceError } from '@tributary/service-common';
import {
  AlterConfigOp as ProtoAlterConfigOp,
  CONTROLLER_ADDRESS_TRAILER,
  CONTROLLER_ID_TRAILER,
  ConfigResourceType as ProtoConfigResourceType,
  type ConfigResource,
  type ControllerServiceServer,
  type RegisteredBroker,
  type TopicDescription,
} from '@tributary/proto';
import { TributaryError } from '@tributary/protocol';
import type { Logger } from 'pino';
import { CONTROLLER_LOGGER } from './controller-options';
import { QuorumController } from './quorum-controller';

/** tributary.controller.v1.ControllerService: maps calls onto the QuorumController. */
@Injectable()
export class ControllerGrpcHandlers {
  /** Ends every open FetchMetadata stream (at shutdown, so draining does not wait on them). */
  private readonly openStreams = new Set<() => void>();

  constructor(
    @Inject(QuorumController) private readonly quorum: QuorumController,
    @Inject(CONTROLLER_LOGGER) private readonly logger: Logger,
  ) {}

  endStreams(): void {
    for (const end of this.openStreams) end();
  }

  implementation(): ControllerServiceServer {
    const quorum = this.quorum;
    const unary = <Req, Res>(handle: (request: Req) => Promise<Res>) => this.unary<Req, Res>(handle);
    const topicDescription = (name: string) => {
      const topic = quorum.state.image.topic(name);
      if (topic === undefined) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${name} does not exist`);
      return toTopicDescription(topic, Object.fromEntries(quorum.state.image.topicConfigs(name)));
    };
    return {
      registerBroker: unary(async (request) => {
        const { brokerEpoch } = await quorum.registerBroker({
          brokerId: request.brokerId,
          incarnationId: request.incarnationId,
          clusterId: request.clusterId,
          endpoints: request.endpoints.map((e) => ({ host: e.host, port: e.port })),
          rack: request.rack ?? null,
        });
        return { brokerEpoch };
      }),
      brokerHeartbeat: unary(async (request) => {
        const result = await quorum.heartbeat({
          brokerId: request.brokerId,
          brokerEpoch: request.brokerEpoch,
          currentMetadataOffset: request.currentMetadataOffset,
          wantFence: request.wantFence,
          wantShutdown: request.wantShutdown,
        });
        return { isCaughtUp: result.isCaughtUp, isFenced: result.isFenced, shouldShutDown: result.shouldShutDown, metadataOffset: result.metadataOffset };
      }),
      fetchMetadata: (call) => {
        const stop = quorum.follow(call.request.fromOffset, (delta) => call.write(delta));
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          stop();
          this.openStreams.delete(end);
          call.end();
        };
        this.openStreams.add(end);
        call.on('cancelled', end);
        call.on('close', end);
      },
      createTopic: unary(async (request) => {
        const result = await quorum.createTopic({
          name: request.name,
          numPartitions: request.numPartitions,
          replicationFactor: request.replicationFactor,
          configs: request.configs,
          ifNotExists: request.ifNotExists,
          validateOnly: request.validateOnly,
        });
        return {
          topic: toTopicDescription(result.topic, result.configs),
          created: result.created,
        };
      }),
      deleteTopic: unary(async (request) => {
        await quorum.deleteTopic({ name: request.name });
        return {};
      }),
      createPartitions: unary(async (request) => {
        await quorum.createPartitions({ topic: request.topic, totalCount: request.totalCount, validateOnly: request.validateOnly });
        return { topic: topicDescription(request.topic) };
      }),
      alterConfigs: unary(async (request) => {
        const resource = toResource(request.resource);
        const ops = request.entries.map(
          (entry): AlterConfigOp =>
            entry.op === ProtoAlterConfigOp.DELETE ? { op: 'DELETE', name: entry.name } : { op: 'SET', name: entry.name, value: entry.value },
        );
        await quorum.alterConfigs({ resource, ops, validateOnly: request.validateOnly });
        return { entries: [] };
      }),
      allocateProducerIds: unary(async (request) => {
        const result = await quorum.allocateProducerIds({
          brokerId: request.brokerId,
          brokerEpoch: request.brokerEpoch,
          blockSize: request.blockSize === 0 ? undefined : request.blockSize,
        });
        return { firstProducerId: result.firstProducerId, blockSize: result.blockSize };
      }),
      alterPartition: unary(async (request) => {
        const { partition } = await quorum.alterPartition({
          brokerId: request.brokerId,
          brokerEpoch: request.brokerEpoch,
          topic: request.topic,
          partition: request.partition,
          leaderEpoch: request.leaderEpoch,
          partitionEpoch: request.partitionEpoch,
          newIsr: request.newIsr,
        });
        return { leader: partition.leader, leaderEpoch: partition.leaderEpoch, partitionEpoch: partition.partitionEpoch, isr: [...partition.isr] };
      }),
      describeQuorum: unary(async () => {
        const status = quorum.status();
        const image = quorum.state.image;
        return {
          clusterId: quorum.clusterId,
          nodeId: status.id,
          leaderId: status.leaderId,
          term: status.term,
          commitIndex: status.commitIndex,
          appliedIndex: status.appliedIndex,
          metadataOffset: quorum.state.offset,
          voters: status.voters.map((id) => ({ nodeId: id, address: quorum.voterAddress(id) ?? '', isLeader: id === status.leaderId })),
          brokers: image.brokers().map(toRegisteredBroker),
        };
      }),
    };
  }

  /**
   * Runs an async handler, mapping failures with the broker's toServiceError; NOT_CONTROLLER
   * also carries the active controller's id and address as trailers so callers can redirect.
   */
  private unary<Req, Res>(handle: (request: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      handle(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => {
          if (!(error instanceof TributaryError)) this.logger.error({ err: error, path: call.getPath() }, 'unexpected failure');
          const serviceError = toServiceError(error);
          if (error instanceof TributaryError && error.code === 'NOT_CONTROLLER') addLeaderTrailers(serviceError.metadata as Metadata, this.quorum.leader());
          callback(serviceError as ServiceError);
        },
      );
    };
  }
}

function addLeaderTrailers(metadata: Metadata, leader: { id: number; address: string | undefined }): void {
  if (leader.id === 0) return;
  metadata.set(CONTROLLER_ID_TRAILER, String(leader.id));
  if (leader.address !== undefined) metadata.set(CONTROLLER_ADDRESS_TRAILER, leader.address);
}

function toTopicDescription(topic: TopicImage, configs: Readonly<Record<string, string>>): TopicDescription {
  return {
    name: topic.name,
    topicId: topic.topicId,
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((p) => ({ partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: [...p.replicas], isr: [...p.isr] })),
    configs: { ...configs },
  };
}

function toRegisteredBroker(broker: BrokerRegistration): RegisteredBroker {
  return {
    brokerId: broker.brokerId,
    brokerEpoch: broker.brokerEpoch,
    fenced: broker.fenced,
    endpoints: broker.endpoints.map((e) => ({ host: e.host, port: e.port })),
    rack: broker.rack ?? undefined,
    incarnationId: broker.incarnationId ?? '',
  };
}

function toResource(resource: ConfigResource | undefined): { type: 'topic' | 'broker'; name: string } {
  if (resource?.type === ProtoConfigResourceType.TOPIC) return { type: 'topic', name: resource.name };
  if (resource?.type === ProtoConfigResourceType.BROKER) return { type: 'broker', name: resource.name };
  throw new TributaryError('INVALID_REQUEST', 'a config resource needs a type: TOPIC or BROKER');
}
