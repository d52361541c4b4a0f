import { Command, Option } from 'commander';
import { Tributary } from '@tributary/client';
import { TributaryError, type ErrorCodeName } from '@tributary/protocol';
import { describeTopic } from './describe-topic';
import { collect, keyValueList } from './key-value-list';

interface TopicsFlags {
  bootstrapServer: string;
  create?: boolean;
  list?: boolean;
  describe?: boolean;
  alter?: boolean;
  delete?: boolean;
  topic?: string;
  partitions?: number;
  replicationFactor?: number;
  config: string[];
  ifNotExists?: boolean;
  ifExists?: boolean;
}

/** `tributary topics`: kafka-topics.sh's actions and flags. */
export function topicsCommand(): Command {
  return new Command('topics')
    .description('Create, list, describe, alter and delete topics (as kafka-topics.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'broker to connect to', 'localhost:9092')
    .addOption(new Option('--create', 'create a topic').conflicts(['list', 'describe', 'alter', 'delete']))
    .addOption(new Option('--list', 'list topic names').conflicts(['describe', 'alter', 'delete']))
    .addOption(new Option('--describe', 'describe topics (all, or --topic)').conflicts(['alter', 'delete']))
    .addOption(new Option('--alter', 'raise the partition count (--partitions) or set --config').conflicts(['delete']))
    .option('--delete', 'delete a topic')
    .option('--topic <name>', 'the topic')
    .option('--partitions <n>', 'number of partitions', (v: string) => atLeastOne(v, 'INVALID_PARTITIONS', '--partitions'))
    .option('--replication-factor <n>', 'replicas per partition', (v: string) => atLeastOne(v, 'INVALID_REPLICATION_FACTOR', '--replication-factor'))
    .option('--config <key=value>', 'a topic config (repeatable)', collect, [])
    .option('--if-not-exists', 'with --create: succeed if the topic exists')
    .option('--if-exists', 'with --alter, --delete or --describe: do nothing if the topic does not exist')
    .action(async (flags: TopicsFlags) => {
      const admin = new Tributary({ bootstrapServers: flags.bootstrapServer }).admin();
      try {
        await runTopics(admin, flags);
      } finally {
        await admin.close();
      }
    });
}

async function runTopics(admin: ReturnType<Tributary['admin']>, flags: TopicsFlags): Promise<void> {
  const configs = Object.fromEntries(keyValueList(flags.config, '--config'));
  if (flags.create) {
    const topic = requireTopic(flags, '--create');
    const result = await admin.createTopic({
      topic,
      numPartitions: flags.partitions,
      replicationFactor: flags.replicationFactor,
      configs,
      ifNotExists: flags.ifNotExists,
    });
    if (result.created) process.stdout.write(`Created topic ${topic}.\n`);
  } else if (flags.list) {
    const topics = await admin.listTopics();
    process.stdout.write(topics.map((t) => `${t.name}\n`).sort().join(''));
  } else if (flags.describe) {
    const topics = await admin.describeTopics(flags.topic ? [flags.topic] : []);
    if (flags.topic && topics.length === 0 && !flags.ifExists) throw missing(flags.topic);
    process.stdout.write(topics.sort((a, b) => a.name.localeCompare(b.name)).map(describeTopic).join(''));
  } else if (flags.alter) {
    const topic = requireTopic(flags, '--alter');
    if (flags.partitions === undefined && Object.keys(configs).length === 0) {
      throw new TributaryError('INVALID_REQUEST', '--alter needs --partitions N or --config key=value');
    }
    if (flags.ifExists && !(await exists(admin, topic))) return;
    if (flags.partitions !== undefined) await admin.createPartitions({ topic, totalCount: flags.partitions });
    if (Object.keys(configs).length > 0) await admin.alterConfigs({ type: 'topic', name: topic }, configs);
  } else if (flags.delete) {
    const topic = requireTopic(flags, '--delete');
    if (flags.ifExists && !(await exists(admin, topic))) return;
    await admin.deleteTopic(topic);
  } else {
    throw new TributaryError('INVALID_REQUEST', 'name one action: --create, --list, --describe, --alter or --delete');
  }
}

async function exists(admin: ReturnType<Tributary['admin']>, topic: string): Promise<boolean> {
  return (await admin.listTopics()).some((t) => t.name === topic);
}

function requireTopic(flags: TopicsFlags, action: string): string {
  if (!flags.topic) throw new TributaryError('INVALID_REQUEST', `${action} needs --topic`);
  return flags.topic;
}

function missing(topic: string): TributaryError {
  return new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${topic}' does not exist as expected`);
}

function atLeastOne(value: string, code: ErrorCodeName, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new TributaryError(code, `${flag} must be an integer of at least 1, not "${value}"`);
  return n;
}
