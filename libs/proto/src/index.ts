// Generated gRPC contracts (ts-proto, grpc-js flavour). Regenerate with `npm run proto:gen`.
export * from './gen/tributary/common/v1/errors';
export * from './gen/tributary/broker/v1/types';
export * from './gen/tributary/broker/v1/broker';
export * from './gen/tributary/broker/v1/admin';
