import { Inject, Injectable } from '@nestjs/common';
import {
  ControllerStateMachine,
  decodeMetadataRecord,
  encodeMetadataRecord,
  MetadataImage,
  type AlterConfigsRequest,
  type BrokerConfig,
  type ControllerResult,
  type CreatePartitionsRequest,
  type CreateTopicRequest,
  type MetadataRecord,
  type TopicImage,
} from '@tributary/metadata';
import { NodeFileSystem } from '@tributary/node-io';
import { decodeRecordBatches, encodeRecordBatch } from '@tributary/protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '@tributary/storage';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BROKER_CONFIG } from './broker-config-provider';
import { BROKER_LOGGER } from './broker-logger';
import { BROKER_OPTIONS, type StartBrokerOptions } from './broker-options';
import { ClusterMetadata, type ProducerIdBlock, type TopicCreation } from './cluster-metadata';
import { loadOrCreateMetaProperties, newClusterId } from './meta-properties';

/** Kafka's name for the metadata log's directory. */
export const METADATA_LOG_DIR = '__cluster_metadata-0';
const REPLAY_READ_BYTES = 1024 * 1024;

/**
 * The single-node controller role: the `__cluster_metadata-0` log of metadata records and the
 * MetadataImage they build. At start the log is replayed into the image; afterwards every change
 * is decided by the ControllerStateMachine against the current image, appended durably as one
 * batch (so a change is all there after a crash or not at all), then applied. Changes run one at
 * a time so each is validated against the image that includes every change before it.
 */
@Injectable()
export class EmbeddedClusterMetadata extends ClusterMetadata {
  private current = MetadataImage.EMPTY;
  private log?: PartitionLog;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly controller: ControllerStateMachine;
  private cluster = '';

  constructor(
    @Inject(BROKER_OPTIONS) private readonly options: StartBrokerOptions,
    @Inject(BROKER_CONFIG) private readonly brokerConfig: BrokerConfig,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {
    super();
    this.controller = new ControllerStateMachine({ brokerConfig });
  }

  get image(): MetadataImage {
    return this.current;
  }

  get nodeId(): number {
    return this.brokerConfig.nodeId;
  }

  get clusterId(): string {
    return this.cluster;
  }

  /** The single node is its own controller. */
  get controllerId(): number {
    return this.brokerConfig.nodeId;
  }

  /** Reads meta.properties and replays the metadata log; stamps the cluster id on a new log. */
  async open(): Promise<void> {
    const meta = await loadOrCreateMetaProperties(this.options.dataDir, this.brokerConfig.nodeId, async () => newClusterId());
    this.cluster = meta.clusterId;
    this.log = await PartitionLog.open({
      dir: join(this.options.dataDir, METADATA_LOG_DIR),
      fs: new NodeFileSystem(),
      // Metadata is tiny and must survive any crash: every change is fsynced, nothing expires.
      config: { ...DEFAULT_LOG_CONFIG, flushMessages: 1, retentionMs: -1, retentionBytes: -1 },
      clock: Date.now,
      name: METADATA_LOG_DIR,
    });
    for (const warning of this.log.recovery.warnings) this.logger.warn({ partition: METADATA_LOG_DIR }, warning);
    let image = MetadataImage.EMPTY;
    let records = 0;
    for (let offset = this.log.logStartOffset; offset < this.log.logEndOffset; ) {
      const { batches } = await this.log.read(offset, REPLAY_READ_BYTES);
      if (batches.length === 0) break;
      for (const batch of decodeRecordBatches(batches)) {
        const decoded = batch.records.filter((r) => r.offset >= offset && r.value !== null).map((r) => decodeMetadataRecord(r.value as Buffer));
        image = image.apply(decoded);
        records += decoded.length;
        offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
      }
    }
    this.current = image;
    this.logger.info({ clusterId: this.clusterId, records, topics: image.topicNames().length }, 'metadata replayed');
    await this.change((img) => this.controller.formatCluster(img, this.clusterId));
  }

  async registerSelf(host: string, port: number): Promise<void> {
    await this.change((image) =>
      this.controller.registerBroker(image, { brokerId: this.nodeId, endpoints: [{ host, port }], rack: this.brokerConfig.rack }),
    );
  }

  createTopic(request: CreateTopicRequest): Promise<TopicCreation> {
    return this.change((image) => this.controller.createTopic(image, request));
  }

  async deleteTopic(name: string): Promise<void> {
    await this.change((image) => this.controller.deleteTopic(image, { name }));
  }

  async createPartitions(request: CreatePartitionsRequest): Promise<TopicImage> {
    return (await this.change((image) => this.controller.createPartitions(image, request))).topic;
  }

  async alterConfigs(request: AlterConfigsRequest): Promise<void> {
    await this.change((image) => this.controller.alterConfigs(image, request));
  }

  allocateProducerIds(): Promise<ProducerIdBlock> {
    return this.change((image) => this.controller.allocateProducerIds(image, { brokerId: this.nodeId }));
  }

  /**
   * Decides a change against the latest image, appends its records and applies them; resolves
   * with the decision (whose records may be empty: validate-only, if-not-exists, no-op).
   */
  private change<R extends ControllerResult>(decide: (image: MetadataImage) => R): Promise<R> {
    const run = this.queue.then(async () => {
      const result = decide(this.current);
      if (result.records.length === 0) return result;
      await this.append(result.records);
      this.current = this.current.apply(result.records);
      await this.notifyChange(this.current);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.log?.close();
    this.log = undefined;
  }

  private async append(records: readonly MetadataRecord[]): Promise<void> {
    if (!this.log) throw new Error('the metadata log is not open');
    const batch = encodeRecordBatch(records.map((record) => ({ key: null, value: encodeMetadataRecord(record) })));
    await this.log.append(batch);
  }
}
