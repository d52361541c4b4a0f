export { startController } from './start-controller';
export type { RunningController, StartControllerOptions } from './controller-options';
export { formatControllerDir, readControllerMetaProperties, type ControllerMetaProperties } from './controller-meta-properties';
export { formatQuorumVoters, parseQuorumVoters } from '@tributary/service-common';
export { decodeMetadataBatch, encodeMetadataBatch } from './metadata-batch-codec';
