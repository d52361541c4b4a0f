import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { RegistryErrors } from '../registry-error';
import { SchemaRegistry } from '../schema-registry';
import { schemaJson, schemaStringJson } from '../schema-json';
import { RawText } from './registry-response.interceptor';
import { flag, integer } from './request-body';
import { subjectPrefix } from './subjects-controller';

type QueryFlags = Record<string, string | undefined>;

/** The schema types, in the order Confluent lists them. */
const SCHEMA_TYPES_LISTED = ['JSON', 'PROTOBUF', 'AVRO'];

/** `/schemas`: schemas by their global id, and listings. */
@Controller('schemas')
export class SchemasController {
  constructor(@Inject(SchemaRegistry) private readonly registry: SchemaRegistry) {}

  @Get()
  list(@Query() query: QueryFlags): Record<string, unknown>[] {
    return this.registry
      .listSchemas({
        prefix: subjectPrefix(query.subjectPrefix),
        deleted: flag(query.deleted),
        latestOnly: flag(query.latestOnly),
        offset: integer(query.offset, 0),
        limit: integer(query.limit, -1),
      })
      .map(schemaJson);
  }

  @Get('types')
  types(): string[] {
    return SCHEMA_TYPES_LISTED;
  }

  @Get('ids/:id')
  byId(@Param('id') id: string, @Query() query: QueryFlags): Record<string, unknown> {
    const schema = this.registry.schemaById(schemaId(id));
    return { ...schemaStringJson(schema), ...(flag(query.fetchMaxId) ? { maxId: this.registry.maxId() } : {}) };
  }

  @Get('ids/:id/schema')
  schemaText(@Param('id') id: string): RawText {
    return new RawText(this.registry.schemaById(schemaId(id)).schema);
  }

  @Get('ids/:id/subjects')
  subjects(@Param('id') id: string, @Query() query: QueryFlags): string[] {
    return [...new Set(this.registry.versionsOfId(schemaId(id), { deleted: flag(query.deleted) }).map((v) => v.subject))];
  }

  @Get('ids/:id/versions')
  versions(@Param('id') id: string, @Query() query: QueryFlags): { subject: string; version: number }[] {
    return this.registry.versionsOfId(schemaId(id), { deleted: flag(query.deleted) }).map((v) => ({ subject: v.subject, version: v.version }));
  }
}

function schemaId(text: string): number {
  const id = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw RegistryErrors.schemaNotFound();
  return id;
}
