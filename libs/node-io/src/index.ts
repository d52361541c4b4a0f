export * from './node-file-system';
