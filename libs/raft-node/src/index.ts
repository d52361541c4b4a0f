export * from './grpc-transport';
export * from './raft-message-codec';
export * from './raft-node';
export * from './raft-transport-handlers';
export * from './snapshot-store';
export * from './wal';
