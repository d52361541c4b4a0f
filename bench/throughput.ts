/**
 * `npm run bench`: one producer with acks=1 writes N records of each size as fast as it can,
 * then reads them all back, against Tributary (a broker in its own process) and against Redis
 * Streams (redis-server started here), and prints both figures and their ratio.
 */
import { BenchOptions, parseBenchOptions, recordCountFor, SystemId, USAGE } from './bench-options';
import { formatTable } from './format-table';
import { makePayload } from './payload';
import { REDIS_DURABILITY_DESCRIPTION, redisServerVersion, startRedisServer } from './redis-server';
import { RedisStreamsSystem } from './redis-streams-system';
import { describeMachine, gitRevision } from './run-environment';
import { ServerProcess, stopServersOnSignals } from './server-process';
import { EndToEndResult, ProduceResult, StreamsSystem, ThroughputResult } from './streams-system';
import { TRIBUTARY_DURABILITY_DESCRIPTION, TributarySystem } from './tributary-system';
import { count, mibPerSec, ms, progress, ratio, recordsPerSec, WARM_UP_FRACTION } from './throughput-figures';
import { startTributaryServer } from './tributary-server';

interface SizeResult {
  produce: ProduceResult;
  consume: ThroughputResult;
  endToEnd?: EndToEndResult;
}

type SystemResults = Map<number, SizeResult>;

const SYSTEM_LABELS: Record<SystemId, string> = {
  tributary: 'Tributary',
  'memory-only': 'Redis (memory only)',
  'aof-everysec': 'Redis (AOF everysec)',
};

async function main(): Promise<number> {
  let options: BenchOptions | null;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const usesRedis = options.systems.some((id) => id !== 'tributary');
  let redisVersion = '';
  if (usesRedis) {
    try {
      redisVersion = redisServerVersion();
    } catch (error) {
      console.error(`bench: ${(error as Error).message}`);
      return 2;
    }
  }

  printSetup(options, redisVersion);
  const results = new Map<SystemId, SystemResults>();
  for (const id of options.systems) results.set(id, await runSystem(id, options));
  console.log(`\n${report(options, results)}`);
  return 0;
}

/** Starts the system's server, runs every size against it, and stops the server. */
async function runSystem(id: SystemId, options: BenchOptions): Promise<SystemResults> {
  const server = id === 'tributary' ? await startTributaryServer({ cpuProfileDir: options.cpuProfileDir }) : await startRedisServer(id);
  let system: StreamsSystem;
  if (id === 'tributary') {
    const tributary = new TributarySystem({
      bootstrapServers: `127.0.0.1:${server.port}`,
      acks: 1,
      lingerMs: options.lingerMs,
      batchSizeBytes: options.batchSizeBytes,
      compression: options.compression,
      maxInFlight: options.maxInFlight,
    });
    system = tributary;
  } else {
    const redis = new RedisStreamsSystem({
      port: server.port,
      label: SYSTEM_LABELS[id],
      pipelineSize: options.redisPipelineSize,
      pipelinesInFlight: options.redisPipelinesInFlight,
      readCount: options.redisReadCount,
    });
    await redis.connect();
    system = redis;
  }
  const results: SystemResults = new Map();
  try {
    for (const sizeBytes of options.sizesBytes) {
      const payload = makePayload(sizeBytes, options.seed);
      const spec = { name: `bench-${sizeBytes}b`, recordCount: recordCountFor(options, sizeBytes), payload };
      const warmUp = { name: `bench-warmup-${sizeBytes}b`, recordCount: Math.ceil(spec.recordCount / WARM_UP_FRACTION), payload };
      await system.produce(warmUp);
      await system.consume(warmUp);
      await system.drop(warmUp.name);
      const produce = await system.produce(spec);
      progress(system.name, `produce ${sizeBytes} B`, produce);
      const consume = await system.consume(spec);
      progress(system.name, `consume ${sizeBytes} B`, consume);
      await system.drop(spec.name);
      let endToEnd: EndToEndResult | undefined;
      if (options.e2eRatePerSec > 0) {
        const e2eName = `bench-e2e-${sizeBytes}b`;
        endToEnd = await system.endToEnd({ name: e2eName, ratePerSec: options.e2eRatePerSec, durationMs: options.e2eDurationMs, payload });
        await system.drop(e2eName);
        console.error(`${system.name}: end-to-end ${sizeBytes} B at ${options.e2eRatePerSec} rec/s: p50 ${ms(endToEnd.latency.percentileMs(50))} ms, p99 ${ms(endToEnd.latency.percentileMs(99))} ms`);
      }
      results.set(sizeBytes, { produce, consume, endToEnd });
    }
  } finally {
    await system.close();
    await server.stop();
  }
  return results;
}

function printSetup(options: BenchOptions, redisVersion: string): void {
  console.log(describeMachine());
  console.log(`Tributary: git ${gitRevision()}`);
  if (redisVersion) console.log(`Redis: ${redisVersion}; client ioredis ${require('ioredis/package.json').version}`);
  console.log(`Payload: one value of random bytes per size (seeded PRNG mulberry32, seed ${options.seed}), no key, reused for every record.`);
  console.log('Durability when a write is acknowledged:');
  for (const id of options.systems) {
    const description = id === 'tributary' ? TRIBUTARY_DURABILITY_DESCRIPTION : REDIS_DURABILITY_DESCRIPTION[id];
    console.log(`  ${SYSTEM_LABELS[id]}: ${description}`);
  }
  console.log(
    `Tributary producer: acks=1 (so idempotence is off: it needs acks=all), lingerMs=${options.lingerMs}, batchSize=${options.batchSizeBytes}, ` +
      `maxInFlightPerPartition=${options.maxInFlight}, compression=${options.compression}; one partition.`,
  );
  if (redisVersion) {
    console.log(`Redis producer: XADD key * v <value>, ${options.redisPipelineSize} per pipeline, ${options.redisPipelinesInFlight} pipelines in flight; consumer: XREAD COUNT ${options.redisReadCount} from 0-0.`);
  }
}

function report(options: BenchOptions, results: Map<SystemId, SystemResults>): string {
  const ids = options.systems;
  const tributary = results.get('tributary');
  const redisIds = ids.filter((id) => id !== 'tributary');
  const header = ['Workload', ...ids.map((id) => SYSTEM_LABELS[id])];
  if (tributary) header.push(...redisIds.map((id) => `Tributary/${SYSTEM_LABELS[id]}`));
  const rows: string[][] = [];
  for (const sizeBytes of options.sizesBytes) {
    const records = count(recordCountFor(options, sizeBytes));
    const metrics: [string, (r: SizeResult) => number | undefined, (v: number) => string][] = [
      [`produce ${sizeBytes} B × ${records}: records/s`, (r) => recordsPerSec(r.produce), count],
      [`produce ${sizeBytes} B: MiB/s`, (r) => mibPerSec(r.produce), (v) => v.toFixed(1)],
      [`produce ${sizeBytes} B: ack latency p50 ms (lower is better)`, (r) => r.produce.ackLatency.percentileMs(50), ms],
      [`produce ${sizeBytes} B: ack latency p99 ms (lower is better)`, (r) => r.produce.ackLatency.percentileMs(99), ms],
      [`consume ${sizeBytes} B × ${records}: records/s`, (r) => recordsPerSec(r.consume), count],
      [`consume ${sizeBytes} B: MiB/s`, (r) => mibPerSec(r.consume), (v) => v.toFixed(1)],
    ];
    if (options.e2eRatePerSec > 0) {
      const at = `at ${count(options.e2eRatePerSec)} rec/s`;
      metrics.push(
        [`end-to-end ${sizeBytes} B ${at}: p50 ms (lower is better)`, (r) => r.endToEnd?.latency.percentileMs(50), ms],
        [`end-to-end ${sizeBytes} B ${at}: p99 ms (lower is better)`, (r) => r.endToEnd?.latency.percentileMs(99), ms],
      );
    }
    const resultOf = (id: SystemId): SizeResult | undefined => results.get(id)?.get(sizeBytes);
    for (const [label, value, format] of metrics) {
      const figureOf = (id: SystemId) => {
        const result = resultOf(id);
        return result && value(result);
      };
      const row = [label, ...ids.map((id) => figureOf(id)).map((v) => (v === undefined ? '-' : format(v)))];
      if (tributary) row.push(...redisIds.map((id) => ratio(figureOf('tributary'), figureOf(id))));
      rows.push(row);
    }
  }
  const notes = [
    'records/s and MiB/s count record values only (1 MiB = 2^20 bytes); elapsed time runs from the first send to the last acknowledgement (produce) or record (consume).',
    'ack latency: per record, from handing it to the client until its acknowledgement arrived (Tributary: its produce() callback ran, with the send time taken once per 1,000 records handed over; Redis: its pipeline\'s replies all arrived). At full speed this is mostly time queued in the client.',
    'end-to-end: per record, from handing it to the producer until a consumer tailing the partition/stream in the same process received it.',
  ];
  return `${formatTable(header, rows)}\n\n${notes.join('\n')}`;
}

stopServersOnSignals();

main().then(
  async (exitCode) => {
    await ServerProcess.stopAll();
    process.exit(exitCode);
  },
  async (error: Error) => {
    console.error(`bench: ${error.message}`);
    await ServerProcess.stopAll();
    process.exit(1);
  },
);
