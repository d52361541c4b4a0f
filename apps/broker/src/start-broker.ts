import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseBrokerConfig } from '@tributary/metadata';
import { BrokerLifecycle } from './broker-lifecycle';
import { BrokerModule } from './broker.module';
import type { RunningBroker, StartBrokerOptions } from './broker-options';
import { startCombinedController, type CombinedController } from './combined-controller';
import { GrpcServerHost } from './grpc-server-host';
import { MetricsServer } from './metrics-server';
import { planProcess } from './process-roles';

/**
 * Starts a broker in this process — with its controller in combined mode (see planProcess).
 * Resolves once it serves gRPC and metrics and the controller has unfenced it. close() moves its
 * leaderships away (controlled shutdown), drains, flushes and closes every log, then stops the
 * controller.
 */
export async function startBroker(options: StartBrokerOptions): Promise<RunningBroker> {
  const config = parseBrokerConfig(options.config ?? {});
  const plan = planProcess(config);
  const combined: CombinedController | undefined = plan.kind === 'combined' ? await startCombinedController(options, config, plan.voters) : undefined;
  const brokerOptions = combined ? { ...options, config: { ...options.config, 'controller.quorum.voters': combined.voters } } : options;
  try {
    const app = await NestFactory.createApplicationContext(BrokerModule.forRoot(brokerOptions), { logger: false, abortOnError: false });
    const lifecycle = app.get(BrokerLifecycle);
    await lifecycle.announce(app.get(GrpcServerHost).port).catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
    let closing: Promise<void> | undefined;
    const close = async (): Promise<void> => {
      await lifecycle.shutDownControlled();
      await app.close();
      await combined?.controller.close();
    };
    return {
      port: app.get(GrpcServerHost).port,
      metricsPort: app.get(MetricsServer).port,
      controllerPort: combined?.controller.port,
      close: () => (closing ??= close()),
    };
  } catch (error) {
    await combined?.controller.close();
    throw error;
  }
}
