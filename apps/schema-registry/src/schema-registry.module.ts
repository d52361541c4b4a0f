import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import { RegistryGrpcHandlers } from './grpc/registry-grpc-handlers';
import { RegistryGrpcServerHost } from './grpc/registry-grpc-server-host';
import { CompatibilityController } from './rest/compatibility-controller';
import { ConfigController } from './rest/config-controller';
import { ModeController } from './rest/mode-controller';
import { RegistryExceptionFilter } from './rest/registry-exception.filter';
import { RegistryResponseInterceptor } from './rest/registry-response.interceptor';
import { RootController } from './rest/root-controller';
import { SchemasController } from './rest/schemas-controller';
import { SubjectsController } from './rest/subjects-controller';
import { SchemaRegistry } from './schema-registry';
import { REGISTRY_LOGGER, REGISTRY_OPTIONS, type StartSchemaRegistryOptions } from './schema-registry-options';

/** Wires one registry instance: the framework-free SchemaRegistry in, REST controllers and gRPC out. */
@Module({})
export class SchemaRegistryModule {
  static forRoot(options: StartSchemaRegistryOptions, registry: SchemaRegistry, logger: Logger): DynamicModule {
    return {
      module: SchemaRegistryModule,
      controllers: [RootController, SubjectsController, SchemasController, CompatibilityController, ConfigController, ModeController],
      providers: [
        { provide: REGISTRY_OPTIONS, useValue: options },
        { provide: REGISTRY_LOGGER, useValue: logger },
        { provide: SchemaRegistry, useValue: registry },
        { provide: APP_INTERCEPTOR, useClass: RegistryResponseInterceptor },
        { provide: APP_FILTER, useClass: RegistryExceptionFilter },
        RegistryGrpcHandlers,
        RegistryGrpcServerHost,
      ],
    };
  }
}
