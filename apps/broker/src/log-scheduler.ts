import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { BrokerConfig } from '@tributary/metadata';
import type { Logger } from 'pino';
import { BROKER_CONFIG } from './broker-config-provider';
import { BROKER_LOGGER } from './broker-logger';
import { PartitionLogs, partitionDirName, type OpenPartition } from './partition-logs';

/** How often logs with flush.ms are checked; Kafka's log.flush.scheduler.interval.ms is of this order. */
const FLUSH_CHECK_INTERVAL_MS = 1_000;

/**
 * The broker's background work on partition logs: retention every
 * log.retention.check.interval.ms, compaction every log.cleaner.backoff.ms (when
 * log.cleaner.enable), and flushes due by flush.ms. A task never overlaps itself; failures are
 * logged per partition and the next round runs as planned.
 */
@Injectable()
export class LogScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    @Inject(PartitionLogs) private readonly logs: PartitionLogs,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.every('retention', this.config.logRetentionCheckIntervalMs, (p, now) => p.log.enforceRetention(now));
    if (this.config.logCleanerEnable) {
      this.every('compaction', this.config.logCleanerBackoffMs, (p, now) => p.log.compact(now));
    }
    this.every('flush', FLUSH_CHECK_INTERVAL_MS, (p, now) => p.log.flushIfDue(now));
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled(this.running);
  }

  private every(task: string, intervalMs: number, work: (p: OpenPartition, nowMs: number) => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const round = this.runRound(task, work).finally(() => {
        busy = false;
        this.running.delete(round);
      });
      this.running.add(round);
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private async runRound(task: string, work: (p: OpenPartition, nowMs: number) => Promise<unknown>): Promise<void> {
    for (const partition of [...this.logs.all()]) {
      try {
        await work(partition, Date.now());
      } catch (error) {
        this.logger.error({ err: error, task, partition: partitionDirName(partition.topic, partition.partition) }, 'background log task failed');
      }
    }
  }
}
