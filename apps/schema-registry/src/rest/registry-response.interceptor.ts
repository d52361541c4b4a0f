import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { map, type Observable } from 'rxjs';
import { APPLIED_OFFSET_HEADER } from '../leader-client';
import { SchemaRegistry } from '../schema-registry';
import { checkRequestType, negotiateResponseType } from './media-types';

/** A body sent as it is (the `…/schema` endpoints answer the schema text itself). */
export class RawText {
  constructor(readonly text: string) {}
}

/**
 * Every REST answer: the negotiated media type (406 when none fits, 415 for a body of another
 * type), the body as JSON, and the offset of `_schemas` this instance had applied (a follower
 * waits for the leader's before it answers a forwarded write).
 */
@Injectable()
export class RegistryResponseInterceptor implements NestInterceptor {
  constructor(@Inject(SchemaRegistry) private readonly registry: SchemaRegistry) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const response = context.switchToHttp().getResponse<ServerResponse>();
    const type = negotiateResponseType(request.headers.accept);
    if (request.method === 'POST' || request.method === 'PUT') checkRequestType(request.headers['content-type']);
    return next.handle().pipe(
      map((body: unknown) => {
        response.setHeader('content-type', type);
        response.setHeader(APPLIED_OFFSET_HEADER, String(this.registry.appliedOffset));
        return body instanceof RawText ? body.text : JSON.stringify(body);
      }),
    );
  }
}
