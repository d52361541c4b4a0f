import type {
  AlterConfigsRequest,
  CreatePartitionsRequest,
  CreateTopicRequest,
  CreateTopicResult,
  MetadataImage,
  TopicImage,
} from '@tributary/metadata';

export type TopicCreation = Pick<CreateTopicResult, 'topic' | 'configs' | 'created'>;

export interface IsrChange {
  topic: string;
  partition: number;
  leaderEpoch: number;
  partitionEpoch: number;
  newIsr: readonly number[];
}

export interface IsrChangeResult {
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: number[];
}

export interface ProducerIdBlock {
  /** The block is [firstProducerId, firstProducerId + blockSize). */
  firstProducerId: number;
  blockSize: number;
}

/**
 * The cluster metadata as the rest of the broker sees it: the current MetadataImage, change
 * notifications, and the controller's decisions (QuorumMetadataClient: the active controller of
 * the quorum decides; this broker follows its log). A mutation resolves once its effect is in
 * `image` and every onChange listener has run for it.
 */
export abstract class ClusterMetadata {
  private readonly listeners: ((image: MetadataImage) => Promise<void>)[] = [];

  abstract get image(): MetadataImage;
  abstract get clusterId(): string;
  abstract get nodeId(): number;
  /** The active controller's node id as last known; -1 when none is known. */
  abstract get controllerId(): number;
  /** This broker's registration epoch; -1 before it registered. */
  abstract get brokerEpoch(): number;
  /**
   * Whether this broker holds its lease as far as it can tell: its last heartbeat answered
   * unfenced was sent less than broker.session.timeout.ms ago (false before its first one). Past
   * that, the controller may have fenced it and moved its leaderships while it could not hear (a
   * pause, a partition); before it, the leaderships it finds in the metadata may be a previous
   * incarnation's. Either way it must not act as a leader until a heartbeat is answered.
   */
  abstract get holdsLease(): boolean;

  /** Reads meta.properties and builds the image from the quorum's metadata log. */
  abstract open(): Promise<void>;
  /** Registers (or re-registers) this broker, reachable at host:port; resolves once it is unfenced. */
  abstract registerSelf(host: string, port: number): Promise<void>;
  /** Asks the controller to move this broker's leaderships away before it stops. */
  abstract shutDownControlled(): Promise<void>;
  abstract createTopic(request: CreateTopicRequest): Promise<TopicCreation>;
  abstract deleteTopic(name: string): Promise<void>;
  abstract createPartitions(request: CreatePartitionsRequest): Promise<TopicImage>;
  abstract alterConfigs(request: AlterConfigsRequest): Promise<void>;
  abstract allocateProducerIds(): Promise<ProducerIdBlock>;
  /** Asks the controller to change the ISR of a partition this broker leads; resolves with the committed state. */
  abstract alterPartition(request: IsrChange): Promise<IsrChangeResult>;
  abstract close(): Promise<void>;

  /** Calls `listener` with the new image after each change is applied (and once with the replayed image by the caller). */
  onChange(listener: (image: MetadataImage) => Promise<void>): void {
    this.listeners.push(listener);
  }

  protected async notifyChange(image: MetadataImage): Promise<void> {
    for (const listener of this.listeners) await listener(image);
  }
}
