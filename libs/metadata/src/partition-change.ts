/**
 * Leader election for one partition, as Kafka's PartitionChangeBuilder does it before ELR: the
 * current leader stays while it is in the target ISR and live; otherwise the first live member of
 * the target ISR in replica order leads; with none, leader -1 — unless unclean leader election is
 * enabled, when the first live replica leads alone (ISR = [it]) and acknowledged writes may be lost.
 * A preferred election (Kafka's Election.PREFERRED) first gives the lead to the first replica when
 * it is in the target ISR and live, then falls back to the rule above.
 */
import { PartitionImage } from './metadata-image';
import { PartitionChangeRecord } from './metadata-record';

export const NO_LEADER = -1;

export interface PartitionChangeTarget {
  /** The ISR wanted (a subset of the replicas); election picks from it. */
  readonly isr: readonly number[];
  /** May this broker lead (registered, unfenced, not shutting down)? */
  readonly isLive: (brokerId: number) => boolean;
  readonly uncleanLeaderElection: boolean;
  /** 'preferred': move the lead to the preferred replica (the first) when it may lead. */
  readonly election?: 'preferred';
}

/** The PartitionChange that moves `current` to `target` (only the fields that change), or null. */
export function partitionChange(topicId: string, current: PartitionImage, target: PartitionChangeTarget): PartitionChangeRecord | null {
  let isr = target.isr;
  let leader = current.leader;
  const mayLead = (id: number): boolean => isr.includes(id) && target.isLive(id);
  const preferred = current.replicas[0];
  if (target.election === 'preferred' && mayLead(preferred)) {
    leader = preferred;
  } else if (leader === NO_LEADER || !mayLead(leader)) {
    leader = current.replicas.find(mayLead) ?? NO_LEADER;
    if (leader === NO_LEADER && target.uncleanLeaderElection) {
      leader = current.replicas.find(target.isLive) ?? NO_LEADER;
      if (leader !== NO_LEADER) isr = [leader];
    }
  }
  const isrChanged = isr.length !== current.isr.length || isr.some((id, i) => id !== current.isr[i]);
  if (!isrChanged && leader === current.leader) return null;
  return {
    type: 'PartitionChange',
    topicId,
    partition: current.partition,
    ...(leader !== current.leader ? { leader } : {}),
    ...(isrChanged ? { isr: [...isr] } : {}),
  };
}

/** The ISR without `brokerId`, except that the last member stays (Kafka's rule without ELR): the
 * ISR then still names the replica with every acknowledged write, to lead again when it returns. */
export function isrWithout(isr: readonly number[], brokerId: number): readonly number[] {
  const rest = isr.filter((id) => id !== brokerId);
  return rest.length === 0 ? isr : rest;
}
