import { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchemaRegistryServiceService } from '@tributary/proto';
import { bindInsecure, drainGrpcServer } from '@tributary/service-common';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_GRPC_PORT, DEFAULT_HOST, REGISTRY_LOGGER, REGISTRY_OPTIONS, type StartSchemaRegistryOptions } from '../schema-registry-options';
import { RegistryGrpcHandlers } from './registry-grpc-handlers';

const DRAIN_TIMEOUT_MS = 5_000;
const PROTO_ROOT = join(__dirname, '..', '..', '..', '..', 'proto');
const SERVED_PROTO = 'tributary/schema/v1/schema_registry.proto';
const SERVICE_NAME = 'tributary.schema.v1.SchemaRegistryService';

/**
 * A plain grpc-js server inside a Nest provider (Nest's gRPC transport cannot report an
 * ephemeral port): SchemaRegistryService, grpc.health.v1.Health and server reflection.
 */
@Injectable()
export class RegistryGrpcServerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server = new Server();
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private boundPort = -1;

  constructor(
    @Inject(REGISTRY_OPTIONS) private readonly options: StartSchemaRegistryOptions,
    @Inject(RegistryGrpcHandlers) private readonly handlers: RegistryGrpcHandlers,
    @Inject(REGISTRY_LOGGER) private readonly logger: Logger,
  ) {}

  get port(): number {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server.addService(SchemaRegistryServiceService, this.handlers.implementation());
    this.health.addToServer(this.server);
    const loaderOptions = { includeDirs: [PROTO_ROOT], keepCase: true, longs: String, enums: String, defaults: true };
    const reflected: PackageDefinition = { ...loadSync(SERVED_PROTO, loaderOptions), ...loadSync(healthProtoPath, loaderOptions) };
    new ReflectionService(reflected).addToServer(this.server);
    this.boundPort = await bindInsecure(this.server, `${this.options.host ?? DEFAULT_HOST}:${this.options.grpcPort ?? DEFAULT_GRPC_PORT}`);
    for (const name of ['', SERVICE_NAME]) this.health.setStatus(name, 'SERVING');
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const name of ['', SERVICE_NAME]) this.health.setStatus(name, 'NOT_SERVING');
    await drainGrpcServer(this.server, DRAIN_TIMEOUT_MS, () => this.logger.warn({ drainTimeoutMs: DRAIN_TIMEOUT_MS }, 'gRPC calls still in flight at shutdown; cancelling them'));
  }
}
