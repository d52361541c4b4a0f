import { status, type ServiceError } from '@grpc/grpc-js';
import { ERROR_CODE_TRAILER } from '@tributary/proto';
import { ErrorCode, TributaryError, errorCodeName, type ErrorCodeName } from '@tributary/protocol';
import { BrokerTimeoutError, BrokerUnreachableError } from './broker-unreachable-error';

/**
 * Turns a failed gRPC call into a TributaryError. The broker puts the error code name in the
 * `tributary-error-code` trailer and starts the status message with "CODE: "; that prefix is
 * dropped here because the code travels in `error.code`.
 */
export function grpcError(err: ServiceError, address: string): TributaryError {
  const trailer = err.metadata?.get(ERROR_CODE_TRAILER)?.[0];
  const details = err.details ?? err.message;
  if (typeof trailer === 'string' && trailer in ErrorCode) {
    const code = trailer as ErrorCodeName;
    const message = details.startsWith(`${code}: `) ? details.slice(code.length + 2) : details;
    return new TributaryError(code, message, { cause: err });
  }
  switch (err.code) {
    case status.UNAVAILABLE:
      return new BrokerUnreachableError(address, details);
    case status.DEADLINE_EXCEEDED:
      return new BrokerTimeoutError(address, details, err);
    case status.RESOURCE_EXHAUSTED:
      return new TributaryError('RECORD_LIST_TOO_LARGE', `broker ${address} refused the request size: ${details}`, { cause: err });
    default:
      return new TributaryError('UNKNOWN_SERVER_ERROR', `broker ${address} failed the call (gRPC ${status[err.code] ?? err.code}): ${details}`, { cause: err });
  }
}

/** A per-partition error code from Fetch or ListOffsets, as an error (or null for NONE). */
export function partitionError(code: number, message: string, where: string): TributaryError | null {
  if (code === ErrorCode.NONE) return null;
  const name = errorCodeName(code);
  return new TributaryError(name, message || `${name} for ${where}`);
}
