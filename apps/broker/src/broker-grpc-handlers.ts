import { Inject, Injectable } from '@nestjs/common';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { isTributaryError } from '@tributary/protocol';
import {
  ErrorCode,
  type BrokerServiceServer,
  type FetchRequest,
  type FetchResponse,
  type MetadataRequest,
  type MetadataResponse,
  type TopicMetadata,
} from '@tributary/proto';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from './broker-logger';
import { BrokerMetrics } from './broker-metrics';
import { FetchService } from './fetch-service';
import { asTributaryError, unaryHandler } from '@tributary/service-common';
import { ListOffsetsService } from './list-offsets-service';
import { PartitionResolver } from './partition-resolver';
import { ProduceService } from './produce-service';
import { ProducerIdManager } from './producer-id-manager';
import { toBrokerNode, toPartitionMetadata } from './proto-mapping';
import { TopicAdmin } from './topic-admin';

/** tributary.broker.v1.BrokerService: maps calls onto the broker's services. */
@Injectable()
export class BrokerGrpcHandlers {
  constructor(
    @Inject(ProduceService) private readonly produceService: ProduceService,
    @Inject(FetchService) private readonly fetchService: FetchService,
    @Inject(ListOffsetsService) private readonly listOffsetsService: ListOffsetsService,
    @Inject(ProducerIdManager) private readonly producerIds: ProducerIdManager,
    @Inject(PartitionResolver) private readonly partitions: PartitionResolver,
    @Inject(TopicAdmin) private readonly admin: TopicAdmin,
    @Inject(BrokerMetrics) private readonly metrics: BrokerMetrics,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  implementation(): BrokerServiceServer {
    return {
      produce: unaryHandler(this.logger, async (request) => {
        const stopTimer = this.metrics.produceLatency.startTimer();
        try {
          const response = await this.produceService.produce(request);
          this.metrics.produceRequests.inc({ topic: request.topic, error: 'NONE' });
          return response;
        } catch (error) {
          this.metrics.produceRequests.inc({ topic: request.topic, error: asTributaryError(error).code });
          throw error;
        } finally {
          stopTimer();
        }
      }),
      fetch: unaryHandler(this.logger, (request, call) => this.fetch(request, call)),
      listOffsets: unaryHandler(this.logger, async (request) => ({
        partitions: await this.listOffsetsService.listOffsets(request.partitions),
      })),
      metadata: unaryHandler(this.logger, (request) => this.metadata(request)),
      initProducerId: unaryHandler(this.logger, (request) => this.producerIds.initProducerId(request)),
    };
  }

  private async fetch(request: FetchRequest, call: ServerUnaryCall<FetchRequest, FetchResponse>): Promise<FetchResponse> {
    const stopTimer = this.metrics.fetchLatency.startTimer();
    this.metrics.fetchRequests.inc();
    const cancelled = new AbortController();
    call.once('cancelled', () => cancelled.abort());
    try {
      return await this.fetchService.fetch(request, cancelled.signal);
    } finally {
      stopTimer();
    }
  }

  private async metadata(request: MetadataRequest): Promise<MetadataResponse> {
    const cluster = this.admin.describeCluster();
    const names = request.topics.length > 0 ? request.topics : this.admin.listTopics(true).map((view) => view.topic.name);
    const topics = await Promise.all(names.map((name) => this.topicMetadata(name, request.allowAutoTopicCreation)));
    return { clusterId: cluster.clusterId, controllerId: cluster.controllerId, brokers: cluster.brokers.map(toBrokerNode), topics };
  }

  private async topicMetadata(name: string, allowAutoCreate: boolean): Promise<TopicMetadata> {
    try {
      await this.partitions.ensureTopic(name, { autoCreate: allowAutoCreate });
      const [{ topic, isInternal }] = this.admin.describeTopics([name]);
      return {
        name,
        topicId: topic.topicId,
        errorCode: ErrorCode.NONE,
        errorMessage: '',
        isInternal,
        partitions: topic.partitions.map(toPartitionMetadata),
      };
    } catch (error) {
      if (!isTributaryError(error)) throw error;
      const domain = asTributaryError(error);
      return { name, topicId: '', errorCode: ErrorCode[domain.code], errorMessage: `${domain.code}: ${domain.message}`, isInternal: false, partitions: [] };
    }
  }
}
