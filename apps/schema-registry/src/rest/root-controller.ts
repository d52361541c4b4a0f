import { Controller, Get } from '@nestjs/common';

/** `GET /` answers `{}`, as Confluent's root resource does (a liveness probe). */
@Controller()
export class RootController {
  @Get()
  root(): Record<string, never> {
    return {};
  }
}
