import { Body, Controller, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { SchemaRegistry, type CompatibilityAnswer } from '../schema-registry';
import { parseVersionId, readSchemaRequest } from '../schema-request';
import { flag, jsonBody } from './request-body';

type QueryFlags = Record<string, string | undefined>;

/** `/compatibility`: would a schema be accepted? `verbose=true` says why not. */
@Controller('compatibility')
export class CompatibilityController {
  constructor(@Inject(SchemaRegistry) private readonly registry: SchemaRegistry) {}

  @Post('subjects/:subject/versions/:version')
  @HttpCode(200)
  againstVersion(@Param('subject') subject: string, @Param('version') version: string, @Query() query: QueryFlags, @Body() body: unknown): CompatibilityAnswer {
    const versionId = parseVersionId(version);
    return this.registry.checkCompatibility(subject, versionId, readSchemaRequest(jsonBody(body)), { verbose: flag(query.verbose), normalize: flag(query.normalize) });
  }

  @Post('subjects/:subject/versions')
  @HttpCode(200)
  againstSubject(@Param('subject') subject: string, @Query() query: QueryFlags, @Body() body: unknown): CompatibilityAnswer {
    return this.registry.checkCompatibility(subject, undefined, readSchemaRequest(jsonBody(body)), { verbose: flag(query.verbose), normalize: flag(query.normalize) });
  }
}
