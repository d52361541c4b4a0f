export * from './grpc-status';
export * from './quorum-voters';
export * from './process-lifecycle';
export * from './meta-properties';
export * from './command-line-values';
export * from './grpc-server-lifecycle';
export * from './unary-client-method';
export * from './reachable-host';
