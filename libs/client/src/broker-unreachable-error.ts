import { TributaryError } from '@tributary/protocol';

/**
 * The broker could not be reached at all (connection refused, reset, DNS failure): Kafka's
 * NetworkException, code NETWORK_EXCEPTION, retriable.
 */
export class BrokerUnreachableError extends TributaryError {
  constructor(
    readonly address: string,
    detail: string,
  ) {
    super('NETWORK_EXCEPTION', `cannot reach broker ${address}: ${withoutEmptyResolutionNote(detail)}; check --bootstrap-server and that the broker is running`);
    this.name = 'BrokerUnreachableError';
  }
}

/**
 * The broker took the call but did not answer before its deadline (a hung or paused process, a
 * network that drops packets): code REQUEST_TIMED_OUT, retriable. Unlike a REQUEST_TIMED_OUT the
 * broker sends, nothing says it is alive, so calls any broker can answer try another one.
 */
export class BrokerTimeoutError extends TributaryError {
  constructor(
    readonly address: string,
    detail: string,
    cause?: unknown,
  ) {
    super('REQUEST_TIMED_OUT', `broker ${address} did not answer in time: ${detail}`, { cause });
    this.name = 'BrokerTimeoutError';
  }
}

/** grpc-js appends "Resolution note: " to connection failures even when it has nothing to say. */
function withoutEmptyResolutionNote(detail: string): string {
  return detail.replace(/\.?\s*Resolution note:\s*$/, '');
}
