import { TributaryError, type ErrorCodeName } from '@tributary/protocol';

/**
 * A failure the registry answers with Confluent's `{error_code, message}`: `errorCode` is
 * Confluent's code (40401 …), `status` the HTTP status it travels with. The factories below
 * carry Confluent's messages, so its clients read the same text from us.
 */
export class RegistryError extends TributaryError {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(kafkaCode(status, errorCode), message, options);
    this.name = 'RegistryError';
  }
}

function kafkaCode(status: number, errorCode: number): ErrorCodeName {
  if (errorCode === 50002) return 'REQUEST_TIMED_OUT';
  if (errorCode === 50003 || errorCode === 50004) return 'NETWORK_EXCEPTION';
  return status >= 500 ? 'UNKNOWN_SERVER_ERROR' : 'INVALID_REQUEST';
}

export const RegistryErrors = {
  subjectNotFound: (subject: string) => new RegistryError(404, 40401, `Subject '${subject}' not found.`),
  versionNotFound: (version: number | string) => new RegistryError(404, 40402, `Version ${version} not found.`),
  schemaNotFound: (id?: number) => new RegistryError(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (subject: string) =>
    new RegistryError(404, 40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (subject: string) =>
    new RegistryError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: number | string) =>
    new RegistryError(404, 40406, `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`),
  versionNotSoftDeleted: (subject: string, version: number | string) =>
    new RegistryError(404, 40407, `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`),
  subjectCompatibilityNotConfigured: (subject: string) =>
    new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`),
  subjectModeNotConfigured: (subject: string) => new RegistryError(404, 40409, `Subject '${subject}' does not have subject-level mode configured`),
  incompatible: (subject: string, messages: readonly string[]) =>
    new RegistryError(409, 409, `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${messages.join(', ')}]`),
  invalidSchema: (message: string) => new RegistryError(422, 42201, message),
  invalidVersion: (version: string) =>
    new RegistryError(422, 42202, `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`),
  invalidCompatibilityLevel: () =>
    new RegistryError(
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  invalidMode: () => new RegistryError(422, 42204, 'Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, and IMPORT.'),
  operationNotPermitted: (message: string) => new RegistryError(422, 42205, message),
  referenceExists: (subject: string, version: number) =>
    new RegistryError(422, 42206, `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`),
  store: (message: string, cause?: unknown) => new RegistryError(500, 50001, message, { cause }),
  timeout: (message: string) => new RegistryError(500, 50002, message),
  forwardingFailed: (message: string, cause?: unknown) => new RegistryError(500, 50003, message, { cause }),
  unknownLeader: () => new RegistryError(500, 50004, 'Leader not known.'),
  /** A request body that is not JSON (HTTP 400, as Confluent's JSON parser answers). */
  malformedBody: (reason: string) => new RegistryError(400, 400, `Malformed request body: ${reason}`),
  /** A JSON body of the wrong shape (HTTP 422, as Confluent's entity validation answers). */
  unprocessableBody: (reason: string) => new RegistryError(422, 422, reason),
};

export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}
