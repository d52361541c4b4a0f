/**
 * Group ids as Kafka accepts them: any string that is not empty or only whitespace (Kafka 4
 * trims before checking), short enough for the protocol's int16-length strings. Kafka puts no
 * other rule on the characters: the id is only a key in `__consumer_offsets`.
 */
import { GroupError, GroupErrorName } from './group-error';

/** Kafka's protocol strings carry an int16 length. */
export const GROUP_ID_BYTES_MAX = 32767;

/**
 * Throws a GroupError (INVALID_GROUP_ID unless told otherwise: the heartbeat answers
 * INVALID_REQUEST, as Kafka's ConsumerGroupHeartbeat does) when `groupId` is unusable.
 */
export function validateGroupId(groupId: unknown, code: GroupErrorName = 'INVALID_GROUP_ID'): asserts groupId is string {
  if (typeof groupId !== 'string') {
    throw new GroupError(code, 'groupId is missing: pass the name of the consumer group');
  }
  if (groupId.trim() === '') {
    throw new GroupError(code, "GroupId can't be empty: pass the name of the consumer group");
  }
  const bytes = Buffer.byteLength(groupId, 'utf8');
  if (bytes > GROUP_ID_BYTES_MAX) {
    throw new GroupError(code, `GroupId is ${bytes} bytes long; at most ${GROUP_ID_BYTES_MAX} bytes (UTF-8) are allowed`);
  }
}
