import { Command } from 'commander';
import { build as buildHistogram } from 'hdr-histogram-js';
import { Tributary, type ProducerOptions, type RecordCallback } from '@tributary/client';
import { keyValueList } from './key-value-list';
import { producerProperties } from './producer-properties';
import { nonNegativeInt } from './consume-command';

interface PerfProduceFlags {
  bootstrapServer: string;
  topic: string;
  numRecords: number;
  recordSize: number;
  throughput: number;
  producerProps: string[];
  reportingIntervalMs: number;
}

const MB = 1024 * 1024;
/**
 * Producer defaults for a throughput test, used unless --producer-props names them: 1 MiB
 * batches (the size Kafka's perf-test users pass as batch.size), so each Produce call carries
 * thousands of small records instead of ~150. Measured with 100 B records on loopback: about 4x
 * the records/s of the producer's own 16 KiB default.
 */
const PERF_PRODUCER_DEFAULTS: ProducerOptions = { batchSize: 1024 * 1024, lingerMs: 5 };

/**
 * `tributary perf produce`: kafka-producer-perf-test. Sends records of random A–Z bytes, prints
 * a progress line per reporting interval and a final summary in Kafka's format; latency is from
 * a record's send to its acknowledgement.
 */
export function perfProduceCommand(): Command {
  return new Command('produce')
    .description('Measure producer throughput and latency (as kafka-producer-perf-test.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'broker to connect to', 'localhost:9092')
    .requiredOption('--topic <name>', 'topic to produce to')
    .requiredOption('--num-records <n>', 'records to send', nonNegativeInt)
    .requiredOption('--record-size <bytes>', 'value size of each record', nonNegativeInt)
    .requiredOption('--throughput <n>', 'records/sec to aim for; -1 for as fast as possible', Number)
    .option(
      '--producer-props <key=value...>',
      'producer configs (acks=1 linger.ms=5 batch.size=… compression.type=…); batch.size defaults to 1048576 here',
      [],
    )
    .option('--reporting-interval-ms <ms>', 'progress line interval', nonNegativeInt, 5000)
    .action((flags: PerfProduceFlags) => runPerfProduce(flags));
}

async function runPerfProduce(flags: PerfProduceFlags): Promise<void> {
  const options = producerProperties(keyValueList(flags.producerProps, '--producer-props'), PERF_PRODUCER_DEFAULTS);
  const producer = new Tributary({ bootstrapServers: flags.bootstrapServer }).producer(options);
  const payload = Buffer.alloc(flags.recordSize);
  for (let i = 0; i < payload.length; i++) payload[i] = 65 + Math.floor(Math.random() * 26);

  const total = { records: 0, bytes: 0, latencyMsSum: 0, latencyMsMax: 0 };
  const windowStats = { records: 0, bytes: 0, latencyMsSum: 0, latencyMsMax: 0, startMs: Date.now() };
  const histogram = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });
  let firstError: Error | null = null;
  const onAck: RecordCallback = (error, metadata) => {
    if (error) {
      firstError ??= error;
      return;
    }
    if (metadata === null) return;
    const latencyMs = Math.max(Date.now() - metadata.timestamp, 0);
    histogram.recordValue(latencyMs);
    count(total, latencyMs);
    count(windowStats, latencyMs);
  };
  const count = (s: typeof total, latencyMs: number) => {
    s.records++;
    s.bytes += flags.recordSize;
    s.latencyMsSum += latencyMs;
    if (latencyMs > s.latencyMsMax) s.latencyMsMax = latencyMs;
  };
  const progress = setInterval(() => {
    const elapsedS = (Date.now() - windowStats.startMs) / 1000;
    process.stdout.write(
      `${windowStats.records} records sent, ${(windowStats.records / elapsedS).toFixed(1)} records/sec (${(windowStats.bytes / MB / elapsedS).toFixed(2)} MB/sec), ` +
        `${(windowStats.latencyMsSum / Math.max(windowStats.records, 1)).toFixed(1)} ms avg latency, ${windowStats.latencyMsMax.toFixed(1)} ms max latency.\n`,
    );
    Object.assign(windowStats, { records: 0, bytes: 0, latencyMsSum: 0, latencyMsMax: 0, startMs: Date.now() });
  }, flags.reportingIntervalMs);

  const startMs = Date.now();
  try {
    await producer.connect();
    for (let i = 0; i < flags.numRecords && !firstError; i++) {
      if (!producer.produce({ topic: flags.topic, value: payload }, onAck)) await producer.whenWritable();
      if (flags.throughput > 0 && i % 100 === 0) {
        const aheadMs = (i / flags.throughput) * 1000 - (Date.now() - startMs);
        if (aheadMs > 0) await new Promise((resolve) => setTimeout(resolve, aheadMs));
      }
    }
    await producer.flush();
  } finally {
    clearInterval(progress);
    await producer.close();
  }
  if (firstError) throw firstError;
  const elapsedS = (Date.now() - startMs) / 1000;
  const p = (q: number) => histogram.getValueAtPercentile(q);
  process.stdout.write(
    `${total.records} records sent, ${(total.records / elapsedS).toFixed(6)} records/sec (${(total.bytes / MB / elapsedS).toFixed(2)} MB/sec), ` +
      `${(total.latencyMsSum / Math.max(total.records, 1)).toFixed(2)} ms avg latency, ${total.latencyMsMax.toFixed(2)} ms max latency, ` +
      `${p(50)} ms 50th, ${p(95)} ms 95th, ${p(99)} ms 99th, ${p(99.9)} ms 99.9th.\n`,
  );
}
