import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { readControllerMetaProperties } from './controller-meta-properties';
import { ControllerGrpcServerHost } from './controller-grpc-server-host';
import { ControllerModule } from './controller.module';
import type { RunningController, StartControllerOptions } from './controller-options';

/**
 * Starts one controller of the quorum in this process. Its data dir must have been formatted
 * (formatControllerDir); it refuses to start otherwise. Resolves once it serves gRPC.
 */
export async function startController(options: StartControllerOptions): Promise<RunningController> {
  const { clusterId } = await readControllerMetaProperties(options.dataDir, options.nodeId);
  const app = await NestFactory.createApplicationContext(ControllerModule.forRoot(options, clusterId), { logger: false, abortOnError: false });
  let closing: Promise<void> | undefined;
  return {
    port: app.get(ControllerGrpcServerHost).port,
    close: () => (closing ??= app.close()),
  };
}
