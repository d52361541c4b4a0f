import { Module, type DynamicModule } from '@nestjs/common';
import { ControllerGrpcHandlers } from './controller-grpc-handlers';
import { ControllerGrpcServerHost } from './controller-grpc-server-host';
import { createControllerLogger } from './controller-logger';
import { CONTROLLER_CLUSTER_ID, CONTROLLER_LOGGER, CONTROLLER_OPTIONS, type StartControllerOptions } from './controller-options';
import { QuorumController } from './quorum-controller';

/** Wires one controller: the Raft voter with the metadata state machine in, gRPC out. */
@Module({})
export class ControllerModule {
  static forRoot(options: StartControllerOptions, clusterId: string): DynamicModule {
    return {
      module: ControllerModule,
      providers: [
        { provide: CONTROLLER_OPTIONS, useValue: options },
        { provide: CONTROLLER_CLUSTER_ID, useValue: clusterId },
        { provide: CONTROLLER_LOGGER, useValue: createControllerLogger(options.logLevel) },
        QuorumController,
        ControllerGrpcHandlers,
        ControllerGrpcServerHost,
      ],
    };
  }
}
