/**
 * The consumer-group errors of Kafka that libs/protocol's ErrorCode does not list yet.
 *
 * Every failure of this library is a TributaryError (so apps map it like any other), and a
 * GroupError on top carries Kafka's exact name in `groupCode`: a client must tell
 * FENCED_MEMBER_EPOCH (rejoin) from UNKNOWN_MEMBER_ID (rejoin as new) from STALE_MEMBER_EPOCH
 * (retry the commit after the next heartbeat). Until libs/protocol learns these names, `code`
 * holds the closest name it knows (see CLOSEST_PROTOCOL_CODE); once it does, the table becomes
 * the identity and can go.
 */
import { ErrorCode, ErrorCodeName, TributaryError } from '@tributary/protocol';

/** Kafka's names and numbers (org.apache.kafka.common.protocol.Errors). */
export const GROUP_ERROR_CODES = {
  OFFSET_METADATA_TOO_LARGE: 12,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  FENCED_MEMBER_EPOCH: 110,
  UNRELEASED_INSTANCE_ID: 111,
  UNSUPPORTED_ASSIGNOR: 112,
  STALE_MEMBER_EPOCH: 113,
  INVALID_REGULAR_EXPRESSION: 128,
} as const;

export type GroupOnlyErrorName = keyof typeof GROUP_ERROR_CODES;

/** Any error name a group operation can answer with. */
export type GroupErrorName = ErrorCodeName | GroupOnlyErrorName;

/** What `code` says meanwhile: INVALID_REQUEST for all of them, as none of its other names fits. */
const CLOSEST_PROTOCOL_CODE: Readonly<Record<GroupOnlyErrorName, ErrorCodeName>> = {
  OFFSET_METADATA_TOO_LARGE: 'INVALID_REQUEST',
  INVALID_GROUP_ID: 'INVALID_REQUEST',
  UNKNOWN_MEMBER_ID: 'INVALID_REQUEST',
  NON_EMPTY_GROUP: 'INVALID_REQUEST',
  GROUP_ID_NOT_FOUND: 'INVALID_REQUEST',
  GROUP_MAX_SIZE_REACHED: 'INVALID_REQUEST',
  FENCED_INSTANCE_ID: 'INVALID_REQUEST',
  FENCED_MEMBER_EPOCH: 'INVALID_REQUEST',
  UNRELEASED_INSTANCE_ID: 'INVALID_REQUEST',
  UNSUPPORTED_ASSIGNOR: 'INVALID_REQUEST',
  STALE_MEMBER_EPOCH: 'INVALID_REQUEST',
  INVALID_REGULAR_EXPRESSION: 'INVALID_REQUEST',
};

function isGroupOnly(name: GroupErrorName): name is GroupOnlyErrorName {
  return Object.prototype.hasOwnProperty.call(GROUP_ERROR_CODES, name);
}

export class GroupError extends TributaryError {
  constructor(
    readonly groupCode: GroupErrorName,
    message: string,
  ) {
    super(isGroupOnly(groupCode) ? CLOSEST_PROTOCOL_CODE[groupCode] : groupCode, message);
    this.name = 'GroupError';
  }

  /** Kafka's numeric code of `groupCode`. */
  get groupNumericCode(): number {
    return groupErrorNumber(this.groupCode);
  }
}

/** Kafka's number for any name a group operation answers with ('NONE' is 0). */
export function groupErrorNumber(name: GroupErrorName): number {
  return isGroupOnly(name) ? GROUP_ERROR_CODES[name] : ErrorCode[name];
}
