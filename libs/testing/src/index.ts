export { eventually } from './eventually';
export { FaultProxy, type LinkState } from './fault-proxy';
export { freePort } from '@tributary/service-common';
export { NodeProcess, type Exit } from './node-process';
export { ProcessCluster, type NodeName, type ProcessClusterOptions } from './process-cluster';
