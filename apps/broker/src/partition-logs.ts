import { Inject, Injectable } from '@nestjs/common';
import { NodeFileSystem } from '@tributary/node-io';
import { PartitionLog, type LogConfig } from '@tributary/storage';
import { TributaryError } from '@tributary/protocol';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from './broker-logger';
import { BROKER_OPTIONS, type StartBrokerOptions } from './broker-options';

const PARTITION_DIR = /^.+-\d+$/;

export interface OpenPartition {
  topic: string;
  /** Tells a re-created topic from the deleted one of the same name. */
  topicId: string;
  partition: number;
  log: PartitionLog;
}

/** Kafka's directory name for a partition: `<topic>-<partition>`. */
export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * The partition logs this broker holds, one directory each under the data dir. Which logs exist
 * follows the metadata image: ClusterMetadata's owner calls ensure/remove/updateConfig as topics
 * come and go; nothing else opens or deletes a partition directory.
 */
@Injectable()
export class PartitionLogs {
  private readonly logs = new Map<string, OpenPartition>();
  private readonly fs = new NodeFileSystem();

  constructor(
    @Inject(BROKER_OPTIONS) private readonly options: StartBrokerOptions,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  /** The log of a partition the image knows, or UNKNOWN_TOPIC_OR_PARTITION. */
  get(topic: string, partition: number): PartitionLog {
    const open = this.logs.get(partitionDirName(topic, partition));
    if (!open) {
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `This broker has no partition ${partition} of topic ${topic}`);
    }
    return open.log;
  }

  find(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(partitionDirName(topic, partition))?.log;
  }

  all(): Iterable<OpenPartition> {
    return this.logs.values();
  }

  /** Opens (creating or recovering) the log of a partition, or updates its config if it is open. */
  async ensure(topic: string, topicId: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    const name = partitionDirName(topic, partition);
    const existing = this.logs.get(name);
    if (existing && existing.topicId !== topicId) {
      await this.removeTopic(topic);
    } else if (existing) {
      existing.log.updateConfig(config);
      return existing.log;
    }
    const log = await PartitionLog.open({ dir: join(this.options.dataDir, name), fs: this.fs, config, clock: Date.now, name });
    this.logs.set(name, { topic, topicId, partition, log });
    this.logger.debug({ partition: name, logEndOffset: log.logEndOffset, recovery: log.recovery }, 'partition log open');
    // An unclean start may have cut a damaged tail: say what was lost, where an operator sees it.
    for (const warning of log.recovery.warnings) this.logger.warn({ partition: name }, warning);
    return log;
  }

  /** Closes and deletes every partition log of a topic; returns their names. */
  async removeTopic(topic: string): Promise<string[]> {
    const removed: string[] = [];
    for (const [name, open] of [...this.logs]) {
      if (open.topic !== topic) continue;
      this.logs.delete(name);
      removed.push(name);
      await open.log.deleteAll();
    }
    return removed;
  }

  /** Topics that have open logs. */
  topics(): Set<string> {
    return new Set([...this.logs.values()].map((open) => open.topic));
  }

  /**
   * Deletes partition directories that no topic of the image owns: left behind when the broker
   * stopped between recording a topic's deletion and removing its files.
   */
  async removeStrayDirs(isKnown: (dirName: string) => boolean): Promise<void> {
    for (const entry of await readdir(this.options.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !PARTITION_DIR.test(entry.name) || isKnown(entry.name)) continue;
      this.logger.warn({ dir: entry.name }, 'removing the directory of a deleted partition');
      await rm(join(this.options.dataDir, entry.name), { recursive: true, force: true });
    }
  }

  /** Flushes and closes every log (shutdown). */
  async closeAll(): Promise<void> {
    const open = [...this.logs.values()];
    this.logs.clear();
    const results = await Promise.allSettled(open.map(({ log }) => log.close()));
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        this.logger.error({ err: result.reason, partition: partitionDirName(open[i].topic, open[i].partition) }, 'closing a partition log failed');
      }
    });
  }
}
