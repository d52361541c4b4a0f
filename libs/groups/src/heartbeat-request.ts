/**
 * ConsumerGroupHeartbeat (KIP-848) as the coordinator takes it, and the checks Kafka makes on a
 * request before looking at any group (GroupCoordinatorService.throwIfConsumerGroupHeartbeat-
 * RequestIsInvalid): they depend on the request alone, so a refused request changes nothing.
 */
import { Assignment, toAssignment } from './assignment';
import { GroupError, GroupErrorName } from './group-error';
import { validateGroupId } from './group-id';
import { ASSIGNOR_NAMES, isAssignorName } from './partition-assignor';
import { compileTopicRegex } from './topic-regex';

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface HeartbeatRequest {
  readonly groupId: string;
  /** '' when joining lets the coordinator choose one; a client may also bring its own (KIP-1082). */
  readonly memberId: string;
  /** 0 joins (or rejoins), -1 leaves, -2 leaves as a static member that will come back; else the epoch last received. */
  readonly memberEpoch: number;
  /** Static membership (group.instance.id). */
  readonly instanceId?: string;
  readonly rackId?: string;
  /** Required when joining; absent means unchanged. */
  readonly rebalanceTimeoutMs?: number;
  /** Absent means unchanged; joining needs this or subscribedTopicRegex. */
  readonly subscribedTopicNames?: readonly string[];
  /** Java/RE2 syntax, matched against whole topic names; '' removes it; absent means unchanged. */
  readonly subscribedTopicRegex?: string;
  /** 'uniform' (default) or 'range'; absent means unchanged. */
  readonly serverAssignor?: string;
  /** What the member owns now; absent means unchanged since the last heartbeat. Must be empty when joining. */
  readonly ownedTopicPartitions?: readonly TopicPartitions[];
  readonly clientId?: string;
  readonly clientHost?: string;
}

export interface HeartbeatResponse {
  readonly errorCode: GroupErrorName;
  readonly errorMessage?: string;
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  /** The partitions the member owns from now on; absent when unchanged. */
  readonly assignment?: Assignment;
}

function invalid(message: string, code: GroupErrorName = 'INVALID_REQUEST'): GroupError {
  return new GroupError(code, message);
}

function isBlank(s: string): boolean {
  return s.trim() === '';
}

function checkOptionalString(value: unknown, field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  if (isBlank(value)) throw invalid(`${field} can't be empty: leave it out instead`);
}

function checkOwned(owned: unknown): void {
  if (owned === undefined) return;
  if (!Array.isArray(owned)) throw invalid('ownedTopicPartitions must be a list of { topic, partitions }');
  for (const tp of owned as TopicPartitions[]) {
    if (typeof tp?.topic !== 'string' || tp.topic === '') throw invalid('ownedTopicPartitions: every entry needs a topic name');
    if (!Array.isArray(tp.partitions) || !tp.partitions.every((p) => Number.isSafeInteger(p) && p >= 0)) {
      throw invalid(`ownedTopicPartitions: partitions of ${tp.topic} must be partition numbers (integers ≥ 0)`);
    }
  }
}

/** Throws the GroupError Kafka answers for a malformed request. */
export function validateHeartbeatRequest(req: HeartbeatRequest): void {
  validateGroupId(req.groupId, 'INVALID_REQUEST');
  const epoch = req.memberEpoch;
  if (!Number.isSafeInteger(epoch) || epoch < -2) throw invalid(`MemberEpoch ${epoch} is invalid: send 0 to join, -1 to leave, -2 to leave as a static member, else the epoch last received`);
  if (typeof req.memberId !== 'string') throw invalid('memberId must be a string (empty when joining)');
  if (epoch !== 0 && isBlank(req.memberId)) throw invalid("MemberId can't be empty: send the memberId received when joining");
  checkOptionalString(req.instanceId, 'InstanceId');
  checkOptionalString(req.rackId, 'RackId');
  if (epoch === -2 && req.instanceId === undefined) throw invalid("InstanceId can't be null: only a static member leaves with epoch -2");

  const timeout = req.rebalanceTimeoutMs;
  if (timeout !== undefined && (!Number.isSafeInteger(timeout) || timeout < 0)) throw invalid(`RebalanceTimeoutMs ${timeout} must be an integer ≥ 0`);
  const names = req.subscribedTopicNames;
  if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n !== ''))) {
    throw invalid('SubscribedTopicNames must be a list of topic names');
  }
  if (req.subscribedTopicRegex !== undefined) {
    if (typeof req.subscribedTopicRegex !== 'string') throw invalid('SubscribedTopicRegex must be a string');
    if (req.subscribedTopicRegex !== '') compileTopicRegex(req.subscribedTopicRegex);
  }
  if (req.serverAssignor !== undefined && !isAssignorName(req.serverAssignor)) {
    throw invalid(`ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${ASSIGNOR_NAMES.join(', ')}.`, 'UNSUPPORTED_ASSIGNOR');
  }
  checkOwned(req.ownedTopicPartitions);

  if (epoch === 0) {
    if (timeout === undefined) throw invalid('RebalanceTimeoutMs must be provided in first request.');
    if (req.ownedTopicPartitions !== undefined && req.ownedTopicPartitions.some((tp) => tp.partitions.length > 0)) {
      throw invalid('TopicPartitions must be empty when (re-)joining: give up every partition before rejoining');
    }
    if (names === undefined && req.subscribedTopicRegex === undefined) {
      throw invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
    }
  }
}

/** The owned partitions of a request as an Assignment; undefined when the request does not say. */
export function ownedPartitionsOf(req: HeartbeatRequest): Assignment | undefined {
  if (req.ownedTopicPartitions === undefined) return req.memberEpoch === 0 ? {} : undefined;
  const byTopic = new Map<string, number[]>();
  for (const { topic, partitions } of req.ownedTopicPartitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), ...partitions]);
  return toAssignment(byTopic);
}
