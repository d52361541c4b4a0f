import { Command } from 'commander';
import { Tributary } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';
import { nonNegativeInt } from './consume-command';

interface PerfConsumeFlags {
  bootstrapServer: string;
  topic: string;
  messages: number;
  timeout: number;
  showDetailedStats?: boolean;
  reportingInterval: number;
}

const MB = 1024 * 1024;
const HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

/**
 * `tributary perf consume`: kafka-consumer-perf-test. Reads --messages records from the start of
 * every partition and prints Kafka's summary (a header line and a values line).
 */
export function perfConsumeCommand(): Command {
  return new Command('consume')
    .description('Measure consumer throughput (as kafka-consumer-perf-test.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'broker to connect to', 'localhost:9092')
    .requiredOption('--topic <name>', 'topic to consume')
    .requiredOption('--messages <n>', 'records to consume', nonNegativeInt)
    .option('--timeout <ms>', 'fail when no record arrives for this long', nonNegativeInt, 10_000)
    .option('--show-detailed-stats', 'print a progress line per reporting interval')
    .option('--reporting-interval <ms>', 'progress line interval', nonNegativeInt, 5000)
    .action((flags: PerfConsumeFlags) => runPerfConsume(flags));
}

async function runPerfConsume(flags: PerfConsumeFlags): Promise<void> {
  const client = new Tributary({ bootstrapServers: flags.bootstrapServer });
  const admin = client.admin();
  const consumer = client.consumer({ autoOffsetReset: 'earliest' });
  let records = 0;
  let bytes = 0;
  let timedOut = false;
  let timer: NodeJS.Timeout | null = null;
  const armTimeout = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      void consumer.close();
    }, flags.timeout);
  };
  const startMs = Date.now();
  let lastReport = { ms: startMs, records: 0, bytes: 0 };
  let fetchStartMs = startMs;
  try {
    const [topic] = await admin.describeTopics([flags.topic]);
    if (!topic) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${flags.topic} does not exist`);
    await consumer.connect();
    consumer.assign(topic.partitions.map((p) => ({ topic: flags.topic, partition: p.partition })));
    fetchStartMs = Date.now();
    armTimeout();
    if (flags.messages > 0) {
      await consumer.run({
        eachBatch: async (batch) => {
          armTimeout();
          for (const r of batch.records) {
            if (records >= flags.messages) break;
            records++;
            bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
          }
          const now = Date.now();
          if (flags.showDetailedStats && now - lastReport.ms >= flags.reportingInterval) {
            const s = (now - lastReport.ms) / 1000;
            process.stdout.write(
              `${formatTime(lastReport.ms)}, ${formatTime(now)}, ${(bytes / MB).toFixed(4)}, ${((bytes - lastReport.bytes) / MB / s).toFixed(4)}, ${records}, ${((records - lastReport.records) / s).toFixed(4)}\n`,
            );
            lastReport = { ms: now, records, bytes };
          }
          if (records >= flags.messages) await consumer.close();
        },
      });
    }
  } finally {
    if (timer) clearTimeout(timer);
    await consumer.close();
    await admin.close();
  }
  if (timedOut && records < flags.messages) {
    throw new TributaryError('REQUEST_TIMED_OUT', `consumed ${records} of ${flags.messages} messages, then none arrived for ${flags.timeout} ms`);
  }
  const endMs = Date.now();
  const elapsedS = Math.max(endMs - startMs, 1) / 1000;
  const fetchS = Math.max(endMs - fetchStartMs, 1) / 1000;
  const mb = bytes / MB;
  process.stdout.write(`${HEADER}\n`);
  process.stdout.write(
    `${formatTime(startMs)}, ${formatTime(endMs)}, ${mb.toFixed(4)}, ${(mb / elapsedS).toFixed(4)}, ${records}, ${(records / elapsedS).toFixed(4)}, ` +
      `${fetchStartMs - startMs}, ${endMs - fetchStartMs}, ${(mb / fetchS).toFixed(4)}, ${(records / fetchS).toFixed(4)}\n`,
  );
}

/** Kafka's perf-test date format, yyyy-MM-dd HH:mm:ss:SSS, in local time. */
function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}:${pad(d.getMilliseconds(), 3)}`;
}
