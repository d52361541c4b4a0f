import { status } from '@grpc/grpc-js';
import { ErrorCode as WireErrorCode, errorCodeToJSON } from '@tributary/proto';
import { ErrorCode, TributaryError } from '@tributary/protocol';
import { grpcStatusFor, toServiceError } from './grpc-status';

describe('grpc-status', () => {
  it('the library error codes and the proto ErrorCode enum agree on every name and number', () => {
    const wire = Object.entries(WireErrorCode).filter(([name, n]) => typeof n === 'number' && name !== 'UNRECOGNIZED');
    expect(Object.fromEntries(wire)).toEqual(ErrorCode);
  });

  it('a domain error travels as its status, a "CODE: message" text and the code trailer', () => {
    const error = toServiceError(new TributaryError('RECORD_TOO_LARGE', 'record of 2000000 bytes exceeds max.message.bytes'));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe('RECORD_TOO_LARGE: record of 2000000 bytes exceeds max.message.bytes');
    expect(error.metadata?.get('tributary-error-code')).toEqual(['RECORD_TOO_LARGE']);
    expect(errorCodeToJSON(WireErrorCode.RECORD_TOO_LARGE)).toBe('RECORD_TOO_LARGE');
  });

  it('an unexpected failure is INTERNAL with UNKNOWN_SERVER_ERROR', () => {
    const error = toServiceError(new Error('disk on fire'));
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).toBe('UNKNOWN_SERVER_ERROR: unexpected server error: disk on fire');
    expect(grpcStatusFor('UNKNOWN_SERVER_ERROR')).toBe(status.INTERNAL);
  });
});
