/**
 * Preferred-leader balancing (auto.leader.rebalance.enable), as Kafka's controller's periodic
 * leader-imbalance check does it: the preferred leader of a partition is its first replica, where
 * placement spread the leaders evenly. Failures move leaderships away and nothing moves them back,
 * so some brokers end up leading much more than others. For each broker, the share of the
 * partitions it is the preferred leader of but does not lead is its imbalance; above
 * leader.imbalance.per.broker.percentage, those partitions get a preferred election (see
 * partition-change.ts), which moves the lead only when the preferred replica is live and in the ISR.
 */
import { MetadataImage, PartitionImage } from './metadata-image';
import { PartitionChangeRecord } from './metadata-record';
import { partitionChange } from './partition-change';

export interface LeaderBalanceOptions {
  /** May this broker lead (registered, unfenced, not shutting down)? */
  readonly isLive: (brokerId: number) => boolean;
  /** leader.imbalance.per.broker.percentage: a broker's imbalance must be above it to act. */
  readonly imbalancePerBrokerPercentage: number;
}

interface BrokerLeadership {
  /** Partitions whose preferred leader is the broker. */
  preferred: number;
  /** Those of them another broker leads (or none does). */
  ledElsewhere: number;
}

/** PartitionChanges that give the lead back to preferred replicas of brokers above the imbalance
 * threshold, in topic and partition order; none when every broker is within it. */
export function preferredLeaderChanges(image: MetadataImage, options: LeaderBalanceOptions): PartitionChangeRecord[] {
  const leadership = leadershipByPreferredBroker(image);
  const imbalanced = (brokerId: number): boolean => {
    const { preferred, ledElsewhere } = leadership.get(brokerId) as BrokerLeadership;
    // ledElsewhere / preferred > percentage / 100, in integers.
    return ledElsewhere * 100 > options.imbalancePerBrokerPercentage * preferred;
  };
  const records: PartitionChangeRecord[] = [];
  for (const topic of image.topics()) {
    for (const p of topic.partitions) {
      if (!isLedElsewhere(p) || !imbalanced(p.replicas[0])) continue;
      // Unclean election plays no part: a change is kept only when the preferred replica, an ISR member, leads.
      const change = partitionChange(topic.topicId, p, { isr: p.isr, isLive: options.isLive, uncleanLeaderElection: false, election: 'preferred' });
      if (change?.leader === p.replicas[0]) records.push(change);
    }
  }
  return records;
}

function leadershipByPreferredBroker(image: MetadataImage): Map<number, BrokerLeadership> {
  const byBroker = new Map<number, BrokerLeadership>();
  for (const topic of image.topics()) {
    for (const p of topic.partitions) {
      const counts = byBroker.get(p.replicas[0]) ?? { preferred: 0, ledElsewhere: 0 };
      counts.preferred++;
      if (isLedElsewhere(p)) counts.ledElsewhere++;
      byBroker.set(p.replicas[0], counts);
    }
  }
  return byBroker;
}

function isLedElsewhere(p: PartitionImage): boolean {
  return p.leader !== p.replicas[0];
}
