export * from './admin';
export * from './broker-unreachable-error';
export * from './cluster';
export * from './consumer';
export * from './default-partitioner';
export * from './producer';
export * from './tributary';
