import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from './broker-logger';
import { BROKER_OPTIONS, DEFAULT_GRPC_PORT, DEFAULT_HOST, type StartBrokerOptions } from './broker-options';
import { ClusterMetadata } from './cluster-metadata';
import { PartitionLogs } from './partition-logs';
import { TopicAdmin } from './topic-admin';

/**
 * Start-up and shutdown order of the node's state: metadata first (replayed into the image, or
 * fetched from the controller quorum), then the partition logs it names (recovered), then this
 * broker's registration. On shutdown,
 * after the gRPC server has drained (GrpcServerHost, beforeApplicationShutdown), every log is
 * flushed and closed, the metadata log last.
 */
@Injectable()
export class BrokerLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(BROKER_OPTIONS) private readonly options: StartBrokerOptions,
    @Inject(ClusterMetadata) private readonly metadata: ClusterMetadata,
    @Inject(PartitionLogs) private readonly logs: PartitionLogs,
    @Inject(TopicAdmin) private readonly admin: TopicAdmin,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.metadata.open();
      await this.admin.openLogs();
      await this.admin.registerSelf(this.options.host ?? DEFAULT_HOST, this.options.port ?? DEFAULT_GRPC_PORT);
    } catch (error) {
      // A failed start leaves nothing open behind it (logs, metadata streams and timers).
      await this.onApplicationShutdown();
      throw error;
    }
  }

  /** Re-registers with the port actually bound (an ephemeral one when port 0 was asked for). */
  async announce(port: number): Promise<void> {
    if (port !== (this.options.port ?? DEFAULT_GRPC_PORT)) await this.admin.registerSelf(this.options.host ?? DEFAULT_HOST, port);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.logs.closeAll();
    await this.metadata.close();
    this.logger.info('logs flushed and closed');
  }
}
