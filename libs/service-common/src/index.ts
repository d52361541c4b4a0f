export * from './grpc-status';
export * from './quorum-voters';
