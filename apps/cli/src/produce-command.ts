import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { Tributary, type Producer, type RecordCallback } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';
import { collect, keyValueList } from './key-value-list';
import { LineMessageReader } from './line-message-reader';
import { producerProperties } from './producer-properties';
import { readPropertiesFile } from './properties-file';
import { nonNegativeInt } from './consume-command';

interface ProduceFlags {
  bootstrapServer: string;
  topic: string;
  property: string[];
  producerProperty: string[];
  'producer.config'?: string;
  readerConfig?: string;
  compressionCodec?: string;
  requestRequiredAcks?: string;
  sync?: boolean;
  batchSize?: number;
  timeout?: number;
  messageSendMaxRetries?: number;
  retryBackoffMs?: number;
  requestTimeoutMs?: number;
  maxMemoryBytes?: number;
  maxBlockMs?: number;
}

/**
 * `tributary produce`: kafka-console-producer; one record per stdin line until stdin closes.
 * Producer settings apply in Kafka's order: --producer.config, then --producer-property, then the
 * dedicated flags (--request-required-acks, --timeout, …) when given.
 */
export function produceCommand(): Command {
  return new Command('produce')
    .description('Send one record per line of stdin (as kafka-console-producer.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'broker to connect to', 'localhost:9092')
    .requiredOption('--topic <name>', 'the topic to produce to')
    .option(
      '--property <key=value>',
      'line reader settings: parse.key, key.separator (default tab), parse.headers, headers.delimiter (default tab), headers.separator (default ,), headers.key.separator (default :), null.marker, ignore.error (repeatable)',
      collect,
      [],
    )
    .option('--reader-config <file>', 'a properties file of line reader settings; --property takes precedence')
    .option('--producer-property <key=value>', 'a producer config such as acks=all, linger.ms, compression.type (repeatable)', collect, [])
    .option('--producer.config <file>', 'a properties file of producer configs; --producer-property takes precedence')
    .addOption(new Option('--compression-codec [codec]', 'compression.type; gzip when given without a value').choices(['none', 'gzip', 'snappy', 'lz4', 'zstd']).preset('gzip'))
    .option('--request-required-acks <acks>', 'acks: 0, 1, -1 or all')
    .option('--sync', 'send each record alone and wait for its acknowledgement before reading the next line')
    .option('--batch-size <bytes>', 'batch.size', nonNegativeInt)
    .option('--timeout <ms>', 'linger.ms: how long a batch waits for more records', nonNegativeInt)
    .option('--message-send-max-retries <n>', 'retries', nonNegativeInt)
    .option('--retry-backoff-ms <ms>', 'retry.backoff.ms', nonNegativeInt)
    .option('--request-timeout-ms <ms>', 'request.timeout.ms', nonNegativeInt)
    .option('--max-memory-bytes <bytes>', 'buffer.memory', nonNegativeInt)
    .option('--max-block-ms <ms>', 'how long a line waits for buffer space before the command fails (max.block.ms)', nonNegativeInt)
    .action(async (flags: ProduceFlags) => {
      const readerProps = flags.readerConfig ? readPropertiesFile(flags.readerConfig, '--reader-config') : new Map<string, string>();
      for (const [k, v] of keyValueList(flags.property, '--property')) readerProps.set(k, v);
      const reader = LineMessageReader.fromProperties(readerProps);
      const producer = new Tributary({ bootstrapServers: flags.bootstrapServer }).producer(producerProperties(producerConfig(flags), { batchSize: 256 * 1024 }));
      let firstError: Error | null = null;
      const onAck: RecordCallback = (error) => {
        firstError ??= error;
      };
      try {
        await producer.connect();
        let lineNumber = 0;
        for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
          if (firstError) break;
          const record = { topic: flags.topic, ...reader.read(line, ++lineNumber) };
          if (flags.sync) await producer.sendRecord(record);
          else if (!producer.produce(record, onAck)) await whenWritable(producer, flags.maxBlockMs);
        }
        await producer.flush();
      } finally {
        await producer.close();
      }
      if (firstError) throw firstError;
    });
}

function producerConfig(flags: ProduceFlags): Map<string, string> {
  const props = flags['producer.config'] ? readPropertiesFile(flags['producer.config'], '--producer.config') : new Map<string, string>();
  for (const [k, v] of keyValueList(flags.producerProperty, '--producer-property')) props.set(k, v);
  const dedicated: [string, string | number | undefined][] = [
    ['compression.type', flags.compressionCodec],
    ['acks', flags.requestRequiredAcks],
    ['batch.size', flags.batchSize],
    ['linger.ms', flags.timeout],
    ['retries', flags.messageSendMaxRetries],
    ['retry.backoff.ms', flags.retryBackoffMs],
    ['request.timeout.ms', flags.requestTimeoutMs],
    ['buffer.memory', flags.maxMemoryBytes],
  ];
  for (const [name, value] of dedicated) if (value !== undefined) props.set(name, String(value));
  return props;
}

async function whenWritable(producer: Producer, maxBlockMs: number | undefined): Promise<void> {
  if (maxBlockMs === undefined) return producer.whenWritable();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TributaryError('REQUEST_TIMED_OUT', `Failed to allocate memory within the configured max blocking time ${maxBlockMs} ms.`)),
      maxBlockMs,
    );
  });
  try {
    await Promise.race([producer.whenWritable(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
