import { isTributaryError } from '@tributary/protocol';
import type { TopicPartition } from './cluster';
import type { StartingOffsets } from './consumer';
import type { GroupCoordinator } from './group-coordinator';

/** An offset to commit: the next one to read (last consumed + 1), as Kafka commits. */
export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
  metadata?: string;
}

/** Who commits: a member's id and current epoch. */
export interface MemberIdentity {
  memberId: string;
  memberEpoch: number;
}

/** What committing needs from the membership: the current identity, ownership, and the next heartbeat. */
export interface CommittingMember {
  identity(): MemberIdentity;
  owns(tp: TopicPartition): boolean;
  /** Settles once the heartbeat after this moment has been answered (or has failed). */
  nextHeartbeat(): Promise<void>;
}

/** Attempts of a commit refused as STALE_MEMBER_EPOCH before the refusal stands. */
const STALE_EPOCH_ATTEMPTS = 3;

/**
 * A member's committed offsets: fetched to start newly assigned partitions (the consumer's
 * StartingOffsets), committed with the member's id and epoch.
 */
export class GroupOffsets implements StartingOffsets {
  readonly source: string;

  constructor(
    private readonly coordinator: GroupCoordinator,
    private readonly member: CommittingMember,
  ) {
    this.source = `group ${coordinator.groupId}`;
  }

  /** The committed offset of each partition; null where the group has none. */
  async resolve(partitions: TopicPartition[]): Promise<(number | null)[]> {
    const { offsets } = await this.coordinator.call('offsetFetch', { groupId: this.coordinator.groupId, partitions });
    return partitions.map((tp) => offsets.find((o) => o.topic === tp.topic && o.partition === tp.partition && o.offset >= 0)?.offset ?? null);
  }

  /**
   * Commits with the member's current epoch. STALE_MEMBER_EPOCH means the epoch moved (or the
   * coordinator has not seen the heartbeat that moves it): the commit goes again after the next
   * heartbeat, as long as the member still owns every partition of it.
   */
  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.coordinator.call('offsetCommit', { groupId: this.coordinator.groupId, ...this.member.identity(), offsets });
        return;
      } catch (e) {
        if (!isTributaryError(e, 'STALE_MEMBER_EPOCH') || attempt === STALE_EPOCH_ATTEMPTS) throw e;
        await this.member.nextHeartbeat();
        if (!offsets.every((tp) => this.member.owns(tp))) throw e;
      }
    }
  }
}
