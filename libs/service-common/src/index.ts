export * from './grpc-status';
