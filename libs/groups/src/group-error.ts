/**
 * A consumer-group failure: a TributaryError (so apps map it like any other) whose `code` is
 * Kafka's exact name. A client must tell FENCED_MEMBER_EPOCH (rejoin) from UNKNOWN_MEMBER_ID
 * (rejoin as new) from STALE_MEMBER_EPOCH (retry the commit after the next heartbeat).
 */
import { ErrorCode, ErrorCodeName, TributaryError } from '@tributary/protocol';

/** Any error name a group operation can answer with. */
export type GroupErrorName = ErrorCodeName;

export class GroupError extends TributaryError {
  constructor(
    readonly groupCode: GroupErrorName,
    message: string,
  ) {
    super(groupCode, message);
    this.name = 'GroupError';
  }

  /** Kafka's numeric code of `groupCode`. */
  get groupNumericCode(): number {
    return groupErrorNumber(this.groupCode);
  }
}

/** Kafka's number for any name a group operation answers with ('NONE' is 0). */
export function groupErrorNumber(name: GroupErrorName): number {
  return ErrorCode[name];
}
