import { Inject, Injectable } from '@nestjs/common';
import type { ReplicationServiceServer } from '@tributary/proto';
import { unaryHandler } from '@tributary/service-common';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from '../broker-logger';
import { ReplicaFetchService } from './replica-fetch-service';

/** tributary.broker.v1.ReplicationService over ReplicaFetchService; a cancelled fetch stops waiting. */
@Injectable()
export class ReplicationGrpcHandlers {
  constructor(
    @Inject(ReplicaFetchService) private readonly service: ReplicaFetchService,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  implementation(): ReplicationServiceServer {
    return {
      replicaFetch: unaryHandler(this.logger, (request, call) => {
        const cancelled = new AbortController();
        call.once('cancelled', () => cancelled.abort());
        return this.service.replicaFetch(request, cancelled.signal);
      }),
      offsetForLeaderEpoch: unaryHandler(this.logger, async (request) => this.service.offsetForLeaderEpoch(request)),
    };
  }
}
