import { Command } from 'commander';
import type { Admin } from '@tributary/client';
import type { PartitionDescription, TopicDescription } from '@tributary/proto';
import { TributaryError, type ErrorCodeName } from '@tributary/protocol';
import { withAdmin } from './admin-config';
import { describeTopic } from './describe-topic';
import { collect, keyValueList } from './key-value-list';
import { topicFilter } from './topic-filter';
import { isUnderReplicated } from './under-replicated';

interface TopicsFlags {
  bootstrapServer: string;
  commandConfig?: string;
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
  excludeInternal?: boolean;
  topicsWithOverrides?: boolean;
  underReplicatedPartitions?: boolean;
  unavailablePartitions?: boolean;
  underMinIsrPartitions?: boolean;
  atMinIsrPartitions?: boolean;
}

type FlagName = keyof TopicsFlags;

const ACTIONS: FlagName[] = ['create', 'list', 'describe', 'alter', 'delete'];
const REPORTS: FlagName[] = ['underReplicatedPartitions', 'unavailablePartitions', 'underMinIsrPartitions', 'atMinIsrPartitions', 'topicsWithOverrides'];

/** `tributary topics`: kafka-topics.sh's actions and flags. */
export function topicsCommand(): Command {
  return new Command('topics')
    .description('Create, list, describe, alter and delete topics (as kafka-topics.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'broker to connect to', 'localhost:9092')
    .option('--command-config <file>', 'a properties file of admin client configs (request.timeout.ms, default.api.timeout.ms, client.id)')
    .option('--create', 'create a topic')
    .option('--list', 'list topic names (all, or those --topic matches)')
    .option('--describe', 'describe topics (all, or those --topic matches)')
    .option('--alter', 'raise the partition count (--partitions) or set --config')
    .option('--delete', 'delete the topics --topic matches')
    .option('--topic <topic>', 'the topic; except with --create, a regular expression matching whole names (e.g. \'orders.*\' or a,b)')
    .option('--partitions <n>', 'number of partitions', (v: string) => atLeastOne(v, 'INVALID_PARTITIONS', '--partitions'))
    .option('--replication-factor <n>', 'replicas per partition', (v: string) => atLeastOne(v, 'INVALID_REPLICATION_FACTOR', '--replication-factor'))
    .option('--config <name=value>', 'a topic config override (repeatable)', collect, [])
    .option('--if-not-exists', 'with --create: succeed if the topic exists')
    .option('--if-exists', 'with --alter, --delete or --describe: do nothing if the topic does not exist')
    .option('--exclude-internal', 'with --list or --describe: leave out internal topics')
    .option('--topics-with-overrides', 'with --describe: only topics that have overridden configs')
    .option('--under-replicated-partitions', 'with --describe: only partitions whose ISR is smaller than their replicas')
    .option('--unavailable-partitions', 'with --describe: only partitions whose leader is not available')
    .option('--under-min-isr-partitions', 'with --describe: only partitions whose ISR is smaller than min.insync.replicas')
    .option('--at-min-isr-partitions', 'with --describe: only partitions whose ISR is exactly min.insync.replicas')
    .action(async (flags: TopicsFlags) => {
      checkArgs(flags);
      await withAdmin(flags, (admin) => runTopics(admin, flags));
    });
}

/** TopicCommand's argument checks, with its messages. */
function checkArgs(flags: TopicsFlags): void {
  if (ACTIONS.filter((a) => flags[a]).length !== 1) {
    throw new TributaryError('INVALID_REQUEST', 'Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  }
  if (!flags.list && !flags.describe && !flags.topic) throw new TributaryError('INVALID_REQUEST', 'Missing required argument "[topic]"');
  const allowedWith: [FlagName, FlagName[]][] = [
    ['config', ['create', 'alter']],
    ['partitions', ['create', 'alter']],
    ['replicationFactor', ['create']],
    ['ifExists', ['alter', 'delete', 'describe']],
    ['ifNotExists', ['create']],
    ['excludeInternal', ['list', 'describe']],
    ...REPORTS.map((r): [FlagName, FlagName[]] => [r, ['describe']]),
  ];
  for (const [option, actions] of allowedWith) {
    if (!given(flags, option)) continue;
    for (const action of ACTIONS) if (flags[action] && !actions.includes(action)) throw invalidWith(option, action);
  }
  const reports = REPORTS.filter((r) => flags[r]);
  if (reports.length > 1) throw invalidWith(reports[0], reports[1]);
}

function given(flags: TopicsFlags, option: FlagName): boolean {
  const value = flags[option];
  return Array.isArray(value) ? value.length > 0 : value !== undefined;
}

function invalidWith(option: FlagName, other: FlagName): TributaryError {
  return new TributaryError('INVALID_REQUEST', `Option "[${kebab(option)}]" can't be used with option "[${kebab(other)}]"`);
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

async function runTopics(admin: Admin, flags: TopicsFlags): Promise<void> {
  const configs = Object.fromEntries(keyValueList(flags.config, '--config'));
  if (flags.create) {
    const topic = flags.topic as string; // checkArgs required it
    const result = await admin.createTopic({
      topic,
      numPartitions: flags.partitions,
      replicationFactor: flags.replicationFactor,
      configs,
      ifNotExists: flags.ifNotExists,
    });
    if (result.created) process.stdout.write(`Created topic ${topic}.\n`);
  } else if (flags.list) {
    const names = await matchingTopics(admin, flags);
    process.stdout.write(names.map((name) => `${name}\n`).join(''));
  } else if (flags.describe) {
    await describe(admin, flags, await matchingTopics(admin, flags));
  } else if (flags.alter) {
    if (flags.partitions === undefined && Object.keys(configs).length === 0) throw new TributaryError('INVALID_REQUEST', 'Missing required argument "[partitions]"');
    for (const topic of await matchingTopics(admin, flags)) {
      if (flags.partitions !== undefined) await admin.createPartitions({ topic, totalCount: flags.partitions });
      if (Object.keys(configs).length > 0) await admin.alterConfigs({ type: 'topic', name: topic }, configs);
    }
  } else if (flags.delete) {
    for (const topic of await matchingTopics(admin, flags)) await admin.deleteTopic(topic);
  }
}

/**
 * Sorted names --topic matches (all without it), as TopicCommand.getTopics; none matching is an
 * error unless --if-exists.
 */
async function matchingTopics(admin: Admin, flags: TopicsFlags): Promise<string[]> {
  const listed = await admin.listTopics({ includeInternal: !flags.excludeInternal });
  const matches = flags.topic ? topicFilter(flags.topic) : () => true;
  const names = listed.map((t) => t.name).filter(matches).sort();
  if (flags.topic && names.length === 0 && !flags.ifExists) {
    throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${flags.topic}' does not exist as expected`);
  }
  return names;
}

/**
 * kafka-topics.sh --describe: the topic line unless a partition report is asked for (and with
 * --topics-with-overrides only for topics with overrides), then the partition lines the report keeps.
 */
async function describe(admin: Admin, flags: TopicsFlags, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const topics = (await admin.describeTopics(names)).sort((a, b) => a.name.localeCompare(b.name));
  const partitionReport = flags.underReplicatedPartitions || flags.unavailablePartitions || flags.underMinIsrPartitions || flags.atMinIsrPartitions;
  const liveBrokers = flags.unavailablePartitions ? new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId)) : new Set<number>();
  let text = '';
  for (const topic of topics) {
    if (flags.excludeInternal && topic.isInternal) continue;
    if (flags.topicsWithOverrides) {
      if (Object.keys(topic.configs).length > 0) text += describeTopic(topic, { partitionFilter: () => false });
      continue;
    }
    const minIsr = flags.underMinIsrPartitions || flags.atMinIsrPartitions ? await minInsyncReplicas(admin, topic) : 0;
    const keep = (p: PartitionDescription): boolean => {
      if (flags.underReplicatedPartitions) return isUnderReplicated(p);
      if (flags.unavailablePartitions) return p.leader < 0 || !liveBrokers.has(p.leader);
      if (flags.underMinIsrPartitions) return p.leader < 0 || p.isr.length < minIsr;
      if (flags.atMinIsrPartitions) return p.isr.length === minIsr;
      return true;
    };
    text += describeTopic(topic, { topicLine: !partitionReport, partitionFilter: keep });
  }
  process.stdout.write(text);
}

/** The topic's effective min.insync.replicas (its override, else the broker's default). */
async function minInsyncReplicas(admin: Admin, topic: TopicDescription): Promise<number> {
  const [entry] = await admin.describeConfigs({ type: 'topic', name: topic.name }, ['min.insync.replicas']);
  return Number(entry?.value ?? topic.configs['min.insync.replicas'] ?? 1);
}

function atLeastOne(value: string, code: ErrorCodeName, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new TributaryError(code, `${flag} must be an integer of at least 1, not "${value}"`);
  return n;
}
