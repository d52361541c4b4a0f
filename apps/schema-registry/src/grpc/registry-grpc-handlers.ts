import { Metadata, status, type handleUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { Inject, Injectable } from '@nestjs/common';
import type { SchemaRegistryServiceServer } from '@tributary/proto';
import type { Logger } from 'pino';
import { isRegistryError } from '../registry-error';
import type { SchemaValue } from '../registry-records';
import { SchemaRegistry } from '../schema-registry';
import { REGISTRY_LOGGER } from '../schema-registry-options';
import { parseVersionId, readSchemaRequest } from '../schema-request';

/** Trailer carrying Confluent's error code of a failed call. */
export const REGISTRY_ERROR_CODE_TRAILER = 'schema-registry-error-code';

/**
 * tributary.schema.v1.SchemaRegistryService: thin mapping onto SchemaRegistry, so gRPC and REST
 * share every rule. Request messages go through the REST request reader (same checks, same errors).
 */
@Injectable()
export class RegistryGrpcHandlers {
  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(REGISTRY_LOGGER) private readonly logger: Logger,
  ) {}

  implementation(): SchemaRegistryServiceServer {
    return {
      registerSchema: this.unary(async (r) => this.registry.register(r.subject, readSchemaRequest(withType(r)), r.normalize)),
      getSchemaById: this.unary(async (r) => {
        const schema = this.registry.schemaById(r.id);
        return { schema: schema.schema, schemaType: schema.schemaType, references: [...schema.references] };
      }),
      getSchemaVersion: this.unary(async (r) => versionMessage(this.registry.getVersion(r.subject, parseVersionId(r.version || 'latest'), { deleted: r.deleted }))),
      listSubjects: this.unary(async (r) => ({ subjects: this.registry.listSubjects({ prefix: r.subjectPrefix, deleted: r.deleted }) })),
      checkCompatibility: this.unary(async (r) => {
        const version = r.version === '' ? undefined : parseVersionId(r.version);
        const answer = this.registry.checkCompatibility(r.subject, version, readSchemaRequest(withType(r)), { verbose: r.verbose, normalize: r.normalize });
        return { isCompatible: answer.is_compatible, messages: answer.messages ?? [] };
      }),
    };
  }

  private unary<Req, Res>(handle: (request: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      handle(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => callback(this.serviceError(error)),
      );
    };
  }

  /** The one place registry errors become gRPC status. */
  private serviceError(error: unknown): ServiceError {
    const metadata = new Metadata();
    if (!isRegistryError(error)) {
      this.logger.error({ err: error }, 'unexpected failure');
      return { name: 'Error', message: String(error), code: status.INTERNAL, details: `500: ${(error as Error).message}`, metadata };
    }
    metadata.set(REGISTRY_ERROR_CODE_TRAILER, String(error.errorCode));
    const code = error.status === 404 ? status.NOT_FOUND : error.status === 409 ? status.FAILED_PRECONDITION : error.status >= 500 ? status.UNAVAILABLE : status.INVALID_ARGUMENT;
    return { name: 'RegistryError', message: error.message, code, details: `${error.errorCode}: ${error.message}`, metadata };
  }
}

/** proto3 leaves an absent type empty; the REST reader wants it absent. */
function withType(request: { schema: string; schemaType: string; references: unknown[] }): Record<string, unknown> {
  return { schema: request.schema, references: request.references, ...(request.schemaType ? { schemaType: request.schemaType } : {}) };
}

function versionMessage(value: SchemaValue) {
  return { subject: value.subject, version: value.version, id: value.id, schemaType: value.schemaType, schema: value.schema, references: [...value.references] };
}
