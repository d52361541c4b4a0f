/**
 * Topic-level configs with Kafka's names, types, defaults and documentation. A topic's value is
 * its own (a ConfigRecord in the image: DYNAMIC_TOPIC_CONFIG) or else the broker's `log.`-prefixed
 * or mapped setting (STATIC_BROKER_CONFIG when set in the broker's config, DEFAULT_CONFIG when
 * not), exactly as Kafka's LogConfig falls back to its ServerTopicConfigSynonyms.
 */
import { TributaryError } from '@tributary/protocol';
import { BrokerConfig } from './broker-config';
import {
  CLEANUP_POLICIES,
  COMPRESSION_TYPES,
  CompressionTypeName,
  ConfigDef,
  ConfigValue,
  TIMESTAMP_TYPES,
  TimestampTypeName,
  formatConfigValue,
  indexConfigDefs,
  parseConfigValue,
} from './config-def';
import type { MetadataImage } from './metadata-image';

/** Confluent's subject name strategies, by short name or by their Java class name. */
const STRATEGY_PACKAGE = 'io.confluent.kafka.serializers.subject.';
export const SUBJECT_NAME_STRATEGIES = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'] as const;
export type SubjectNameStrategyName = (typeof SUBJECT_NAME_STRATEGIES)[number];
const SUBJECT_NAME_STRATEGY_VALUES = SUBJECT_NAME_STRATEGIES.flatMap((name) => [name, `${STRATEGY_PACKAGE}${name}`]);

/** Topic configs that only a topic sets: no broker setting stands behind them. */
const topicOnly = (value: ConfigValue) => ({ brokerSynonyms: [], fromBroker: () => value });

export interface TopicConfigDef extends ConfigDef {
  /** Broker settings this topic config falls back to, highest priority first. */
  readonly brokerSynonyms: readonly string[];
  /** The broker's effective value for this config. */
  readonly fromBroker: (broker: BrokerConfig) => ConfigValue;
}

export const TOPIC_CONFIG_DEFS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', type: 'LIST', defaultValue: 'delete', validValues: CLEANUP_POLICIES, allowEmpty: true,
    brokerSynonyms: ['log.cleanup.policy'], fromBroker: (b) => b.logCleanupPolicy,
    documentation: 'A string that is either "delete" or "compact" or both. "delete" discards old segments when their retention time or size limit has been reached; "compact" keeps the latest value for each key.' },
  { name: 'compression.type', type: 'STRING', defaultValue: 'producer', validValues: COMPRESSION_TYPES,
    brokerSynonyms: ['compression.type'], fromBroker: (b) => b.compressionType,
    documentation: "The final compression type for the topic: 'gzip', 'snappy', 'lz4', 'zstd', 'uncompressed' (or 'none'), or 'producer' to retain the codec set by the producer." },
  { name: 'delete.retention.ms', type: 'LONG', defaultValue: '86400000', min: 0,
    brokerSynonyms: ['log.cleaner.delete.retention.ms'], fromBroker: (b) => b.logCleanerDeleteRetentionMs,
    documentation: 'The amount of time to retain tombstone markers for log compacted topics.' },
  { name: 'file.delete.delay.ms', type: 'LONG', defaultValue: '60000', min: 0,
    brokerSynonyms: ['log.segment.delete.delay.ms'], fromBroker: (b) => b.logSegmentDeleteDelayMs,
    documentation: 'The time to wait before deleting a file from the filesystem.' },
  { name: 'flush.messages', type: 'LONG', defaultValue: '9223372036854775807', min: 1,
    brokerSynonyms: ['log.flush.interval.messages'], fromBroker: (b) => b.logFlushIntervalMessages,
    documentation: 'Force an fsync of data written to the log every this many messages (1 = every batch).' },
  { name: 'flush.ms', type: 'LONG', defaultValue: '9223372036854775807', min: 0,
    brokerSynonyms: ['log.flush.interval.ms'], fromBroker: (b) => b.logFlushIntervalMs,
    documentation: 'Force an fsync of data written to the log at this time interval.' },
  { name: 'index.interval.bytes', type: 'INT', defaultValue: '4096', min: 0,
    brokerSynonyms: ['log.index.interval.bytes'], fromBroker: (b) => b.logIndexIntervalBytes,
    documentation: 'How frequently an entry is added to the offset index.' },
  { name: 'key.schema.validation', type: 'BOOLEAN', defaultValue: 'false', ...topicOnly(false),
    documentation: "When true, the broker refuses a batch in which a record's key does not carry, in Confluent's wire format, the id of a schema registered under the topic's key subject (Confluent Server's confluent.key.schema.validation; needs the broker's schema.registry.url)." },
  { name: 'key.subject.name.strategy', type: 'STRING', defaultValue: 'TopicNameStrategy', validValues: SUBJECT_NAME_STRATEGY_VALUES, ...topicOnly('TopicNameStrategy'),
    documentation: 'The subject a key schema id must be registered under when key.schema.validation is on: TopicNameStrategy (<topic>-key), RecordNameStrategy (the record name) or TopicRecordNameStrategy (<topic>-<record name>).' },
  { name: 'max.compaction.lag.ms', type: 'LONG', defaultValue: '9223372036854775807', min: 1,
    brokerSynonyms: ['log.cleaner.max.compaction.lag.ms'], fromBroker: (b) => b.logCleanerMaxCompactionLagMs,
    documentation: 'The maximum time a message will remain ineligible for compaction in the log.' },
  { name: 'max.message.bytes', type: 'INT', defaultValue: '1048588', min: 0,
    brokerSynonyms: ['message.max.bytes'], fromBroker: (b) => b.messageMaxBytes,
    documentation: 'The largest record batch size allowed (after compression if compression is enabled).' },
  { name: 'message.timestamp.type', type: 'STRING', defaultValue: 'CreateTime', validValues: TIMESTAMP_TYPES,
    brokerSynonyms: ['log.message.timestamp.type'], fromBroker: (b) => b.logMessageTimestampType,
    documentation: 'Whether the timestamp in the message is the message create time or the log append time.' },
  { name: 'message.timestamp.before.max.ms', type: 'LONG', defaultValue: '9223372036854775807', min: 0,
    brokerSynonyms: ['log.message.timestamp.before.max.ms'], fromBroker: (b) => b.logMessageTimestampBeforeMaxMs,
    documentation: 'The maximum allowed difference between the broker timestamp and an earlier message timestamp (CreateTime only).' },
  { name: 'message.timestamp.after.max.ms', type: 'LONG', defaultValue: '3600000', min: 0,
    brokerSynonyms: ['log.message.timestamp.after.max.ms'], fromBroker: (b) => b.logMessageTimestampAfterMaxMs,
    documentation: 'The maximum allowed difference between a later message timestamp and the broker timestamp (CreateTime only; Kafka 4 default: one hour).' },
  { name: 'min.cleanable.dirty.ratio', type: 'DOUBLE', defaultValue: '0.5', min: 0, max: 1,
    brokerSynonyms: ['log.cleaner.min.cleanable.ratio'], fromBroker: (b) => b.logCleanerMinCleanableRatio,
    documentation: 'The minimum ratio of dirty log to total log for a log to be eligible for cleaning.' },
  { name: 'min.compaction.lag.ms', type: 'LONG', defaultValue: '0', min: 0,
    brokerSynonyms: ['log.cleaner.min.compaction.lag.ms'], fromBroker: (b) => b.logCleanerMinCompactionLagMs,
    documentation: 'The minimum time a message will remain uncompacted in the log.' },
  { name: 'min.insync.replicas', type: 'INT', defaultValue: '1', min: 1,
    brokerSynonyms: ['min.insync.replicas'], fromBroker: (b) => b.minInsyncReplicas,
    documentation: 'With acks=all, the minimum number of in-sync replicas that must acknowledge a write; otherwise the producer gets NOT_ENOUGH_REPLICAS.' },
  { name: 'retention.bytes', type: 'LONG', defaultValue: '-1',
    brokerSynonyms: ['log.retention.bytes'], fromBroker: (b) => b.logRetentionBytes,
    documentation: 'The maximum size a partition can grow to before old segments are discarded under the "delete" policy. -1 means no size limit.' },
  { name: 'retention.ms', type: 'LONG', defaultValue: '604800000', min: -1,
    brokerSynonyms: ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'], fromBroker: (b) => b.logRetentionMs,
    documentation: 'The maximum time a log segment is retained before it is discarded under the "delete" policy. -1 means no time limit.' },
  { name: 'segment.bytes', type: 'INT', defaultValue: '1073741824', min: 14,
    brokerSynonyms: ['log.segment.bytes'], fromBroker: (b) => b.logSegmentBytes,
    documentation: 'The segment file size for the log; retention and cleaning work a file at a time.' },
  { name: 'segment.index.bytes', type: 'INT', defaultValue: '10485760', min: 4,
    brokerSynonyms: ['log.index.size.max.bytes'], fromBroker: (b) => b.logIndexSizeMaxBytes,
    documentation: 'The size of the index that maps offsets to file positions.' },
  { name: 'segment.ms', type: 'LONG', defaultValue: '604800000', min: 1,
    brokerSynonyms: ['log.roll.ms', 'log.roll.hours'], fromBroker: (b) => b.logRollMs,
    documentation: 'The period after which the log rolls to a new segment even if the segment is not full.' },
  { name: 'unclean.leader.election.enable', type: 'BOOLEAN', defaultValue: 'false',
    brokerSynonyms: ['unclean.leader.election.enable'], fromBroker: (b) => b.uncleanLeaderElectionEnable,
    documentation: 'Whether replicas not in the ISR may be elected leader as a last resort, at the risk of data loss.' },
  { name: 'value.schema.validation', type: 'BOOLEAN', defaultValue: 'false', ...topicOnly(false),
    documentation: "When true, the broker refuses a batch in which a record's value does not carry, in Confluent's wire format, the id of a schema registered under the topic's value subject (Confluent Server's confluent.value.schema.validation; needs the broker's schema.registry.url)." },
  { name: 'value.subject.name.strategy', type: 'STRING', defaultValue: 'TopicNameStrategy', validValues: SUBJECT_NAME_STRATEGY_VALUES, ...topicOnly('TopicNameStrategy'),
    documentation: 'The subject a value schema id must be registered under when value.schema.validation is on: TopicNameStrategy (<topic>-value), RecordNameStrategy or TopicRecordNameStrategy.' },
];

export const TOPIC_CONFIG_DEFS_BY_NAME = indexConfigDefs(TOPIC_CONFIG_DEFS);

export function topicConfigDef(name: string): TopicConfigDef {
  const def = TOPIC_CONFIG_DEFS_BY_NAME.get(name);
  if (def === undefined) {
    throw new TributaryError('INVALID_CONFIG', `Unknown topic config name: ${name}. Known names: ${[...TOPIC_CONFIG_DEFS_BY_NAME.keys()].join(', ')}`);
  }
  return def;
}

/**
 * Checks every entry (known name, well-typed, in range) and returns the entries normalized
 * (trimmed), as they are stored in ConfigRecords. Throws INVALID_CONFIG on the first bad one.
 */
export function validateTopicConfigs(entries: Readonly<Record<string, string>>): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [name, raw] of Object.entries(entries)) {
    parseConfigValue(topicConfigDef(name), raw);
    normalized[name] = raw.trim();
  }
  return normalized;
}

export type ConfigSourceName = 'DYNAMIC_TOPIC_CONFIG' | 'STATIC_BROKER_CONFIG' | 'DEFAULT_CONFIG';

export interface TopicConfigEntry {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSourceName;
  readonly isDefault: boolean;
  readonly readOnly: boolean;
  readonly sensitive: boolean;
  readonly type: string;
  readonly documentation: string;
}

function requireTopic(image: MetadataImage, topic: string): void {
  if (image.topic(topic) === undefined) {
    throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${topic} does not exist; create it first or check the name`);
  }
}

/** Every topic config of `topic` with its value and where the value comes from (Kafka's DescribeConfigs). */
export function describeTopicConfigs(image: MetadataImage, topic: string, broker: BrokerConfig): TopicConfigEntry[] {
  requireTopic(image, topic);
  const own = image.topicConfigs(topic);
  return TOPIC_CONFIG_DEFS.map((def) => {
    const dynamic = own.get(def.name);
    const fromBroker = def.brokerSynonyms.some((s) => broker.explicit.has(s));
    const source: ConfigSourceName =
      dynamic !== undefined ? 'DYNAMIC_TOPIC_CONFIG' : fromBroker ? 'STATIC_BROKER_CONFIG' : 'DEFAULT_CONFIG';
    return {
      name: def.name,
      value: dynamic ?? formatConfigValue(def.fromBroker(broker)),
      source,
      isDefault: source === 'DEFAULT_CONFIG',
      readOnly: def.readOnly ?? false,
      sensitive: def.sensitive ?? false,
      type: def.type,
      documentation: def.documentation,
    };
  });
}

/** The typed configuration a partition log of `topic` runs with (names match libs/storage's LogConfig). */
export interface EffectiveTopicConfig {
  readonly cleanupPolicy: { readonly delete: boolean; readonly compact: boolean };
  /** `none` is normalized to `uncompressed`. */
  readonly compressionType: Exclude<CompressionTypeName, 'none'>;
  readonly deleteRetentionMs: number;
  readonly fileDeleteDelayMs: number;
  readonly flushMessages: number;
  readonly flushMs: number;
  readonly indexIntervalBytes: number;
  readonly maxCompactionLagMs: number;
  readonly maxMessageBytes: number;
  readonly messageTimestampType: TimestampTypeName;
  readonly messageTimestampBeforeMaxMs: number;
  readonly messageTimestampAfterMaxMs: number;
  readonly minCleanableDirtyRatio: number;
  readonly minCompactionLagMs: number;
  readonly minInsyncReplicas: number;
  readonly retentionBytes: number;
  readonly retentionMs: number;
  readonly segmentBytes: number;
  readonly segmentIndexBytes: number;
  readonly segmentMs: number;
  readonly uncleanLeaderElectionEnable: boolean;
  /** Broker-side schema validation of keys and values; undefined when off. */
  readonly keySchemaValidation: SubjectNameStrategyName | undefined;
  readonly valueSchemaValidation: SubjectNameStrategyName | undefined;
}

/** The effective typed config of an existing topic: its own entries over the broker's. */
export function effectiveTopicConfig(image: MetadataImage, topic: string, broker: BrokerConfig): EffectiveTopicConfig {
  requireTopic(image, topic);
  return resolveTopicConfig(Object.fromEntries(image.topicConfigs(topic)), broker);
}

/** The typed config that `entries` (a topic's own settings) give over the broker's. */
export function resolveTopicConfig(entries: Readonly<Record<string, string>>, broker: BrokerConfig): EffectiveTopicConfig {
  const get = (name: string): ConfigValue => {
    const def = topicConfigDef(name);
    const own = entries[name];
    return own !== undefined ? parseConfigValue(def, own) : def.fromBroker(broker);
  };
  const num = (name: string): number => get(name) as number;
  const policy = get('cleanup.policy') as readonly string[];
  const compression = get('compression.type') as CompressionTypeName;
  return {
    cleanupPolicy: { delete: policy.includes('delete'), compact: policy.includes('compact') },
    compressionType: compression === 'none' ? 'uncompressed' : compression,
    deleteRetentionMs: num('delete.retention.ms'),
    fileDeleteDelayMs: num('file.delete.delay.ms'),
    flushMessages: num('flush.messages'),
    flushMs: num('flush.ms'),
    indexIntervalBytes: num('index.interval.bytes'),
    maxCompactionLagMs: num('max.compaction.lag.ms'),
    maxMessageBytes: num('max.message.bytes'),
    messageTimestampType: get('message.timestamp.type') as TimestampTypeName,
    messageTimestampBeforeMaxMs: num('message.timestamp.before.max.ms'),
    messageTimestampAfterMaxMs: num('message.timestamp.after.max.ms'),
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
    minInsyncReplicas: num('min.insync.replicas'),
    retentionBytes: num('retention.bytes'),
    retentionMs: num('retention.ms'),
    segmentBytes: num('segment.bytes'),
    segmentIndexBytes: num('segment.index.bytes'),
    segmentMs: num('segment.ms'),
    uncleanLeaderElectionEnable: get('unclean.leader.election.enable') as boolean,
    keySchemaValidation: get('key.schema.validation') ? strategy(get('key.subject.name.strategy')) : undefined,
    valueSchemaValidation: get('value.schema.validation') ? strategy(get('value.subject.name.strategy')) : undefined,
  };
}

function strategy(value: ConfigValue): SubjectNameStrategyName {
  return (value as string).replace(STRATEGY_PACKAGE, '') as SubjectNameStrategyName;
}
