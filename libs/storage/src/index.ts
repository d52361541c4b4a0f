export * from './file-system';
export * from './log-config';
export * from './partition-log';
export * from './segment';
export { ProducerState } from './producer-state';
export type { ProducerEntry, ProducerBatchMetadata } from './producer-state';
export type { LogTruncation } from './log-recovery';
