import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { SchemaRegistry } from '../schema-registry';
import { schemaJson } from '../schema-json';
import { parseVersionId, readSchemaRequest } from '../schema-request';
import { RawText } from './registry-response.interceptor';
import { flag, jsonBody } from './request-body';

type QueryFlags = Record<string, string | undefined>;

/** `/subjects`: subjects, their versions, register, lookup and deletes. */
@Controller('subjects')
export class SubjectsController {
  constructor(@Inject(SchemaRegistry) private readonly registry: SchemaRegistry) {}

  @Get()
  list(@Query() query: QueryFlags): string[] {
    return this.registry.listSubjects({ prefix: subjectPrefix(query.subjectPrefix), deleted: flag(query.deleted), deletedOnly: flag(query.deletedOnly) });
  }

  @Post(':subject')
  @HttpCode(200)
  lookup(@Param('subject') subject: string, @Query() query: QueryFlags, @Body() body: unknown): Record<string, unknown> {
    const found = this.registry.lookup(subject, readSchemaRequest(jsonBody(body)), { normalize: flag(query.normalize), deleted: flag(query.deleted) });
    return schemaJson(found);
  }

  @Delete(':subject')
  deleteSubject(@Param('subject') subject: string, @Query() query: QueryFlags): Promise<number[]> {
    return this.registry.deleteSubject(subject, flag(query.permanent));
  }

  @Get(':subject/versions')
  versions(@Param('subject') subject: string, @Query() query: QueryFlags): number[] {
    return this.registry.listVersions(subject, { deleted: flag(query.deleted), deletedOnly: flag(query.deletedOnly) });
  }

  @Post(':subject/versions')
  @HttpCode(200)
  register(@Param('subject') subject: string, @Query() query: QueryFlags, @Body() body: unknown): Promise<{ id: number }> {
    return this.registry.register(subject, readSchemaRequest(jsonBody(body)), flag(query.normalize));
  }

  @Get(':subject/versions/:version')
  version(@Param('subject') subject: string, @Param('version') version: string, @Query() query: QueryFlags): Record<string, unknown> {
    return schemaJson(this.registry.getVersion(subject, parseVersionId(version), { deleted: flag(query.deleted) }));
  }

  @Get(':subject/versions/:version/schema')
  versionSchema(@Param('subject') subject: string, @Param('version') version: string, @Query() query: QueryFlags): RawText {
    return new RawText(this.registry.getVersion(subject, parseVersionId(version), { deleted: flag(query.deleted) }).schema);
  }

  @Get(':subject/versions/:version/referencedby')
  referencedBy(@Param('subject') subject: string, @Param('version') version: string): number[] {
    return this.registry.referencedBy(subject, parseVersionId(version));
  }

  @Delete(':subject/versions/:version')
  deleteVersion(@Param('subject') subject: string, @Param('version') version: string, @Query() query: QueryFlags): Promise<number> {
    return this.registry.deleteVersion(subject, parseVersionId(version), flag(query.permanent));
  }
}

/** Confluent's default prefix ":*:" means every subject of the default context. */
export function subjectPrefix(prefix: string | undefined): string {
  return prefix === undefined || prefix === ':*:' ? '' : prefix;
}
