import { TributaryError } from '@tributary/protocol';

/**
 * The broker could not be reached at all (connection refused, reset, DNS failure). Kafka calls
 * this a NetworkException; there is no stable error code for it because the broker never
 * answered, so it carries UNKNOWN_SERVER_ERROR and is retriable like a network error.
 */
export class BrokerUnreachableError extends TributaryError {
  constructor(
    readonly address: string,
    detail: string,
  ) {
    super('UNKNOWN_SERVER_ERROR', `cannot reach broker ${address}: ${detail}; check --bootstrap-server and that the broker is running`);
    this.name = 'BrokerUnreachableError';
    // A network failure is worth retrying even though its code is not.
    Object.defineProperty(this, 'retriable', { value: true });
  }
}
