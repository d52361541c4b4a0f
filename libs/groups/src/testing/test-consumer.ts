/**
 * A consumer as the KIP-848 protocol expects one to behave, driving a real GroupCoordinatorState:
 * it owns exactly the assignment it was last given (giving up what a new assignment leaves
 * out, taking what it adds), reports it in every heartbeat, and starts over with epoch 0 and
 * nothing owned when fenced. Every record the coordinator returns goes to the shared `log`.
 */
import { Assignment, EMPTY_ASSIGNMENT } from '../assignment';
import { GroupCoordinatorState } from '../group-coordinator-state';
import { GroupRecord } from '../group-record';
import { HeartbeatRequest, HeartbeatResponse } from '../heartbeat-request';
import { TopicsView } from '../subscription-metadata';

export type ConsumerSettings = Omit<HeartbeatRequest, 'memberId' | 'memberEpoch' | 'ownedTopicPartitions'>;

const MUST_REJOIN = new Set(['FENCED_MEMBER_EPOCH', 'UNKNOWN_MEMBER_ID', 'GROUP_ID_NOT_FOUND']);

export class TestConsumer {
  memberId = '';
  memberEpoch = 0;
  owned: Assignment = EMPTY_ASSIGNMENT;
  last: HeartbeatResponse | undefined;

  constructor(
    private readonly coordinator: GroupCoordinatorState,
    private readonly topics: () => TopicsView,
    readonly log: GroupRecord[],
    public settings: ConsumerSettings,
  ) {}

  /** Joins (or rejoins) with epoch 0, owning nothing. */
  join(nowMs: number, changes: Partial<ConsumerSettings> = {}): HeartbeatResponse {
    this.settings = { ...this.settings, ...changes };
    this.owned = EMPTY_ASSIGNMENT;
    return this.send({ ...this.settings, memberId: this.memberId, memberEpoch: 0, ownedTopicPartitions: [] }, nowMs);
  }

  /** A regular heartbeat reporting what it owns; `lose` drops the response as a broken connection would. */
  heartbeat(nowMs: number, options: { lose?: boolean; changes?: Partial<ConsumerSettings> } = {}): HeartbeatResponse {
    if (options.changes) this.settings = { ...this.settings, ...options.changes };
    const owned = Object.entries(this.owned).map(([topic, partitions]) => ({ topic, partitions }));
    const request: HeartbeatRequest = { groupId: this.settings.groupId, memberId: this.memberId, memberEpoch: this.memberEpoch, ownedTopicPartitions: owned, ...options.changes };
    if (this.settings.instanceId !== undefined) Object.assign(request, { instanceId: this.settings.instanceId });
    return this.send(request, nowMs, options.lose);
  }

  /** Leaves for good (-1) or, as a static member, for a while (-2). Owns nothing afterwards. */
  leave(nowMs: number, epoch: -1 | -2 = -1): HeartbeatResponse {
    const request: HeartbeatRequest = { groupId: this.settings.groupId, memberId: this.memberId, memberEpoch: epoch, ...(this.settings.instanceId ? { instanceId: this.settings.instanceId } : {}) };
    const response = this.send(request, nowMs);
    this.owned = EMPTY_ASSIGNMENT;
    this.memberEpoch = 0;
    return response;
  }

  /** A process restart: same settings, no member id, nothing owned. */
  restart(): void {
    this.memberId = '';
    this.memberEpoch = 0;
    this.owned = EMPTY_ASSIGNMENT;
  }

  private send(request: HeartbeatRequest, nowMs: number, lose = false): HeartbeatResponse {
    const { records, response } = this.coordinator.heartbeat(request, nowMs, this.topics());
    this.log.push(...records);
    if (lose) return response;
    this.last = response;
    if (response.errorCode === 'NONE') {
      if (request.memberEpoch >= 0) {
        this.memberId = response.memberId;
        this.memberEpoch = response.memberEpoch;
        if (response.assignment) this.owned = response.assignment;
      }
    } else if (MUST_REJOIN.has(response.errorCode)) {
      this.owned = EMPTY_ASSIGNMENT;
      this.memberEpoch = 0;
    }
    return response;
  }
}
