export { startController } from './start-controller';
export { DEFAULT_CONTROLLER_PORT, METADATA_LOG_DIR, type RunningController, type StartControllerOptions } from './controller-options';
export { formatControllerDir, readControllerMetaProperties, type ControllerMetaProperties } from './controller-meta-properties';
export { formatQuorumVoters, parseQuorumVoters } from '@tributary/service-common';
export { decodeMetadataBatch, encodeMetadataBatch } from './metadata-batch-codec';
