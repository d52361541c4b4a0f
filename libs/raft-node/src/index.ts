export * from './snapshot-store';
export * from './wal';
