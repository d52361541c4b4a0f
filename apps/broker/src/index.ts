export { startBroker } from './start-broker';
export type { RunningBroker, StartBrokerOptions } from './broker-options';
export { parseProperties, parseServerArgs } from './server-args';
export { asTributaryError, grpcStatusFor, toServiceError, unaryHandler } from './grpc-status';
export { toConfigEntry, toTopicDescription } from './proto-mapping';
