// Generated gRPC contracts (ts-proto, grpc-js flavour). Regenerate with `npm run proto:gen`.
export * from './gen/tributary/common/v1/errors';
export * from './gen/tributary/broker/v1/types';
export * from './gen/tributary/broker/v1/broker';
export * from './gen/tributary/broker/v1/admin';
export * from './gen/tributary/broker/v1/replication';
export * from './gen/tributary/broker/v1/groups';
export * from './gen/tributary/raft/v1/raft';
export * from './gen/tributary/controller/v1/controller';
export * from './gen/tributary/schema/v1/schema_registry';

/**
 * A failed unary call carries its tributary.common.v1.ErrorCode name (e.g. "RECORD_TOO_LARGE")
 * in this trailer, and its status message starts with the same name.
 */
export const ERROR_CODE_TRAILER = 'tributary-error-code';

/** A NOT_CONTROLLER answer names the active controller's node id here, when it is known. */
export const CONTROLLER_ID_TRAILER = 'tributary-controller-id';
/** A NOT_CONTROLLER answer names the active controller's host:port here, when it is known. */
export const CONTROLLER_ADDRESS_TRAILER = 'tributary-controller-address';
