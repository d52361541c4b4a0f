import Redis from 'ioredis';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from './latency-histogram';
import { msSinceStamped, stampSendTime } from './send-time-stamp';
import { sendAtFixedRate } from './send-at-fixed-rate';
import { EndToEndResult, EndToEndSpec, ProduceResult, StreamsSystem, ThroughputResult, WorkloadSpec } from './streams-system';

export interface RedisStreamsOptions {
  port: number;
  /** XADD commands per pipeline. */
  pipelineSize: number;
  /** Pipelines sent before the first reply is awaited. */
  pipelinesInFlight: number;
  /** COUNT of each XREAD. */
  readCount: number;
  /** Shown in the report, e.g. "Redis (memory only)". */
  label: string;
}

const VALUE_FIELD = 'v';
const E2E_BLOCK_MS = 100;
const E2E_DRAIN_TIMEOUT_MS = 10_000;

type StreamEntries = [id: Buffer, fields: Buffer[]][];

/**
 * Redis Streams through ioredis: each record is an entry `XADD key * v <payload>`; produce
 * pipelines XADDs, consume walks the stream with XREAD COUNT from 0-0 to the end.
 */
export class RedisStreamsSystem implements StreamsSystem {
  private readonly redis: Redis;

  constructor(private readonly options: RedisStreamsOptions) {
    this.redis = new Redis({ host: '127.0.0.1', port: options.port, maxRetriesPerRequest: 0, lazyConnect: true });
  }

  get name(): string {
    return this.options.label;
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async produce(spec: WorkloadSpec): Promise<ProduceResult> {
    const { pipelineSize, pipelinesInFlight } = this.options;
    const ackLatency = new LatencyHistogram();
    let queued = 0;
    // Each lane builds a pipeline, sends it and waits for all its replies; several lanes keep
    // several pipelines in flight on the one connection.
    const lane = async () => {
      while (queued < spec.recordCount) {
        const count = Math.min(pipelineSize, spec.recordCount - queued);
        queued += count;
        const startedMs = performance.now();
        const pipeline = this.redis.pipeline();
        for (let i = 0; i < count; i++) pipeline.xadd(spec.name, '*', VALUE_FIELD, spec.payload);
        const replies = (await pipeline.exec()) ?? [];
        const failed = replies.find(([error]) => error);
        if (failed) throw new Error(`XADD to ${spec.name} failed: ${failed[0]?.message}`);
        ackLatency.recordMsTimes(performance.now() - startedMs, count);
      }
    };
    const startedMs = performance.now();
    await Promise.all(Array.from({ length: pipelinesInFlight }, lane));
    const elapsedMs = performance.now() - startedMs;
    return { recordCount: spec.recordCount, payloadBytes: spec.recordCount * spec.payload.length, elapsedMs, ackLatency };
  }

  async consume(spec: WorkloadSpec): Promise<ThroughputResult> {
    let lastId = '0-0';
    let recordCount = 0;
    let payloadBytes = 0;
    const startedMs = performance.now();
    while (recordCount < spec.recordCount) {
      const reply = await this.redis.xreadBuffer('COUNT', this.options.readCount, 'STREAMS', spec.name, lastId);
      const entries = streamEntries(reply);
      if (entries.length === 0) throw new Error(`stream ${spec.name} ended after ${recordCount} of ${spec.recordCount} entries`);
      for (const [, fields] of entries) payloadBytes += fields[1].length;
      recordCount += entries.length;
      lastId = entries[entries.length - 1][0].toString();
    }
    return { recordCount, payloadBytes, elapsedMs: performance.now() - startedMs };
  }

  async endToEnd(spec: EndToEndSpec): Promise<EndToEndResult> {
    const latency = new LatencyHistogram();
    const reader = this.redis.duplicate();
    let sent = -1;
    let received = 0;
    let sendError: Error | undefined;
    const tail = async () => {
      let lastId = '0-0';
      let drainDeadlineMs = Infinity;
      while (sent < 0 || received < sent) {
        if (sent >= 0 && drainDeadlineMs === Infinity) drainDeadlineMs = performance.now() + E2E_DRAIN_TIMEOUT_MS;
        if (sendError || performance.now() > drainDeadlineMs) return;
        const reply = await reader.xreadBuffer('COUNT', this.options.readCount, 'BLOCK', E2E_BLOCK_MS, 'STREAMS', spec.name, lastId);
        const entries = streamEntries(reply);
        for (const [, fields] of entries) latency.recordMs(msSinceStamped(fields[1]));
        received += entries.length;
        if (entries.length > 0) lastId = entries[entries.length - 1][0].toString();
      }
    };
    const tailing = tail();
    try {
      sent = await sendAtFixedRate(spec.ratePerSec, spec.durationMs, (count) => {
        const pipeline = this.redis.pipeline();
        for (let i = 0; i < count; i++) pipeline.xadd(spec.name, '*', VALUE_FIELD, stampSendTime(spec.payload));
        pipeline.exec().catch((error: Error) => {
          sendError = error;
        });
      });
      await tailing;
    } finally {
      reader.disconnect();
    }
    if (sendError) throw sendError;
    if (received < sent) throw new Error(`end-to-end: only ${received} of ${sent} entries reached the reader of ${spec.name}`);
    return { recordCount: received, latency };
  }

  async drop(name: string): Promise<void> {
    await this.redis.del(name);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function streamEntries(reply: unknown): StreamEntries {
  // RESP2 reply: [[key, [[id, [field, value]], ...]]], or null when nothing is there.
  const streams = reply as [Buffer, StreamEntries][] | null;
  return streams?.[0]?.[1] ?? [];
}
