import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isRegistryError } from '../registry-error';
import { REGISTRY_LOGGER } from '../schema-registry-options';
import { negotiateResponseType, RESPONSE_MEDIA_TYPES } from './media-types';

/**
 * The one place REST failures become Confluent's `{error_code, message}`: registry errors with
 * their code and status, framework ones (unknown path 404, wrong method 405) as Confluent's
 * `HTTP 404 Not Found`, anything unexpected as 500 (logged).
 */
@Catch()
export class RegistryExceptionFilter implements ExceptionFilter {
  constructor(@Inject(REGISTRY_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<IncomingMessage>();
    const response = host.switchToHttp().getResponse<ServerResponse>();
    let status: number;
    let body: { error_code: number; message: string };
    if (isRegistryError(exception)) {
      status = exception.status;
      body = { error_code: exception.errorCode, message: exception.message };
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      body = { error_code: status, message: `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim() };
    } else {
      this.logger.error({ err: exception, method: request.method, url: request.url }, 'unexpected failure');
      status = 500;
      body = { error_code: 500, message: `Internal Server Error: ${exception instanceof Error ? exception.message : String(exception)}` };
    }
    let type: string = RESPONSE_MEDIA_TYPES[0];
    try {
      type = negotiateResponseType(request.headers.accept);
    } catch {
      // A 406 itself goes out in the default type.
    }
    response.statusCode = status;
    response.setHeader('content-type', type);
    response.end(JSON.stringify(body));
  }
}
