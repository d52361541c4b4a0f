import { Inject, Injectable } from '@nestjs/common';
import type { BrokerConfig, MetadataImage } from '@tributary/metadata';
import type { PartitionLog } from '@tributary/storage';
import type { Logger } from 'pino';
import { BROKER_CONFIG } from '../broker-config-provider';
import { BROKER_LOGGER } from '../broker-logger';
import { ClusterMetadata } from '../cluster-metadata';
import type { PartitionReplica } from './partition-replica';
import { ReplicaFetcher } from './replica-fetcher';

/** One ReplicaFetcher per leader this broker follows partitions of; a fetcher with nothing left to follow is closed. */
@Injectable()
export class ReplicaFetchers {
  private readonly byLeader = new Map<number, ReplicaFetcher>();
  private readonly leaderOf = new Map<string, number>();
  private progressListener: (key: string, highWatermark: number) => void = () => undefined;

  constructor(
    @Inject(ClusterMetadata) private readonly metadata: ClusterMetadata,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  onFollowerProgress(listener: (key: string, highWatermark: number) => void): void {
    this.progressListener = listener;
  }

  /**
   * Starts following `key` from its leader in the replica's current epoch (no leader: nothing to
   * follow yet), dialed at its registered endpoint unless replica.fetch.leader.addresses names another.
   */
  follow(key: string, replica: PartitionReplica, log: PartitionLog, image: MetadataImage): void {
    this.unfollow(key);
    const endpoint = image.broker(replica.leaderId)?.endpoints[0];
    if (replica.leaderId < 0 || endpoint === undefined) return;
    const address = this.config.replicaFetchLeaderAddresses.get(replica.leaderId) ?? `${endpoint.host}:${endpoint.port}`;
    let fetcher = this.byLeader.get(replica.leaderId);
    if (fetcher && fetcher.address !== address) {
      // The leader re-registered elsewhere (a restart on another port): its partitions move to a new fetcher.
      void fetcher.close();
      this.byLeader.delete(replica.leaderId);
      fetcher = undefined;
    }
    if (!fetcher) {
      fetcher = new ReplicaFetcher(replica.leaderId, address, {
        brokerId: this.metadata.nodeId,
        brokerEpoch: () => this.metadata.brokerEpoch,
        config: this.config,
        logger: this.logger,
        onProgress: (k, highWatermark) => this.progressListener(k, highWatermark),
      });
      this.byLeader.set(replica.leaderId, fetcher);
    }
    fetcher.add({ key, replica, log, leaderEpoch: replica.leaderEpoch, needsTruncation: true });
    this.leaderOf.set(key, replica.leaderId);
  }

  unfollow(key: string): void {
    const leaderId = this.leaderOf.get(key);
    if (leaderId === undefined) return;
    this.leaderOf.delete(key);
    const fetcher = this.byLeader.get(leaderId);
    fetcher?.remove(key);
    if (fetcher && fetcher.size === 0) {
      this.byLeader.delete(leaderId);
      void fetcher.close();
    }
  }

  async close(): Promise<void> {
    const fetchers = [...this.byLeader.values()];
    this.byLeader.clear();
    this.leaderOf.clear();
    await Promise.all(fetchers.map((f) => f.close()));
  }
}
