export * from './majority-config';
