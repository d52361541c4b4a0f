import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PartitionLogs } from './partition-logs';

const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The broker's Prometheus metrics. One registry per broker (not prom-client's global one), so
 * several brokers can run in one process (tests, benchmarks).
 */
@Injectable()
export class BrokerMetrics {
  readonly registry = new Registry();
  readonly produceRequests = new Counter({
    name: 'tributary_produce_requests_total',
    help: 'Produce calls by topic and outcome (an error code name or NONE).',
    labelNames: ['topic', 'error'] as const,
    registers: [this.registry],
  });
  readonly producedBytes = new Counter({
    name: 'tributary_produce_bytes_total',
    help: 'Record batch bytes appended by Produce.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly producedRecords = new Counter({
    name: 'tributary_produce_records_total',
    help: 'Records appended by Produce.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly produceLatency = new Histogram({
    name: 'tributary_produce_latency_seconds',
    help: 'Time from receiving a Produce call to answering it.',
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  });
  readonly fetchRequests = new Counter({
    name: 'tributary_fetch_requests_total',
    help: 'Fetch calls.',
    registers: [this.registry],
  });
  readonly fetchedBytes = new Counter({
    name: 'tributary_fetch_bytes_total',
    help: 'Record batch bytes returned by Fetch.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly fetchLatency = new Histogram({
    name: 'tributary_fetch_latency_seconds',
    help: 'Time from receiving a Fetch call to answering it, long-poll wait included.',
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  });

  constructor(@Inject(PartitionLogs) logs: PartitionLogs) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'tributary_partition_log_end_offset',
      help: 'The offset the next appended record of a partition will get.',
      labelNames: ['topic', 'partition'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { topic, partition, log } of logs.all()) this.set({ topic, partition }, log.logEndOffset);
      },
    });
    new Gauge({
      name: 'tributary_partition_log_start_offset',
      help: 'The first offset still in a partition log.',
      labelNames: ['topic', 'partition'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { topic, partition, log } of logs.all()) this.set({ topic, partition }, log.logStartOffset);
      },
    });
  }
}
