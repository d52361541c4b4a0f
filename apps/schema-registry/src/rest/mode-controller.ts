import { Body, Controller, Delete, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { RegistryErrors } from '../registry-error';
import type { Mode } from '../registry-state';
import { SchemaRegistry } from '../schema-registry';
import { flag, objectBody } from './request-body';

/** `/mode`: READWRITE, READONLY, READONLY_OVERRIDE or IMPORT, globally or per subject. */
@Controller('mode')
export class ModeController {
  constructor(@Inject(SchemaRegistry) private readonly registry: SchemaRegistry) {}

  @Get()
  global(): { mode: Mode } {
    return this.registry.getMode(null, true);
  }

  @Put()
  setGlobal(@Body() body: unknown, @Query('force') force: string | undefined): Promise<{ mode: Mode }> {
    return this.registry.setMode(null, modeOf(body), flag(force));
  }

  @Delete()
  deleteGlobal(): Promise<{ mode: Mode }> {
    return this.registry.deleteMode(null);
  }

  @Get(':subject')
  subject(@Param('subject') subject: string, @Query('defaultToGlobal') defaultToGlobal: string | undefined): { mode: Mode } {
    return this.registry.getMode(subject, flag(defaultToGlobal));
  }

  @Put(':subject')
  setSubject(@Param('subject') subject: string, @Body() body: unknown, @Query('force') force: string | undefined): Promise<{ mode: Mode }> {
    return this.registry.setMode(subject, modeOf(body), flag(force));
  }

  @Delete(':subject')
  deleteSubject(@Param('subject') subject: string): Promise<{ mode: Mode }> {
    return this.registry.deleteMode(subject);
  }
}

/** Confluent's ModeUpdateRequest: {"mode": MODE}; a mode that is not a string is 42204. */
function modeOf(raw: unknown): string {
  const mode = objectBody(raw).mode;
  if (typeof mode !== 'string') throw RegistryErrors.invalidMode();
  return mode;
}
