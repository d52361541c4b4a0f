/**
 * A member's metadata as a heartbeat leaves it (Kafka's ConsumerGroupMember.Builder
 * maybeUpdate…): fields a request leaves out keep their value, topic names are kept sorted and
 * unique so a reordered list is not a subscription change, and values are built field by field
 * so a record never carries anything else.
 */
import { MemberMetadataValue } from './group-record';
import { HeartbeatRequest } from './heartbeat-request';
import { AssignorName } from './partition-assignor';

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function memberMetadataOf(m: MemberMetadataValue): MemberMetadataValue {
  const optional = { instanceId: m.instanceId, rackId: m.rackId, subscribedTopicRegex: m.subscribedTopicRegex, serverAssignor: m.serverAssignor };
  return {
    ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as Partial<MemberMetadataValue>),
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: m.subscribedTopicNames,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
  };
}

export function memberMetadataEqual(a: MemberMetadataValue, b: MemberMetadataValue): boolean {
  return JSON.stringify(memberMetadataOf(a)) === JSON.stringify(memberMetadataOf(b));
}

export function subscriptionChanged(a: MemberMetadataValue, b: MemberMetadataValue): boolean {
  return a.subscribedTopicRegex !== b.subscribedTopicRegex || a.subscribedTopicNames.join('\u0000') !== b.subscribedTopicNames.join('\u0000');
}

/** The member's metadata after the request: absent fields keep their value. */
export function updatedMemberMetadata(before: MemberMetadataValue, req: HeartbeatRequest): MemberMetadataValue {
  const regex = req.subscribedTopicRegex === undefined ? before.subscribedTopicRegex : req.subscribedTopicRegex || undefined;
  return memberMetadataOf({
    instanceId: req.instanceId ?? before.instanceId,
    rackId: req.rackId ?? before.rackId,
    clientId: req.clientId ?? before.clientId,
    clientHost: req.clientHost ?? before.clientHost,
    subscribedTopicNames: req.subscribedTopicNames ? [...new Set(req.subscribedTopicNames)].sort(byString) : before.subscribedTopicNames,
    subscribedTopicRegex: regex,
    serverAssignor: (req.serverAssignor as AssignorName | undefined) ?? before.serverAssignor,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs ?? before.rebalanceTimeoutMs,
  });
}

/** A member's metadata before its first heartbeat is applied (or before its MemberMetadata record, after compaction). */
export const NEW_MEMBER_METADATA: MemberMetadataValue = { clientId: '', clientHost: '', subscribedTopicNames: [], rebalanceTimeoutMs: -1 };
