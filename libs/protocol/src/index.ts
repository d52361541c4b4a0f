export * from './crc32c';
export * from './errors';
export * from './record-batch-header';
