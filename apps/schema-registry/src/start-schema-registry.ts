import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { RegistryGrpcServerHost } from './grpc/registry-grpc-server-host';
import { createRegistryLogger } from './registry-logger';
import { SchemaRegistry } from './schema-registry';
import {
  DEFAULT_HOST,
  DEFAULT_REST_PORT,
  DEFAULT_SCHEMAS_TOPIC,
  DEFAULT_TIMEOUT_MS,
  type RunningSchemaRegistry,
  type StartSchemaRegistryOptions,
} from './schema-registry-options';
import { SchemaRegistryModule } from './schema-registry.module';
import { SchemaStore } from './schema-store';

/** Largest request body (a schema with its references); Confluent has no smaller limit by default. */
const BODY_BYTES_MAX = 16 * 1024 * 1024;

/**
 * Starts one schema registry instance: reads `_schemas` (creating it, compacted, when missing)
 * to its end, serves REST and gRPC, then joins the leader election. Resolves once it serves.
 */
export async function startSchemaRegistry(options: StartSchemaRegistryOptions): Promise<RunningSchemaRegistry> {
  const logger = createRegistryLogger(options.logLevel);
  const host = options.host ?? DEFAULT_HOST;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The store reports applied records from its first read on; the registry listens once it exists.
  const listener: { registry?: SchemaRegistry } = {};
  const store = await SchemaStore.open({
    bootstrapServers: options.bootstrapServers,
    topic: options.topic ?? DEFAULT_SCHEMAS_TOPIC,
    replicationFactor: options.topicReplicationFactor,
    timeoutMs,
    logger,
    onApplied: (record) => listener.registry?.onApplied(record),
  });
  const registry = new SchemaRegistry(store, { leaderEligibility: options.leaderEligibility ?? true, forwardTimeoutMs: timeoutMs }, logger);
  listener.registry = registry;
  let app: NestExpressApplication | undefined;
  try {
    app = await NestFactory.create<NestExpressApplication>(SchemaRegistryModule.forRoot(options, registry, logger), new ExpressAdapter(), {
      logger: false,
      bodyParser: false,
      abortOnError: false,
    });
    // Bodies are read raw and parsed by the controllers, so a bad body gets Confluent's error shape.
    app.useBodyParser('raw', { type: () => true, limit: BODY_BYTES_MAX });
    app.disable('x-powered-by');
    await app.listen(options.port ?? DEFAULT_REST_PORT, host);
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const url = options.advertisedUrl ?? `http://${host}:${port}`;
    await registry.join(url);
    logger.info({ url, leader: registry.leaderUrl() }, 'schema registry is serving');
    const running = app;
    let closing: Promise<void> | undefined;
    return {
      port,
      grpcPort: app.get(RegistryGrpcServerHost).port,
      url,
      close: () =>
        (closing ??= (async () => {
          await registry.leave();
          await running.close();
          await store.close();
        })()),
    };
  } catch (error) {
    await app?.close();
    await store.close();
    throw error;
  }
}
