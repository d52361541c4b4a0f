import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { BrokerLifecycle } from './broker-lifecycle';
import { BrokerModule } from './broker.module';
import type { RunningBroker, StartBrokerOptions } from './broker-options';
import { GrpcServerHost } from './grpc-server-host';
import { MetricsServer } from './metrics-server';

/**
 * Starts a single-node broker (controller role included) in this process. Resolves once it
 * serves gRPC and metrics; close() drains, flushes and closes every log.
 */
export async function startBroker(options: StartBrokerOptions): Promise<RunningBroker> {
  const app = await NestFactory.createApplicationContext(BrokerModule.forRoot(options), { logger: false, abortOnError: false });
  const grpc = app.get(GrpcServerHost);
  await app.get(BrokerLifecycle).announce(grpc.port);
  let closing: Promise<void> | undefined;
  return {
    port: grpc.port,
    metricsPort: app.get(MetricsServer).port,
    close: () => (closing ??= app.close()),
  };
}
