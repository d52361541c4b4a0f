/**
 * The one place where the services (broker, controller) turn domain errors into gRPC status. A failed unary call
 * carries the tributary.common.v1.ErrorCode name in the ERROR_CODE_TRAILER trailer and its status
 * message reads "CODE: what was wrong", so clients in any language can branch on the code.
 */
import { Metadata, status, type handleUnaryCall, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { ERROR_CODE_TRAILER } from '@tributary/proto';
import { TributaryError, type ErrorCodeName } from '@tributary/protocol';
import type { Logger } from 'pino';

const STATUS_BY_CODE: Partial<Record<ErrorCodeName, status>> = {
  UNKNOWN_TOPIC_OR_PARTITION: status.NOT_FOUND,
  UNKNOWN_TOPIC_ID: status.NOT_FOUND,
  CORRUPT_MESSAGE: status.INVALID_ARGUMENT,
  RECORD_TOO_LARGE: status.INVALID_ARGUMENT,
  RECORD_LIST_TOO_LARGE: status.INVALID_ARGUMENT,
  INVALID_TOPIC_EXCEPTION: status.INVALID_ARGUMENT,
  INVALID_PARTITIONS: status.INVALID_ARGUMENT,
  INVALID_CONFIG: status.INVALID_ARGUMENT,
  INVALID_REPLICATION_FACTOR: status.INVALID_ARGUMENT,
  INVALID_REPLICA_ASSIGNMENT: status.INVALID_ARGUMENT,
  INVALID_REQUIRED_ACKS: status.INVALID_ARGUMENT,
  INVALID_REQUEST: status.INVALID_ARGUMENT,
  INVALID_TIMESTAMP: status.INVALID_ARGUMENT,
  INVALID_FETCH_SIZE: status.INVALID_ARGUMENT,
  UNSUPPORTED_COMPRESSION_TYPE: status.INVALID_ARGUMENT,
  POLICY_VIOLATION: status.INVALID_ARGUMENT,
  INVALID_RECORD: status.INVALID_ARGUMENT,
  TOPIC_ALREADY_EXISTS: status.ALREADY_EXISTS,
  TOPIC_DELETION_DISABLED: status.FAILED_PRECONDITION,
  STALE_BROKER_EPOCH: status.FAILED_PRECONDITION,
  DUPLICATE_BROKER_REGISTRATION: status.ALREADY_EXISTS,
  INCONSISTENT_CLUSTER_ID: status.FAILED_PRECONDITION,
  OFFSET_OUT_OF_RANGE: status.OUT_OF_RANGE,
  OUT_OF_ORDER_SEQUENCE_NUMBER: status.FAILED_PRECONDITION,
  INVALID_PRODUCER_EPOCH: status.FAILED_PRECONDITION,
  UNKNOWN_PRODUCER_ID: status.FAILED_PRECONDITION,
  NOT_LEADER_OR_FOLLOWER: status.UNAVAILABLE,
  NOT_ENOUGH_REPLICAS: status.UNAVAILABLE,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: status.UNAVAILABLE,
  LEADER_NOT_AVAILABLE: status.UNAVAILABLE,
  NOT_CONTROLLER: status.UNAVAILABLE,
  REQUEST_TIMED_OUT: status.DEADLINE_EXCEEDED,
  NETWORK_EXCEPTION: status.UNAVAILABLE,
  UNSUPPORTED_VERSION: status.UNIMPLEMENTED,
  FENCED_LEADER_EPOCH: status.FAILED_PRECONDITION,
  UNKNOWN_LEADER_EPOCH: status.UNAVAILABLE,
  INVALID_UPDATE_VERSION: status.FAILED_PRECONDITION,
  INELIGIBLE_REPLICA: status.FAILED_PRECONDITION,
  OFFSET_METADATA_TOO_LARGE: status.INVALID_ARGUMENT,
  COORDINATOR_LOAD_IN_PROGRESS: status.UNAVAILABLE,
  COORDINATOR_NOT_AVAILABLE: status.UNAVAILABLE,
  NOT_COORDINATOR: status.UNAVAILABLE,
  INVALID_GROUP_ID: status.INVALID_ARGUMENT,
  INVALID_REGULAR_EXPRESSION: status.INVALID_ARGUMENT,
  UNSUPPORTED_ASSIGNOR: status.INVALID_ARGUMENT,
  UNKNOWN_MEMBER_ID: status.NOT_FOUND,
  GROUP_ID_NOT_FOUND: status.NOT_FOUND,
  NON_EMPTY_GROUP: status.FAILED_PRECONDITION,
  FENCED_MEMBER_EPOCH: status.FAILED_PRECONDITION,
  STALE_MEMBER_EPOCH: status.FAILED_PRECONDITION,
  FENCED_INSTANCE_ID: status.FAILED_PRECONDITION,
  UNRELEASED_INSTANCE_ID: status.FAILED_PRECONDITION,
  GROUP_MAX_SIZE_REACHED: status.RESOURCE_EXHAUSTED,
};

/** The gRPC status code a domain error code travels as. */
export function grpcStatusFor(code: ErrorCodeName): status {
  return STATUS_BY_CODE[code] ?? status.INTERNAL;
}

/** Any thrown value as a TributaryError; what is not one already is an unexpected server error. */
export function asTributaryError(error: unknown): TributaryError {
  if (error instanceof TributaryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TributaryError('UNKNOWN_SERVER_ERROR', `unexpected server error: ${message}`, { cause: error });
}

export function toServiceError(error: unknown): Partial<ServiceError> {
  const domain = asTributaryError(error);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_TRAILER, domain.code);
  return { code: grpcStatusFor(domain.code), details: `${domain.code}: ${domain.message}`, metadata };
}

/**
 * Adapts an async handler to grpc-js: resolves into the callback, and maps every failure
 * through toServiceError. Unexpected (non-domain) failures are logged with their stack.
 */
export function unaryHandler<Req, Res>(
  logger: Logger,
  handle: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handle(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => {
        if (!(error instanceof TributaryError)) logger.error({ err: error, path: call.getPath() }, 'unexpected failure');
        callback(toServiceError(error) as ServiceError);
      },
    );
  };
}
