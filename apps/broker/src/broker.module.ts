import { Module, type DynamicModule } from '@nestjs/common';
import { AdminGrpcHandlers } from './admin-grpc-handlers';
import { AppendNotifier } from './append-notifier';
import { brokerConfigProvider } from './broker-config-provider';
import { BrokerGrpcHandlers } from './broker-grpc-handlers';
import { BrokerLifecycle } from './broker-lifecycle';
import { BROKER_LOGGER, createBrokerLogger } from './broker-logger';
import { BrokerMetrics } from './broker-metrics';
import { BROKER_OPTIONS, type StartBrokerOptions } from './broker-options';
import { ClusterMetadata } from './cluster-metadata';
import { FetchService } from './fetch-service';
import { GrpcServerHost } from './grpc-server-host';
import { GroupCoordinator } from './groups/group-coordinator';
import { GroupGrpcHandlers } from './groups/group-grpc-handlers';
import { ListOffsetsService } from './list-offsets-service';
import { LogScheduler } from './log-scheduler';
import { MetricsServer } from './metrics-server';
import { PartitionLogs } from './partition-logs';
import { PartitionResolver } from './partition-resolver';
import { ProduceService } from './produce-service';
import { ProducerIdManager } from './producer-id-manager';
import { QuorumMetadataClient } from './quorum-metadata-client';
import { RecordSchemaValidator } from './record-schema-validator';
import { HighWatermarkCheckpoints } from './replication/high-watermark-checkpoints';
import { ReplicaFetchService } from './replication/replica-fetch-service';
import { ReplicaFetchers } from './replication/replica-fetchers';
import { ReplicaManager } from './replication/replica-manager';
import { ReplicationGrpcHandlers } from './replication/replication-grpc-handlers';
import { TopicAdmin } from './topic-admin';

/**
 * Wires the broker: libraries in, gRPC and metrics out. The metadata comes from the controller
 * quorum of controller.quorum.voters (QuorumMetadataClient) — in combined mode a quorum of one
 * running in this process (startBroker).
 */
@Module({})
export class BrokerModule {
  static forRoot(options: StartBrokerOptions): DynamicModule {
    return {
      module: BrokerModule,
      providers: [
        { provide: BROKER_OPTIONS, useValue: options },
        { provide: BROKER_LOGGER, useValue: createBrokerLogger(options.logLevel) },
        brokerConfigProvider,
        AppendNotifier,
        { provide: ClusterMetadata, useClass: QuorumMetadataClient },
        PartitionLogs,
        HighWatermarkCheckpoints,
        ReplicaFetchers,
        ReplicaManager,
        ReplicaFetchService,
        ReplicationGrpcHandlers,
        TopicAdmin,
        PartitionResolver,
        ProducerIdManager,
        RecordSchemaValidator,
        ProduceService,
        FetchService,
        ListOffsetsService,
        BrokerMetrics,
        BrokerGrpcHandlers,
        AdminGrpcHandlers,
        GroupCoordinator,
        GroupGrpcHandlers,
        BrokerLifecycle,
        LogScheduler,
        GrpcServerHost,
        MetricsServer,
      ],
    };
  }
}
