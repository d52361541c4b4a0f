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

/** grpc-js appends "Resolution note: " to connection failures even when it has nothing to say. */
function withoutEmptyResolutionNote(detail: string): string {
  return detail.replace(/\.?\s*Resolution note:\s*$/, '');
}
