/**
 * The records a group coordinator appends to its `__consumer_offsets` partition, after Kafka's
 * group-coordinator record schemas. Each is a Kafka record with a key and a value; a null value
 * is a tombstone, so once the compacted topic is cleaned only the latest value per key is left
 * and replaying what is left rebuilds the same state.
 *
 * Key (the Kafka record's key):
 *
 *   offset  size  field
 *        0     2  type     big-endian uint16, Kafka's key version numbers:
 *                            1 OffsetCommit              [groupId, topic, partition]
 *                            3 GroupMetadata             [groupId]            (ConsumerGroupMetadata)
 *                            4 PartitionMetadata         [groupId]            (ConsumerGroupPartitionMetadata)
 *                            5 MemberMetadata            [groupId, memberId]  (ConsumerGroupMemberMetadata)
 *                            6 TargetAssignmentMetadata  [groupId]            (ConsumerGroupTargetAssignmentMetadata)
 *                            7 TargetAssignmentMember    [groupId, memberId]  (ConsumerGroupTargetAssignmentMember)
 *                            8 CurrentMemberAssignment   [groupId, memberId]  (ConsumerGroupCurrentMemberAssignment)
 *        2     n  fields   UTF-8 JSON array of the key fields listed above, in that order
 *
 * Value (the Kafka record's value; absent for a tombstone):
 *
 *        0     2  version  big-endian uint16, 0 for every type
 *        2     n  body     UTF-8 JSON object of the value fields (the interfaces below); optional
 *                          fields are omitted when absent; assignments are `{topic: [partition…]}`
 *                          with topics and partitions ascending
 *
 * Keys are built field by field in a fixed order, so one logical key is always the same bytes
 * (compaction compares key bytes). Decoders refuse unknown types and versions
 * (UNSUPPORTED_VERSION) and malformed bodies (CORRUPT_MESSAGE, naming the field).
 */
import { TributaryError } from '@tributary/protocol';
import { Assignment, toAssignment } from './assignment';
import { MEMBER_STATES, MemberAssignmentState, MemberState } from './member-reconciliation';
import { AssignorName, isAssignorName } from './partition-assignor';

export interface OffsetCommitValue {
  readonly offset: number;
  readonly leaderEpoch?: number;
  readonly metadata: string;
  readonly commitTimestampMs: number;
}

export interface GroupMetadataValue {
  readonly groupEpoch: number;
  /** Set when this epoch left the group without members: offset expiry counts from here. */
  readonly emptySinceMs?: number;
}

export interface PartitionMetadataValue {
  readonly topics: readonly { readonly topicName: string; readonly topicId: string; readonly numPartitions: number }[];
}

export interface MemberMetadataValue {
  readonly instanceId?: string;
  readonly rackId?: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex?: string;
  readonly serverAssignor?: AssignorName;
  readonly rebalanceTimeoutMs: number;
}

export interface TargetAssignmentMetadataValue {
  readonly assignmentEpoch: number;
}

export interface TargetAssignmentMemberValue {
  readonly partitions: Assignment;
}

export type CurrentMemberAssignmentValue = MemberAssignmentState;

export type GroupRecord =
  | { readonly type: 'OffsetCommit'; readonly groupId: string; readonly topic: string; readonly partition: number; readonly value: OffsetCommitValue | null }
  | { readonly type: 'GroupMetadata'; readonly groupId: string; readonly value: GroupMetadataValue | null }
  | { readonly type: 'PartitionMetadata'; readonly groupId: string; readonly value: PartitionMetadataValue | null }
  | { readonly type: 'MemberMetadata'; readonly groupId: string; readonly memberId: string; readonly value: MemberMetadataValue | null }
  | { readonly type: 'TargetAssignmentMetadata'; readonly groupId: string; readonly value: TargetAssignmentMetadataValue | null }
  | { readonly type: 'TargetAssignmentMember'; readonly groupId: string; readonly memberId: string; readonly value: TargetAssignmentMemberValue | null }
  | { readonly type: 'CurrentMemberAssignment'; readonly groupId: string; readonly memberId: string; readonly value: CurrentMemberAssignmentValue | null };

export type GroupRecordType = GroupRecord['type'];

export const GROUP_RECORD_KEY_TYPES: Readonly<Record<GroupRecordType, number>> = {
  OffsetCommit: 1,
  GroupMetadata: 3,
  PartitionMetadata: 4,
  MemberMetadata: 5,
  TargetAssignmentMetadata: 6,
  TargetAssignmentMember: 7,
  CurrentMemberAssignment: 8,
};

const TYPE_BY_NUMBER = new Map(Object.entries(GROUP_RECORD_KEY_TYPES).map(([name, n]) => [n, name as GroupRecordType]));

const VALUE_VERSION = 0;

export interface EncodedGroupRecord {
  readonly key: Buffer;
  /** null: a tombstone. */
  readonly value: Buffer | null;
}

function keyFields(r: GroupRecord): (string | number)[] {
  switch (r.type) {
    case 'OffsetCommit':
      return [r.groupId, r.topic, r.partition];
    case 'MemberMetadata':
    case 'TargetAssignmentMember':
    case 'CurrentMemberAssignment':
      return [r.groupId, r.memberId];
    default:
      return [r.groupId];
  }
}

function withHeader(n: number, json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(2 + body.length);
  out.writeUInt16BE(n, 0);
  body.copy(out, 2);
  return out;
}

/** The bytes of `r`'s key alone: equal for every record that compaction must collapse. */
export function encodeGroupRecordKey(r: GroupRecord): Buffer {
  return withHeader(GROUP_RECORD_KEY_TYPES[r.type], JSON.stringify(keyFields(r)));
}

export function encodeGroupRecord(r: GroupRecord): EncodedGroupRecord {
  return { key: encodeGroupRecordKey(r), value: r.value === null ? null : withHeader(VALUE_VERSION, JSON.stringify(r.value)) };
}

function corrupt(what: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', `group record: ${what}`);
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(2).toString('utf8'));
  } catch {
    throw corrupt(`${what} is not JSON`);
  }
}

function header(bytes: Uint8Array, what: string): number {
  if (bytes.byteLength < 2) throw corrupt(`${what} is ${bytes.byteLength} bytes, shorter than its 2-byte header`);
  return (bytes[0] << 8) | bytes[1];
}

type Body = Record<string, unknown>;

function str(body: Body, field: string, type: GroupRecordType): string {
  const v = body[field];
  if (typeof v !== 'string') throw corrupt(`${type}.${field} must be a string`);
  return v;
}

function optStr(body: Body, field: string, type: GroupRecordType): string | undefined {
  return body[field] === undefined ? undefined : str(body, field, type);
}

function int(body: Body, field: string, type: GroupRecordType, min = Number.MIN_SAFE_INTEGER): number {
  const v = body[field];
  if (!Number.isSafeInteger(v) || (v as number) < min) throw corrupt(`${type}.${field} must be an integer ≥ ${min}`);
  return v as number;
}

function optInt(body: Body, field: string, type: GroupRecordType, min?: number): number | undefined {
  return body[field] === undefined ? undefined : int(body, field, type, min);
}

function strings(body: Body, field: string, type: GroupRecordType): string[] {
  const v = body[field];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw corrupt(`${type}.${field} must be an array of strings`);
  return v;
}

function assignment(body: Body, field: string, type: GroupRecordType): Assignment {
  const v = body[field];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw corrupt(`${type}.${field} must be an object of topic → partitions`);
  for (const [topic, ps] of Object.entries(v)) {
    if (!Array.isArray(ps) || !ps.every((p) => Number.isSafeInteger(p) && p >= 0)) throw corrupt(`${type}.${field}.${topic} must be an array of partition numbers`);
  }
  return toAssignment(v as Record<string, number[]>);
}

function object(v: unknown, what: string): Body {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw corrupt(`${what} must be a JSON object`);
  return v as Body;
}

function decodeValue(type: GroupRecordType, body: Body): NonNullable<GroupRecord['value']> {
  switch (type) {
    case 'OffsetCommit': {
      const leaderEpoch = optInt(body, 'leaderEpoch', type);
      return {
        offset: int(body, 'offset', type),
        ...(leaderEpoch === undefined ? {} : { leaderEpoch }),
        metadata: str(body, 'metadata', type),
        commitTimestampMs: int(body, 'commitTimestampMs', type),
      };
    }
    case 'GroupMetadata': {
      const emptySinceMs = optInt(body, 'emptySinceMs', type);
      return { groupEpoch: int(body, 'groupEpoch', type, 0), ...(emptySinceMs === undefined ? {} : { emptySinceMs }) };
    }
    case 'PartitionMetadata': {
      const topics = body['topics'];
      if (!Array.isArray(topics)) throw corrupt(`${type}.topics must be an array`);
      return {
        topics: topics.map((t, i) => {
          const o = object(t, `${type}.topics[${i}]`);
          return { topicName: str(o, 'topicName', type), topicId: str(o, 'topicId', type), numPartitions: int(o, 'numPartitions', type, 0) };
        }),
      };
    }
    case 'MemberMetadata': {
      const serverAssignor = optStr(body, 'serverAssignor', type);
      if (serverAssignor !== undefined && !isAssignorName(serverAssignor)) throw corrupt(`${type}.serverAssignor ${serverAssignor} is not an assignor`);
      const optional = { instanceId: optStr(body, 'instanceId', type), rackId: optStr(body, 'rackId', type), subscribedTopicRegex: optStr(body, 'subscribedTopicRegex', type), serverAssignor };
      return {
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
        clientId: str(body, 'clientId', type),
        clientHost: str(body, 'clientHost', type),
        subscribedTopicNames: strings(body, 'subscribedTopicNames', type),
        rebalanceTimeoutMs: int(body, 'rebalanceTimeoutMs', type),
      } as MemberMetadataValue;
    }
    case 'TargetAssignmentMetadata':
      return { assignmentEpoch: int(body, 'assignmentEpoch', type, 0) };
    case 'TargetAssignmentMember':
      return { partitions: assignment(body, 'partitions', type) };
    case 'CurrentMemberAssignment': {
      const state = str(body, 'state', type);
      if (!(MEMBER_STATES as readonly string[]).includes(state)) throw corrupt(`${type}.state ${state} is not a member state`);
      return {
        memberEpoch: int(body, 'memberEpoch', type),
        previousMemberEpoch: int(body, 'previousMemberEpoch', type),
        state: state as MemberState,
        assignedPartitions: assignment(body, 'assignedPartitions', type),
        partitionsPendingRevocation: assignment(body, 'partitionsPendingRevocation', type),
      };
    }
  }
}

export function decodeGroupRecord(key: Uint8Array, value: Uint8Array | null): GroupRecord {
  const keyType = header(key, 'key');
  const type = TYPE_BY_NUMBER.get(keyType);
  if (!type) throw new TributaryError('UNSUPPORTED_VERSION', `group record: unknown key type ${keyType}; this coordinator knows ${[...TYPE_BY_NUMBER.keys()].join(', ')}`);
  const fields = parseJson(key, `${type} key`);
  const expected = type === 'OffsetCommit' ? 3 : ['MemberMetadata', 'TargetAssignmentMember', 'CurrentMemberAssignment'].includes(type) ? 2 : 1;
  if (!Array.isArray(fields) || fields.length !== expected || !fields.slice(0, 2).every((f) => typeof f === 'string')) {
    throw corrupt(`${type} key must be a JSON array of ${expected} fields`);
  }
  if (type === 'OffsetCommit' && !(Number.isSafeInteger(fields[2]) && fields[2] >= 0)) throw corrupt('OffsetCommit key partition must be a partition number');

  let decoded: GroupRecord['value'] = null;
  if (value !== null) {
    const version = header(value, `${type} value`);
    if (version !== VALUE_VERSION) throw new TributaryError('UNSUPPORTED_VERSION', `group record: ${type} value version ${version} is newer than this coordinator (knows ${VALUE_VERSION})`);
    decoded = decodeValue(type, object(parseJson(value, `${type} value`), `${type} value`));
  }
  const [groupId, second, partition] = fields as [string, string, number];
  switch (type) {
    case 'OffsetCommit':
      return { type, groupId, topic: second, partition, value: decoded as OffsetCommitValue | null };
    case 'MemberMetadata':
      return { type, groupId, memberId: second, value: decoded as MemberMetadataValue | null };
    case 'TargetAssignmentMember':
      return { type, groupId, memberId: second, value: decoded as TargetAssignmentMemberValue | null };
    case 'CurrentMemberAssignment':
      return { type, groupId, memberId: second, value: decoded as CurrentMemberAssignmentValue | null };
    case 'GroupMetadata':
      return { type, groupId, value: decoded as GroupMetadataValue | null };
    case 'PartitionMetadata':
      return { type, groupId, value: decoded as PartitionMetadataValue | null };
    case 'TargetAssignmentMetadata':
      return { type, groupId, value: decoded as TargetAssignmentMetadataValue | null };
  }
}
