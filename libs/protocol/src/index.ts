export * from './crc32c';
export * from './record-batch-header';
