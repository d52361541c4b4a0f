import { Command, Option } from 'commander';
import { Tributary, type Consumer, type ConsumerBatch, type ConsumerOptions, type TopicPartition } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';
import { consumerProperties } from './consumer-properties';
import { collect, keyValueList } from './key-value-list';
import { readPropertiesFile } from './properties-file';
import { formatRecord, recordFormat } from './record-formatter';

interface ConsumeFlags {
  bootstrapServer: string;
  topic?: string;
  include?: string;
  partition?: number;
  offset?: string;
  fromBeginning?: boolean;
  maxMessages?: number;
  timeoutMs?: number;
  property: string[];
  consumerProperty: string[];
  'consumer.config'?: string;
  isolationLevel: string;
  skipMessageOnError?: boolean;
  group?: string;
}

/** `tributary consume`: kafka-console-consumer with its flags and output format. */
export function consumeCommand(): Command {
  return new Command('consume')
    .description('Print records of a topic to stdout (as kafka-console-consumer.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'broker to connect to', 'localhost:9092')
    .option('--topic <name>', 'the topic to consume')
    .option('--include <regex>', 'with --group: consume every topic whose whole name the regular expression matches, also ones created later')
    .option('--partition <n>', 'consume only this partition', nonNegativeInt)
    .option('--offset <n|earliest|latest>', 'where to start in --partition (default latest)')
    .option('--from-beginning', 'start at the earliest record instead of the latest (auto.offset.reset=earliest)')
    .option('--max-messages <n>', 'exit after this many records', nonNegativeInt)
    .option('--timeout-ms <ms>', 'exit when no record arrives for this long', nonNegativeInt)
    .option(
      '--property <key=value>',
      'output settings: print.timestamp, print.partition, print.offset, print.headers, print.key, print.value (default true), key.separator (default tab), line.separator (default newline), headers.separator (default ,), null.literal (default null) (repeatable)',
      collect,
      [],
    )
    .option('--consumer-property <key=value>', 'a consumer config: auto.offset.reset, fetch.min.bytes, fetch.max.wait.ms, fetch.max.bytes, max.partition.fetch.bytes … (repeatable)', collect, [])
    .option('--consumer.config <file>', 'a properties file of consumer configs; --consumer-property takes precedence')
    .addOption(
      new Option('--isolation-level <level>', 'read_committed or read_uncommitted; Tributary has no transactions yet, so both read every record')
        .choices(['read_uncommitted', 'read_committed'])
        .default('read_uncommitted'),
    )
    .option('--skip-message-on-error', 'skip a record that cannot be printed instead of stopping (records print as UTF-8 text, which cannot fail)')
    .option('--group <id>', 'consume as a member of this consumer group: from its committed offsets (else auto.offset.reset), committing what was consumed (group.id)')
    .action(async (flags: ConsumeFlags) => {
      const format = recordFormat(keyValueList(flags.property, '--property'));
      const config = consumerConfig(flags);
      checkArgs(flags, config);
      const client = new Tributary({ bootstrapServers: flags.bootstrapServer });
      const consumer = client.consumer(config);
      let count = 0;
      let timer: NodeJS.Timeout | null = null;
      const armTimeout = () => {
        if (flags.timeoutMs === undefined) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void consumer.close(), flags.timeoutMs);
      };
      try {
        await consumer.connect();
        if (config.groupId !== undefined) {
          consumer.subscribe(flags.include === undefined ? { topics: [flags.topic as string] } : { pattern: flags.include });
        } else {
          const partitions = await partitionsOf(client, flags.topic as string, flags.partition);
          consumer.assign(partitions);
          if (flags.offset !== undefined) await seekTo(consumer, partitions[0], flags.offset);
        }
        if (flags.maxMessages === 0) return;
        armTimeout();
        await consumer.run({
          eachBatch: async (batch: ConsumerBatch) => {
            armTimeout();
            let records = batch.records;
            if (flags.maxMessages !== undefined) records = records.slice(0, flags.maxMessages - count);
            count += records.length;
            let text = '';
            for (const record of records) text += formatRecord(record, format);
            if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
            if (flags.maxMessages !== undefined && count >= flags.maxMessages) {
              // The position goes just past the last record printed (not past the whole batch, nor
              // before it): that is what close() commits in a group, so the next run goes on from there.
              const last = records[records.length - 1];
              consumer.seek({ topic: batch.topic, partition: batch.partition, offset: last.offset + 1 });
              await consumer.close();
            }
          },
        });
      } finally {
        if (timer) clearTimeout(timer);
        await consumer.close();
        process.stderr.write(`Processed a total of ${count} messages\n`);
      }
    });
}

/** As Kafka: --consumer.config, then --consumer-property; --from-beginning sets auto.offset.reset=earliest. */
function consumerConfig(flags: ConsumeFlags) {
  const props = flags['consumer.config'] ? readPropertiesFile(flags['consumer.config'], '--consumer.config') : new Map<string, string>();
  for (const [k, v] of keyValueList(flags.consumerProperty, '--consumer-property')) props.set(k, v);
  if (flags.fromBeginning) {
    if (props.has('auto.offset.reset') && props.get('auto.offset.reset') !== 'earliest') {
      throw new TributaryError('INVALID_CONFIG', `Can't simultaneously specify --from-beginning and 'auto.offset.reset=${props.get('auto.offset.reset')}'`);
    }
    props.set('auto.offset.reset', 'earliest');
  }
  const options = consumerProperties(props, { autoOffsetReset: 'latest' });
  if (flags.group !== undefined) {
    if (options.groupId !== undefined && options.groupId !== flags.group) {
      throw new TributaryError('INVALID_CONFIG', `The group ids provided in different places (--group and group.id) do not match: ${flags.group}, ${options.groupId}`);
    }
    options.groupId = flags.group;
  }
  return options;
}

/** kafka-console-consumer's argument checks: what to read, and which flags go with a group. */
function checkArgs(flags: ConsumeFlags, config: ConsumerOptions): void {
  if ((flags.topic === undefined) === (flags.include === undefined)) throw new TributaryError('INVALID_REQUEST', 'Exactly one of --include/--topic is required.');
  const inGroup = config.groupId !== undefined;
  if (flags.include !== undefined && !inGroup) throw new TributaryError('INVALID_REQUEST', '--include needs --group: a group follows the topics the expression matches');
  if (inGroup && flags.partition !== undefined) throw new TributaryError('INVALID_REQUEST', 'Options group and partition cannot be specified together: the group assigns the partitions');
  if (flags.offset !== undefined && flags.partition === undefined) {
    throw new TributaryError('INVALID_REQUEST', '--offset needs --partition');
  }
  if (flags.offset !== undefined && flags.fromBeginning) {
    throw new TributaryError('INVALID_REQUEST', '--offset and --from-beginning cannot be used together');
  }
}

async function partitionsOf(client: Tributary, topicName: string, partition: number | undefined): Promise<TopicPartition[]> {
  const admin = client.admin();
  try {
    const [topic] = await admin.describeTopics([topicName]);
    if (!topic) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topicName} does not exist`);
    const all = topic.partitions.map((p) => ({ topic: topicName, partition: p.partition }));
    if (partition === undefined) return all;
    if (!all.some((p) => p.partition === partition)) {
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topicName} has no partition ${partition} (it has ${all.length})`);
    }
    return [{ topic: topicName, partition }];
  } finally {
    await admin.close();
  }
}

async function seekTo(consumer: Consumer, tp: TopicPartition, offset: string): Promise<void> {
  if (offset === 'earliest') return consumer.seekToBeginning([tp]);
  if (offset === 'latest') return consumer.seekToEnd([tp]);
  const n = Number(offset);
  if (!Number.isInteger(n) || n < 0) throw new TributaryError('INVALID_REQUEST', `--offset must be a non-negative integer, earliest or latest, not "${offset}"`);
  consumer.seek({ ...tp, offset: n });
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TributaryError('INVALID_REQUEST', `expected a non-negative integer, got "${value}"`);
  return n;
}
