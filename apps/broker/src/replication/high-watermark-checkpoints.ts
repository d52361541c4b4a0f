import { Inject, Injectable } from '@nestjs/common';
import { NodeFileSystem } from '@tributary/node-io';
import { ReplicationOffsetCheckpoint } from '@tributary/storage';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from '../broker-logger';
import { BROKER_OPTIONS, type StartBrokerOptions } from '../broker-options';

/**
 * The high watermarks saved in the data dir's replication-offset-checkpoint: read once at start
 * (a damaged file counts as none, logged), written by the ReplicaManager periodically and at stop.
 */
@Injectable()
export class HighWatermarkCheckpoints {
  private readonly file: ReplicationOffsetCheckpoint;
  private saved: Promise<Map<string, number>> | undefined;

  constructor(
    @Inject(BROKER_OPTIONS) options: StartBrokerOptions,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {
    this.file = new ReplicationOffsetCheckpoint(new NodeFileSystem(), options.dataDir);
  }

  /** The saved high watermark of `key` (`<topic>-<partition>`), 0 when none was saved. */
  async highWatermark(key: string): Promise<number> {
    this.saved ??= this.file.read().then(({ offsets, problem }) => {
      if (problem) this.logger.warn({ problem }, 'high watermark checkpoint unreadable; starting from 0 (replication moves them up again)');
      return offsets;
    });
    return (await this.saved).get(key) ?? 0;
  }

  save(marks: ReadonlyMap<string, number>): Promise<void> {
    return this.file.write(marks);
  }
}
