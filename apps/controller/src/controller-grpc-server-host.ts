import { Server } from '@grpc/grpc-js';
import { bindInsecure, drainGrpcServer } from '@tributary/service-common';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ControllerServiceService, RaftTransportServiceService } from '@tributary/proto';
import { createRaftTransportHandlers } from '@tributary/raft-node';
import { nodeId } from '@tributary/raft';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ControllerGrpcHandlers } from './controller-grpc-handlers';
import { CONTROLLER_CLUSTER_ID, CONTROLLER_LOGGER, CONTROLLER_OPTIONS, DEFAULT_HOST, type StartControllerOptions } from './controller-options';
import { QuorumController } from './quorum-controller';

/** How long shutdown lets calls in flight finish before cancelling them. */
const DRAIN_TIMEOUT_MS = 5_000;
/** Raft snapshots travel chunked; a metadata snapshot above this is refused. */
const SNAPSHOT_BYTES_MAX = 256 * 1024 * 1024;

const PROTO_ROOT = join(__dirname, '..', '..', '..', 'proto');
const SERVED_PROTOS = ['tributary/controller/v1/controller.proto', 'tributary/raft/v1/raft.proto'];
const SERVICE_NAMES = ['tributary.controller.v1.ControllerService', 'tributary.raft.v1.RaftTransportService'];

/**
 * A plain grpc-js server inside a Nest provider (Nest's gRPC transport cannot report an
 * ephemeral port): ControllerService, the Raft transport between controllers,
 * grpc.health.v1.Health and server reflection.
 */
@Injectable()
export class ControllerGrpcServerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server = new Server();
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private boundPort = -1;

  constructor(
    @Inject(CONTROLLER_OPTIONS) private readonly options: StartControllerOptions,
    @Inject(CONTROLLER_CLUSTER_ID) private readonly clusterId: string,
    @Inject(QuorumController) private readonly quorum: QuorumController,
    @Inject(ControllerGrpcHandlers) private readonly handlers: ControllerGrpcHandlers,
    @Inject(CONTROLLER_LOGGER) private readonly logger: Logger,
  ) {}

  get port(): number {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server.addService(ControllerServiceService, this.handlers.implementation());
    this.server.addService(
      RaftTransportServiceService,
      createRaftTransportHandlers({
        clusterId: this.clusterId,
        nodeId: nodeId(this.options.nodeId),
        receive: (messages) => this.quorum.receive(messages),
        snapshotBytesMax: SNAPSHOT_BYTES_MAX,
      }),
    );
    this.health.addToServer(this.server);
    new ReflectionService(reflectedPackages()).addToServer(this.server);
    const address = `${this.options.host ?? DEFAULT_HOST}:${this.options.port ?? votersPort(this.options)}`;
    this.boundPort = await bindInsecure(this.server, address);
    for (const name of ['', ...SERVICE_NAMES]) this.health.setStatus(name, 'SERVING');
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const name of ['', ...SERVICE_NAMES]) this.health.setStatus(name, 'NOT_SERVING');
    this.handlers.endStreams();
    // Stopping Raft first answers requests waiting on it (NOT_CONTROLLER), so draining does not wait on a lost quorum.
    await this.quorum.stop();
    await drainGrpcServer(this.server, DRAIN_TIMEOUT_MS, () =>
      this.logger.warn({ drainTimeoutMs: DRAIN_TIMEOUT_MS }, 'calls still in flight at shutdown; cancelling them'),
    );
  }
}

function votersPort(options: StartControllerOptions): number {
  const address = options.voters.get(options.nodeId) ?? '';
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** The .proto files of everything served, so reflection clients (grpcurl) can list and call it. */
function reflectedPackages(): PackageDefinition {
  const options = { includeDirs: [PROTO_ROOT], keepCase: true, longs: String, enums: String, defaults: true };
  return { ...loadSync(SERVED_PROTOS, options), ...loadSync(healthProtoPath, options) };
}
