import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from './broker-logger';
import { BROKER_OPTIONS, DEFAULT_HOST, type StartBrokerOptions } from './broker-options';
import { ClusterMetadata } from './cluster-metadata';
import { PartitionLogs } from './partition-logs';
import { ReplicaManager } from './replication/replica-manager';
import { TopicAdmin } from './topic-admin';

/**
 * Start-up and shutdown order of the node's state: metadata first (fetched from the controller
 * quorum), then the partition logs it names (recovered), then — once gRPC is bound — this broker's
 * registration, which resolves when the controller has unfenced it. On shutdown: a controlled
 * shutdown first (leaderships move away while this broker still serves), then after the gRPC
 * server has drained (GrpcServerHost, beforeApplicationShutdown) every log is flushed and
 * closed, the metadata stream last.
 */
@Injectable()
export class BrokerLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(BROKER_OPTIONS) private readonly options: StartBrokerOptions,
    @Inject(ClusterMetadata) private readonly metadata: ClusterMetadata,
    @Inject(PartitionLogs) private readonly logs: PartitionLogs,
    @Inject(TopicAdmin) private readonly admin: TopicAdmin,
    @Inject(ReplicaManager) private readonly replicas: ReplicaManager,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.metadata.open();
      await this.admin.openLogs();
    } catch (error) {
      // A failed start leaves nothing open behind it (logs, metadata streams and timers).
      await this.onApplicationShutdown();
      throw error;
    }
  }

  /** Registers with the port actually bound (an ephemeral one when port 0 was asked for) and waits to be unfenced. */
  async announce(port: number): Promise<void> {
    await this.admin.registerSelf(this.options.host ?? DEFAULT_HOST, port);
  }

  /** The first step of a clean stop, before anything stops serving. */
  async shutDownControlled(): Promise<void> {
    await this.metadata.shutDownControlled();
  }

  async onApplicationShutdown(): Promise<void> {
    // Fetchers stop writing and high watermarks are saved before the logs close.
    await this.replicas.close();
    await this.logs.closeAll();
    await this.metadata.close();
    this.logger.info('logs flushed and closed');
  }
}
