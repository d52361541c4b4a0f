export { startBroker } from './start-broker';
export type { RunningBroker, StartBrokerOptions } from './broker-options';
export { DEFAULT_GRPC_PORT, DEFAULT_HOST, DEFAULT_METRICS_PORT } from './broker-options';
