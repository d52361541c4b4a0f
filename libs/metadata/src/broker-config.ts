/**
 * The broker's static configuration (Kafka's server.properties names, types and defaults),
 * parsed once at start-up into a typed BrokerConfig. Topic configs fall back to the `log.`-prefixed
 * or mapped broker settings here (see topic-config.ts).
 */
import { TributaryError } from '@tributary/protocol';
import {
  CLEANUP_POLICIES,
  COMPRESSION_TYPES,
  ConfigDef,
  ConfigValue,
  LONG_MAX_STRING,
  TIMESTAMP_TYPES,
  indexConfigDefs,
  parseConfigValue,
} from './config-def';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

export const PROCESS_ROLES = ['broker', 'controller'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const BROKER_CONFIG_DEFS: readonly ConfigDef[] = [
  { name: 'node.id', type: 'INT', defaultValue: '1', min: 0, readOnly: true,
    documentation: 'The node id of this server. Kafka requires it in KRaft mode; Tributary defaults to 1 so a single node starts with no settings.' },
  { name: 'broker.id', type: 'INT', defaultValue: null, min: 0, readOnly: true,
    documentation: 'Synonym of node.id kept for older configurations; when both are set they must agree.' },
  { name: 'process.roles', type: 'LIST', defaultValue: null, validValues: PROCESS_ROLES, allowEmpty: false, readOnly: true,
    documentation: 'The roles of this process: broker, controller, or broker,controller (combined mode). Unset: broker when controller.quorum.voters is set, otherwise broker,controller with this node as the only voter.' },
  { name: 'controller.quorum.voters', type: 'LIST', defaultValue: null, allowEmpty: false, readOnly: true,
    documentation: 'The controller quorum as id@host:port entries, e.g. 1@127.0.0.1:9093,2@127.0.0.1:9094. Unset: this process is the only controller.' },
  { name: 'broker.rack', type: 'STRING', defaultValue: null, readOnly: true,
    documentation: 'Rack of the broker, used for rack-aware replica placement.' },
  { name: 'num.partitions', type: 'INT', defaultValue: '1', min: 1,
    documentation: 'The default number of log partitions per topic.' },
  { name: 'default.replication.factor', type: 'INT', defaultValue: '1', min: 1,
    documentation: 'The default replication factor for automatically created topics and topics created with replication factor 0.' },
  { name: 'auto.create.topics.enable', type: 'BOOLEAN', defaultValue: 'true',
    documentation: 'Enable auto creation of topics on the server when a producer or metadata request names an unknown topic.' },
  { name: 'delete.topic.enable', type: 'BOOLEAN', defaultValue: 'true',
    documentation: 'Enables topic deletion; deleting a topic has no effect when this is off.' },
  { name: 'log.dir', type: 'STRING', defaultValue: './data', readOnly: true,
    documentation: 'The directory in which the log data is kept (supplemental for log.dirs).' },
  { name: 'log.dirs', type: 'LIST', defaultValue: null, allowEmpty: false, readOnly: true,
    documentation: 'A comma-separated list of the directories where the log data is stored. If not set, log.dir is used.' },
  { name: 'message.max.bytes', type: 'INT', defaultValue: '1048588', min: 0,
    documentation: 'The largest record batch size allowed after compression (if compression is enabled). Topic-level max.message.bytes overrides it.' },
  { name: 'log.retention.ms', type: 'LONG', defaultValue: null, min: -1,
    documentation: 'The number of milliseconds to keep a log file before deleting it. If not set, log.retention.minutes is used. -1 means no time limit.' },
  { name: 'log.retention.minutes', type: 'INT', defaultValue: null,
    documentation: 'The number of minutes to keep a log file before deleting it. If not set, log.retention.hours is used.' },
  { name: 'log.retention.hours', type: 'INT', defaultValue: '168',
    documentation: 'The number of hours to keep a log file before deleting it; tertiary to log.retention.ms.' },
  { name: 'log.retention.bytes', type: 'LONG', defaultValue: '-1',
    documentation: 'The maximum size of a partition log before old segments are deleted. -1 means no size limit.' },
  { name: 'log.segment.bytes', type: 'INT', defaultValue: '1073741824', min: 14,
    documentation: 'The maximum size of a single log segment file.' },
  { name: 'log.roll.ms', type: 'LONG', defaultValue: null, min: 1,
    documentation: 'The maximum time before a new log segment is rolled out. If not set, log.roll.hours is used.' },
  { name: 'log.roll.hours', type: 'INT', defaultValue: '168', min: 1,
    documentation: 'The maximum time in hours before a new log segment is rolled out; secondary to log.roll.ms.' },
  { name: 'log.index.size.max.bytes', type: 'INT', defaultValue: '10485760', min: 4,
    documentation: 'The maximum size in bytes of an offset index.' },
  { name: 'log.index.interval.bytes', type: 'INT', defaultValue: '4096', min: 0,
    documentation: 'The interval with which an entry is added to the offset index.' },
  { name: 'log.flush.interval.messages', type: 'LONG', defaultValue: LONG_MAX_STRING, min: 1,
    documentation: 'The number of messages accumulated on a log partition before they are flushed to disk.' },
  { name: 'log.flush.interval.ms', type: 'LONG', defaultValue: null, min: 0,
    documentation: 'The maximum time in ms a message stays in memory before it is flushed to disk. If not set, never by time.' },
  { name: 'log.cleanup.policy', type: 'LIST', defaultValue: 'delete', validValues: CLEANUP_POLICIES, allowEmpty: true,
    documentation: 'The default cleanup policy for segments beyond the retention window: delete, compact, or both.' },
  { name: 'log.cleaner.enable', type: 'BOOLEAN', defaultValue: 'true',
    documentation: 'Enable the log cleaner process (needed for compacted topics).' },
  { name: 'log.cleaner.backoff.ms', type: 'LONG', defaultValue: '15000', min: 0,
    documentation: 'The amount of time to sleep when there are no logs to clean.' },
  { name: 'log.cleaner.delete.retention.ms', type: 'LONG', defaultValue: '86400000', min: 0,
    documentation: 'The amount of time to retain tombstone markers for log compacted topics.' },
  { name: 'log.cleaner.min.compaction.lag.ms', type: 'LONG', defaultValue: '0', min: 0,
    documentation: 'The minimum time a message will remain uncompacted in the log.' },
  { name: 'log.cleaner.max.compaction.lag.ms', type: 'LONG', defaultValue: LONG_MAX_STRING, min: 1,
    documentation: 'The maximum time a message will remain ineligible for compaction in the log.' },
  { name: 'log.cleaner.min.cleanable.ratio', type: 'DOUBLE', defaultValue: '0.5', min: 0, max: 1,
    documentation: 'The minimum ratio of dirty log to total log for a log to be eligible for cleaning.' },
  { name: 'log.segment.delete.delay.ms', type: 'LONG', defaultValue: '60000', min: 0,
    documentation: 'The amount of time to wait before deleting a file from the filesystem.' },
  { name: 'log.retention.check.interval.ms', type: 'LONG', defaultValue: '300000', min: 1,
    documentation: 'The frequency in milliseconds that the log cleaner checks whether any log is eligible for deletion.' },
  { name: 'log.message.timestamp.type', type: 'STRING', defaultValue: 'CreateTime', validValues: TIMESTAMP_TYPES,
    documentation: 'Whether the timestamp in the message is the create time or the log append time.' },
  { name: 'log.message.timestamp.before.max.ms', type: 'LONG', defaultValue: LONG_MAX_STRING, min: 0,
    documentation: 'The maximum allowed difference between the broker timestamp and a message timestamp earlier than it.' },
  { name: 'log.message.timestamp.after.max.ms', type: 'LONG', defaultValue: '3600000', min: 0,
    documentation: 'The maximum allowed difference between a message timestamp later than the broker timestamp and the broker timestamp (Kafka 4 default: one hour).' },
  { name: 'compression.type', type: 'STRING', defaultValue: 'producer', validValues: COMPRESSION_TYPES,
    documentation: "The final compression type for a topic: a codec, 'uncompressed', or 'producer' to keep the producer's codec." },
  { name: 'min.insync.replicas', type: 'INT', defaultValue: '1', min: 1,
    documentation: 'With acks=all, the minimum number of replicas that must acknowledge a write for it to be considered successful.' },
  { name: 'unclean.leader.election.enable', type: 'BOOLEAN', defaultValue: 'false',
    documentation: 'Whether replicas not in the ISR may be elected leader as a last resort, at the risk of data loss.' },
  { name: 'auto.leader.rebalance.enable', type: 'BOOLEAN', defaultValue: 'true', readOnly: true,
    documentation: 'Enables auto leader balancing. A background thread checks the distribution of partition leaders at regular intervals, configurable by leader.imbalance.check.interval.seconds. If the leader imbalance exceeds leader.imbalance.per.broker.percentage, leader rebalance to the preferred leader for partitions is triggered.' },
  { name: 'leader.imbalance.check.interval.seconds', type: 'LONG', defaultValue: '300', min: 1, readOnly: true,
    documentation: 'The frequency with which the partition rebalance check is triggered by the controller.' },
  { name: 'leader.imbalance.per.broker.percentage', type: 'INT', defaultValue: '10', min: 0, readOnly: true,
    documentation: 'The ratio of leader imbalance allowed per broker. The controller would trigger a leader balance if it goes above this value per broker. The value is specified in percentage.' },
  { name: 'replica.lag.time.max.ms', type: 'LONG', defaultValue: '30000', min: 1, readOnly: true,
    documentation: 'A follower that has not caught up with the leader for this long is removed from the ISR.' },
  { name: 'replica.fetch.wait.max.ms', type: 'INT', defaultValue: '500', min: 0, readOnly: true,
    documentation: 'The longest a follower fetch waits at the leader for new data.' },
  { name: 'replica.fetch.max.bytes', type: 'INT', defaultValue: '1048576', min: 1, readOnly: true,
    documentation: 'The bytes a follower asks for per partition in one fetch (at least one batch is always returned).' },
  { name: 'replica.fetch.backoff.ms', type: 'INT', defaultValue: '1000', min: 0, readOnly: true,
    documentation: 'The pause of a follower after a fetch error before trying again.' },
  { name: 'replica.fetch.leader.addresses', type: 'LIST', defaultValue: '', allowEmpty: true, readOnly: true,
    documentation: "Where this broker's replica fetchers dial a leader instead of the endpoint that leader registered, as id@host:port entries (e.g. 2@127.0.0.1:19092): for a proxy between brokers, as libs/testing's ProcessCluster puts a fault proxy on every broker-to-broker link. Empty: every leader at its registered endpoint." },
  { name: 'replica.high.watermark.checkpoint.interval.ms', type: 'LONG', defaultValue: '5000', min: 1, readOnly: true,
    documentation: 'How often the high watermarks are saved to replication-offset-checkpoint.' },
  { name: 'request.timeout.ms', type: 'INT', defaultValue: '30000', min: 1, readOnly: true,
    documentation: 'How long an acks=all produce waits for the in-sync replicas before REQUEST_TIMED_OUT.' },
  { name: 'offsets.topic.num.partitions', type: 'INT', defaultValue: '50', min: 1, readOnly: true,
    documentation: 'The number of partitions for the offset commit topic (should not change after deployment).' },
  { name: 'offsets.topic.replication.factor', type: 'INT', defaultValue: '3', min: 1,
    documentation: 'The replication factor of the offsets topic, created on the first use of a group; fewer when fewer brokers are alive then.' },
  { name: 'offsets.topic.segment.bytes', type: 'INT', defaultValue: '104857600', min: 1,
    documentation: 'The segment size of the offsets topic, kept small for faster compaction and loading.' },
  { name: 'offsets.retention.minutes', type: 'INT', defaultValue: '10080', min: 1,
    documentation: 'How long the committed offsets of a group are kept after the group becomes empty.' },
  { name: 'offsets.retention.check.interval.ms', type: 'LONG', defaultValue: '600000', min: 1,
    documentation: 'How often committed offsets are checked for expiry.' },
  { name: 'offset.metadata.max.bytes', type: 'INT', defaultValue: '4096', min: 0,
    documentation: 'The largest metadata string an offset commit may carry.' },
  { name: 'group.consumer.session.timeout.ms', type: 'INT', defaultValue: '45000', min: 1,
    documentation: 'How long a consumer group member may go without a heartbeat before it is removed from its group.' },
  { name: 'group.consumer.heartbeat.interval.ms', type: 'INT', defaultValue: '5000', min: 1,
    documentation: 'How often the coordinator asks consumer group members to heartbeat.' },
  { name: 'group.consumer.max.size', type: 'INT', defaultValue: '2147483647', min: 1,
    documentation: 'The largest number of members a consumer group may have.' },
  { name: 'broker.heartbeat.interval.ms', type: 'INT', defaultValue: '2000', min: 1,
    documentation: 'The length of time in milliseconds between broker heartbeats.' },
  { name: 'broker.session.timeout.ms', type: 'INT', defaultValue: '9000', min: 1,
    documentation: 'The length of time in milliseconds that a broker lease lasts if no heartbeats are made.' },
  { name: 'schema.registry.url', type: 'STRING', defaultValue: null, readOnly: true,
    documentation: "The schema registry (Confluent's REST API) that key.schema.validation and value.schema.validation check schema ids against, e.g. http://localhost:8081 (Confluent Server's confluent.schema.registry.url)." },
];

export const BROKER_CONFIG_DEFS_BY_NAME = indexConfigDefs(BROKER_CONFIG_DEFS);

export interface BrokerConfig {
  readonly nodeId: number;
  /** As given; null when unset (the broker then derives the roles from controllerQuorumVoters). */
  readonly processRoles: readonly ProcessRole[] | null;
  /** The `id@host:port` entries as given; null when unset. */
  readonly controllerQuorumVoters: readonly string[] | null;
  readonly rack: string | null;
  readonly numPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly autoCreateTopicsEnable: boolean;
  readonly deleteTopicEnable: boolean;
  readonly logDirs: readonly string[];
  readonly messageMaxBytes: number;
  /** Resolved from log.retention.ms, .minutes, .hours in that order; -1 = unlimited. */
  readonly logRetentionMs: number;
  readonly logRetentionBytes: number;
  readonly logSegmentBytes: number;
  /** Resolved from log.roll.ms, then log.roll.hours. */
  readonly logRollMs: number;
  readonly logIndexSizeMaxBytes: number;
  readonly logIndexIntervalBytes: number;
  readonly logFlushIntervalMessages: number;
  /** Number.MAX_SAFE_INTEGER (never by time) when unset. */
  readonly logFlushIntervalMs: number;
  readonly logCleanupPolicy: readonly string[];
  readonly logCleanerEnable: boolean;
  readonly logCleanerBackoffMs: number;
  readonly logCleanerDeleteRetentionMs: number;
  readonly logCleanerMinCompactionLagMs: number;
  readonly logCleanerMaxCompactionLagMs: number;
  readonly logCleanerMinCleanableRatio: number;
  readonly logSegmentDeleteDelayMs: number;
  readonly logRetentionCheckIntervalMs: number;
  readonly logMessageTimestampType: string;
  readonly logMessageTimestampBeforeMaxMs: number;
  readonly logMessageTimestampAfterMaxMs: number;
  readonly compressionType: string;
  readonly minInsyncReplicas: number;
  readonly uncleanLeaderElectionEnable: boolean;
  readonly autoLeaderRebalanceEnable: boolean;
  /** leader.imbalance.check.interval.seconds, in ms. */
  readonly leaderImbalanceCheckIntervalMs: number;
  readonly leaderImbalancePerBrokerPercentage: number;
  readonly offsetsTopicNumPartitions: number;
  readonly replicaLagTimeMaxMs: number;
  readonly replicaFetchWaitMaxMs: number;
  readonly replicaFetchMaxBytes: number;
  readonly replicaFetchBackoffMs: number;
  /** replica.fetch.leader.addresses: leader node id → "host:port" to dial for its replica fetches. */
  readonly replicaFetchLeaderAddresses: ReadonlyMap<number, string>;
  readonly replicaHighWatermarkCheckpointIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly brokerHeartbeatIntervalMs: number;
  readonly brokerSessionTimeoutMs: number;
  readonly schemaRegistryUrl: string | null;
  readonly offsetsTopicReplicationFactor: number;
  readonly offsetsTopicSegmentBytes: number;
  readonly offsetsRetentionMs: number;
  readonly offsetsRetentionCheckIntervalMs: number;
  readonly offsetMetadataMaxBytes: number;
  readonly groupConsumerSessionTimeoutMs: number;
  readonly groupConsumerHeartbeatIntervalMs: number;
  readonly groupConsumerMaxSize: number;
  /** The entries given explicitly (trimmed strings), for "STATIC_BROKER_CONFIG" sources. */
  readonly explicit: ReadonlyMap<string, string>;
}

/**
 * Parses server.properties-style entries into a BrokerConfig with Kafka's defaults.
 * Unknown names and ill-typed values are INVALID_CONFIG errors naming the key.
 */
export function parseBrokerConfig(entries: Readonly<Record<string, string>> = {}): BrokerConfig {
  const values = new Map<string, ConfigValue>();
  const explicit = new Map<string, string>();
  for (const [name, raw] of Object.entries(entries)) {
    const def = BROKER_CONFIG_DEFS_BY_NAME.get(name);
    if (def === undefined) {
      throw new TributaryError('INVALID_CONFIG', `Unknown broker config name: ${name}. Known names: ${[...BROKER_CONFIG_DEFS_BY_NAME.keys()].join(', ')}`);
    }
    values.set(name, parseConfigValue(def, raw));
    explicit.set(name, raw.trim());
  }
  for (const def of BROKER_CONFIG_DEFS) {
    if (!values.has(def.name)) values.set(def.name, parseConfigValue(def, def.defaultValue));
  }
  const num = (name: string): number => values.get(name) as number;
  const opt = (name: string): number | null => values.get(name) as number | null;
  const bool = (name: string): boolean => values.get(name) as boolean;
  const str = (name: string): string => values.get(name) as string;

  const brokerId = opt('broker.id');
  if (brokerId !== null && explicit.has('node.id') && brokerId !== num('node.id')) {
    throw new TributaryError('INVALID_CONFIG', `broker.id=${brokerId} and node.id=${num('node.id')} disagree; set only node.id`);
  }
  const retentionMinutes = opt('log.retention.minutes');
  const retentionMs = opt('log.retention.ms');
  const rollMs = opt('log.roll.ms');

  return {
    nodeId: brokerId ?? num('node.id'),
    processRoles: values.get('process.roles') as readonly ProcessRole[] | null,
    controllerQuorumVoters: values.get('controller.quorum.voters') as readonly string[] | null,
    rack: values.get('broker.rack') as string | null,
    numPartitions: num('num.partitions'),
    defaultReplicationFactor: num('default.replication.factor'),
    autoCreateTopicsEnable: bool('auto.create.topics.enable'),
    deleteTopicEnable: bool('delete.topic.enable'),
    logDirs: (values.get('log.dirs') as readonly string[] | null) ?? [str('log.dir')],
    messageMaxBytes: num('message.max.bytes'),
    logRetentionMs:
      retentionMs ?? (retentionMinutes !== null ? retentionMinutes * MS_PER_MINUTE : num('log.retention.hours') * MS_PER_HOUR),
    logRetentionBytes: num('log.retention.bytes'),
    logSegmentBytes: num('log.segment.bytes'),
    logRollMs: rollMs ?? num('log.roll.hours') * MS_PER_HOUR,
    logIndexSizeMaxBytes: num('log.index.size.max.bytes'),
    logIndexIntervalBytes: num('log.index.interval.bytes'),
    logFlushIntervalMessages: num('log.flush.interval.messages'),
    logFlushIntervalMs: opt('log.flush.interval.ms') ?? Number.MAX_SAFE_INTEGER,
    logCleanupPolicy: values.get('log.cleanup.policy') as readonly string[],
    logCleanerEnable: bool('log.cleaner.enable'),
    logCleanerBackoffMs: num('log.cleaner.backoff.ms'),
    logCleanerDeleteRetentionMs: num('log.cleaner.delete.retention.ms'),
    logCleanerMinCompactionLagMs: num('log.cleaner.min.compaction.lag.ms'),
    logCleanerMaxCompactionLagMs: num('log.cleaner.max.compaction.lag.ms'),
    logCleanerMinCleanableRatio: num('log.cleaner.min.cleanable.ratio'),
    logSegmentDeleteDelayMs: num('log.segment.delete.delay.ms'),
    logRetentionCheckIntervalMs: num('log.retention.check.interval.ms'),
    logMessageTimestampType: str('log.message.timestamp.type'),
    logMessageTimestampBeforeMaxMs: num('log.message.timestamp.before.max.ms'),
    logMessageTimestampAfterMaxMs: num('log.message.timestamp.after.max.ms'),
    compressionType: str('compression.type'),
    minInsyncReplicas: num('min.insync.replicas'),
    uncleanLeaderElectionEnable: bool('unclean.leader.election.enable'),
    autoLeaderRebalanceEnable: bool('auto.leader.rebalance.enable'),
    leaderImbalanceCheckIntervalMs: num('leader.imbalance.check.interval.seconds') * MS_PER_SECOND,
    leaderImbalancePerBrokerPercentage: num('leader.imbalance.per.broker.percentage'),
    offsetsTopicNumPartitions: num('offsets.topic.num.partitions'),
    replicaLagTimeMaxMs: num('replica.lag.time.max.ms'),
    replicaFetchWaitMaxMs: num('replica.fetch.wait.max.ms'),
    replicaFetchMaxBytes: num('replica.fetch.max.bytes'),
    replicaFetchBackoffMs: num('replica.fetch.backoff.ms'),
    replicaFetchLeaderAddresses: parseLeaderAddresses(values.get('replica.fetch.leader.addresses') as readonly string[]),
    replicaHighWatermarkCheckpointIntervalMs: num('replica.high.watermark.checkpoint.interval.ms'),
    requestTimeoutMs: num('request.timeout.ms'),
    brokerHeartbeatIntervalMs: num('broker.heartbeat.interval.ms'),
    brokerSessionTimeoutMs: num('broker.session.timeout.ms'),
    schemaRegistryUrl: values.get('schema.registry.url') as string | null,
    offsetsTopicReplicationFactor: num('offsets.topic.replication.factor'),
    offsetsTopicSegmentBytes: num('offsets.topic.segment.bytes'),
    offsetsRetentionMs: num('offsets.retention.minutes') * MS_PER_MINUTE,
    offsetsRetentionCheckIntervalMs: num('offsets.retention.check.interval.ms'),
    offsetMetadataMaxBytes: num('offset.metadata.max.bytes'),
    groupConsumerSessionTimeoutMs: num('group.consumer.session.timeout.ms'),
    groupConsumerHeartbeatIntervalMs: num('group.consumer.heartbeat.interval.ms'),
    groupConsumerMaxSize: num('group.consumer.max.size'),
    explicit,
  };
}

function parseLeaderAddresses(entries: readonly string[]): Map<number, string> {
  const addresses = new Map<number, string>();
  for (const entry of entries) {
    const match = /^(\d+)@(.+):(\d+)$/.exec(entry);
    if (!match || Number(match[3]) > 65535) {
      throw new TributaryError('INVALID_CONFIG', `replica.fetch.leader.addresses entry "${entry}" is not id@host:port (the leader's node id, then where to dial it)`);
    }
    const id = Number(match[1]);
    if (addresses.has(id)) throw new TributaryError('INVALID_CONFIG', `replica.fetch.leader.addresses names node ${id} twice`);
    addresses.set(id, `${match[2]}:${match[3]}`);
  }
  return addresses;
}

/** Kafka's defaults for everything. */
export const DEFAULT_BROKER_CONFIG: BrokerConfig = parseBrokerConfig({});
