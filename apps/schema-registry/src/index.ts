export { startSchemaRegistry } from './start-schema-registry';
export {
  DEFAULT_GRPC_PORT,
  DEFAULT_REST_PORT,
  DEFAULT_SCHEMAS_TOPIC,
  type RunningSchemaRegistry,
  type StartSchemaRegistryOptions,
} from './schema-registry-options';
export { REGISTRY_ERROR_CODE_TRAILER } from './grpc/registry-grpc-handlers';
