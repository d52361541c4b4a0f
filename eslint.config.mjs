import nx from '@nx/eslint-plugin';

// Node's I/O modules: core libraries take I/O through interfaces instead (see libs/node-io).
const nodeIo = ['fs', 'fs/promises', 'node:fs', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http',
  'http2', 'node:http2', 'child_process', 'node:child_process', 'dgram', 'node:dgram', 'os', 'node:os'];
const frameworks = ['@nestjs/*', '@grpc/*', 'express', 'ioredis', 'pino', 'prom-client'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', 'tmp', 'data', 'libs/proto/src/gen'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // Combined mode (process.roles=broker,controller): the broker starts the controller app's
          // startController in its own process, as Kafka's KafkaRaftServer runs both roles; and
          // apps/server (`tributary-server`, npm start) runs a broker with a schema registry beside it.
          allow: ['@tributary/controller', '@tributary/broker', '@tributary/schema-registry'],
          depConstraints: [
            // Pure cores: no framework, no transport, no Node I/O.
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'], bannedExternalImports: [...frameworks, ...nodeIo] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:runtime'], bannedExternalImports: ['@nestjs/*'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:runtime', 'type:app'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Tests of core libraries exercise them on real files and sockets.
    files: ['**/*.spec.ts', '**/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off', 'no-console': 'off' },
  },
  {
    // The CLI and benchmarks talk to a terminal.
    files: ['apps/cli/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
