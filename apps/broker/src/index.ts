export { startBroker } from './start-broker';
export type { RunningBroker, StartBrokerOptions } from './broker-options';
export { parseProperties, parseServerArgs } from './server-args';
