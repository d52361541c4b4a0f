/**
 * What a server-side assignor sees and returns (Kafka's ConsumerGroupPartitionAssignor with
 * GroupSpec and SubscribedTopicDescriber, reduced to what our assignors use). An assignor is a
 * pure function of its input: the same spec gives the same assignment on every coordinator, so
 * a target assignment never depends on which broker computed it.
 */
import { Assignment } from './assignment';

export type AssignorName = 'uniform' | 'range';

export const ASSIGNOR_NAMES: readonly AssignorName[] = ['uniform', 'range'];

export function isAssignorName(name: string): name is AssignorName {
  return (ASSIGNOR_NAMES as readonly string[]).includes(name);
}

export interface AssignmentMemberSpec {
  readonly memberId: string;
  readonly instanceId?: string;
  readonly rackId?: string;
  /** Topics the member subscribes to that exist (every one is a key of `partitionCounts`), ascending. */
  readonly subscribedTopics: readonly string[];
  /** The member's current target assignment: what stickiness tries to keep. */
  readonly currentTarget: Assignment;
}

export interface AssignmentSpec {
  /** Every member of the group, in ascending memberId order. */
  readonly members: readonly AssignmentMemberSpec[];
  /** Partition count of every topic some member subscribes to. */
  readonly partitionCounts: ReadonlyMap<string, number>;
}

export interface PartitionAssignor {
  readonly name: AssignorName;
  /**
   * The target assignment: one entry per member (an empty assignment for members that get
   * nothing); every partition of a subscribed topic goes to exactly one member subscribing to it.
   */
  assign(spec: AssignmentSpec): Map<string, Assignment>;
}
