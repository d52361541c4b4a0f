/**
 * The one error hierarchy of Tributary. Every failure that crosses a library boundary is a
 * TributaryError with a stable `code` (Kafka's error names and numbers, mirrored by
 * tributary.common.v1.ErrorCode in proto/) and says whether retrying can help. Apps map codes
 * to gRPC/HTTP status in one place each; libraries never throw framework errors.
 */
export const ErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_FETCH_SIZE: 4,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  RECORD_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  INVALID_REQUIRED_ACKS: 21,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  KAFKA_STORAGE_ERROR: 56,
  UNKNOWN_PRODUCER_ID: 59,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  TOPIC_DELETION_DISABLED: 73,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  STALE_BROKER_EPOCH: 77,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  INVALID_RECORD: 87,
  INVALID_UPDATE_VERSION: 95,
  UNKNOWN_TOPIC_ID: 100,
  DUPLICATE_BROKER_REGISTRATION: 101,
  INCONSISTENT_CLUSTER_ID: 104,
  INELIGIBLE_REPLICA: 107,
  FENCED_MEMBER_EPOCH: 110,
  UNRELEASED_INSTANCE_ID: 111,
  UNSUPPORTED_ASSIGNOR: 112,
  STALE_MEMBER_EPOCH: 113,
  INVALID_REGULAR_EXPRESSION: 128,
  UNKNOWN_SERVER_ERROR: -1,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** Codes a client may retry as they are (after refreshing metadata where it applies). */
const RETRIABLE: ReadonlySet<ErrorCodeName> = new Set<ErrorCodeName>([
  'CORRUPT_MESSAGE', // a batch damaged in transit is sent again by Kafka's clients too
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NOT_CONTROLLER',
  'KAFKA_STORAGE_ERROR',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'FENCED_LEADER_EPOCH', // after a metadata refresh
  'UNKNOWN_LEADER_EPOCH', // the broker has not seen the epoch yet
]);

export class TributaryError extends Error {
  readonly retriable: boolean;

  constructor(
    readonly code: ErrorCodeName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TributaryError';
    this.retriable = RETRIABLE.has(code);
  }

  /** Kafka's numeric code. */
  get numericCode(): number {
    return ErrorCode[this.code];
  }
}

export function isTributaryError(e: unknown, code?: ErrorCodeName): e is TributaryError {
  return e instanceof TributaryError && (code === undefined || e.code === code);
}

export function errorCodeName(numeric: number): ErrorCodeName {
  const entry = Object.entries(ErrorCode).find(([, n]) => n === numeric);
  return (entry?.[0] as ErrorCodeName | undefined) ?? 'UNKNOWN_SERVER_ERROR';
}
