export * from '@tributary/service-common';
