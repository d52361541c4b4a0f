import { Body, Controller, Delete, Get, Inject, Param, Put, Query } from '@nestjs/common';
import type { ConfigValue } from '../registry-records';
import { RegistryErrors } from '../registry-error';
import { SchemaRegistry, type ConfigUpdate } from '../schema-registry';
import { flag, objectBody } from './request-body';

/** `/config`: the global and per-subject compatibility levels. */
@Controller('config')
export class ConfigController {
  constructor(@Inject(SchemaRegistry) private readonly registry: SchemaRegistry) {}

  @Get()
  global(): ConfigValue {
    return this.registry.getConfig(null, true);
  }

  @Put()
  setGlobal(@Body() body: unknown): Promise<ConfigUpdate> {
    return this.registry.setConfig(null, configUpdate(body));
  }

  @Delete()
  deleteGlobal(): Promise<ConfigValue> {
    return this.registry.deleteConfig(null);
  }

  @Get(':subject')
  subject(@Param('subject') subject: string, @Query('defaultToGlobal') defaultToGlobal: string | undefined): ConfigValue {
    return this.registry.getConfig(subject, flag(defaultToGlobal));
  }

  @Put(':subject')
  setSubject(@Param('subject') subject: string, @Body() body: unknown): Promise<ConfigUpdate> {
    return this.registry.setConfig(subject, configUpdate(body));
  }

  @Delete(':subject')
  deleteSubject(@Param('subject') subject: string): Promise<ConfigValue> {
    return this.registry.deleteConfig(subject);
  }
}

/** Confluent's ConfigUpdateRequest: {"compatibility": LEVEL, "normalize": BOOL}; a level that is not a string is 42203. */
function configUpdate(raw: unknown): ConfigUpdate {
  const body = objectBody(raw);
  const compatibility = body.compatibility ?? body.compatibilityLevel;
  if (compatibility !== undefined && typeof compatibility !== 'string') throw RegistryErrors.invalidCompatibilityLevel();
  if (body.normalize !== undefined && typeof body.normalize !== 'boolean') throw RegistryErrors.unprocessableBody('"normalize" must be true or false');
  return { ...(compatibility !== undefined ? { compatibility } : {}), ...(body.normalize !== undefined ? { normalize: body.normalize as boolean } : {}) };
}
