import { parseBrokerConfig, DEFAULT_BROKER_CONFIG } from './broker-config';
import { MetadataImage } from './metadata-image';
import { expectTributaryError } from './testing/expect-tributary-error';
import { describeTopicConfigs, effectiveTopicConfig, resolveTopicConfig, validateTopicConfigs } from './topic-config';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';
const image = MetadataImage.EMPTY.apply([
  { type: 'Topic', name: 'orders', topicId: TOPIC_ID },
  { type: 'Partition', topicId: TOPIC_ID, partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
  { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '1000' },
]);

describe('validateTopicConfigs', () => {
  it.each([
    ['cleanup.policy', 'compact,delete'],
    ['cleanup.policy', 'delete, compact'],
    ['cleanup.policy', ''],
    ['compression.type', 'zstd'],
    ['compression.type', 'none'],
    ['retention.ms', '-1'],
    ['retention.ms', '9223372036854775807'],
    ['retention.bytes', '-1'],
    ['segment.bytes', '14'],
    ['min.insync.replicas', '2'],
    ['min.cleanable.dirty.ratio', '0.1'],
    ['unclean.leader.election.enable', 'TRUE'],
    ['message.timestamp.type', 'LogAppendTime'],
    ['flush.messages', '1'],
  ])('accepts %s=%j', (name, value) => expect(() => validateTopicConfigs({ [name]: value })).not.toThrow());

  it.each([
    ['retention.msec', '1', ['Unknown topic config name: retention.msec']],
    ['retention.ms', 'forever', ['Invalid value "forever" for configuration retention.ms', 'not a number of type LONG', 'Allowed: an integer (LONG) >= -1']],
    ['retention.ms', '-2', ['retention.ms', 'value must be at least -1']],
    ['retention.ms', '1.5', ['retention.ms', 'not a number of type LONG']],
    ['retention.ms', '9223372036854775808', ['retention.ms', 'out of range for type LONG']],
    ['segment.bytes', '13', ['"13"', 'segment.bytes', 'at least 14']],
    ['segment.bytes', '4294967296', ['segment.bytes', 'out of range for type INT']],
    ['cleanup.policy', 'compact,keep', ['cleanup.policy', '"keep" is not a valid item', 'compact, delete']],
    ['compression.type', 'brotli', ['compression.type', 'one of uncompressed, zstd, lz4, snappy, gzip, producer, none']],
    ['min.insync.replicas', '0', ['min.insync.replicas', 'at least 1']],
    ['min.cleanable.dirty.ratio', 'half', ['min.cleanable.dirty.ratio', 'not a number of type DOUBLE']],
    ['unclean.leader.election.enable', 'maybe', ['unclean.leader.election.enable', 'true or false']],
    ['message.timestamp.type', 'createtime', ['message.timestamp.type', 'CreateTime, LogAppendTime']],
    ['max.message.bytes', '', ['max.message.bytes', 'not a number of type INT']],
  ])('rejects %s=%j with INVALID_CONFIG naming the config, the value and what is allowed', (name, value, fragments) => {
    expectTributaryError(() => validateTopicConfigs({ [name]: value }), 'INVALID_CONFIG', ...fragments);
  });

  it('returns the entries trimmed, as they are stored', () => {
    expect(validateTopicConfigs({ 'retention.ms': ' 5 ' })).toEqual({ 'retention.ms': '5' });
  });
});

describe('describeTopicConfigs', () => {
  it("lists every topic config: the topic's own as DYNAMIC_TOPIC_CONFIG, the rest as defaults", () => {
    const entries = describeTopicConfigs(image, 'orders', DEFAULT_BROKER_CONFIG);
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('retention.ms')).toMatchObject({ value: '1000', source: 'DYNAMIC_TOPIC_CONFIG', isDefault: false, type: 'LONG' });
    expect(byName.get('segment.bytes')).toMatchObject({ value: '1073741824', source: 'DEFAULT_CONFIG', isDefault: true, readOnly: false, sensitive: false });
    expect(byName.get('flush.messages')?.value).toBe('9223372036854775807');
    expect(byName.get('cleanup.policy')).toMatchObject({ value: 'delete', type: 'LIST' });
    expect(entries.every((e) => e.documentation.length > 0)).toBe(true);
  });

  it("shows a broker's log.* setting as STATIC_BROKER_CONFIG with the topic's unit", () => {
    const broker = parseBrokerConfig({ 'log.retention.hours': '2', 'log.segment.bytes': '1048576', 'log.cleanup.policy': 'compact' });
    const byName = new Map(describeTopicConfigs(image, 'orders', broker).map((e) => [e.name, e]));
    expect(byName.get('retention.ms')?.source).toBe('DYNAMIC_TOPIC_CONFIG'); // the topic's own wins
    expect(byName.get('segment.bytes')).toMatchObject({ value: '1048576', source: 'STATIC_BROKER_CONFIG', isDefault: false });
    expect(byName.get('cleanup.policy')).toMatchObject({ value: 'compact', source: 'STATIC_BROKER_CONFIG' });
  });

  it('refuses an unknown topic with UNKNOWN_TOPIC_OR_PARTITION', () => {
    expectTributaryError(() => describeTopicConfigs(image, 'nope', DEFAULT_BROKER_CONFIG), 'UNKNOWN_TOPIC_OR_PARTITION', 'nope');
  });
});

describe('effectiveTopicConfig', () => {
  it("gives typed values: the topic's own over the broker's over Kafka's defaults", () => {
    const broker = parseBrokerConfig({ 'log.segment.bytes': '1048576', 'log.flush.interval.messages': '1' });
    expect(effectiveTopicConfig(image, 'orders', broker)).toEqual({
      cleanupPolicy: { delete: true, compact: false },
      compressionType: 'producer',
      deleteRetentionMs: 86_400_000,
      fileDeleteDelayMs: 60_000,
      flushMessages: 1,
      flushMs: Number.MAX_SAFE_INTEGER,
      indexIntervalBytes: 4096,
      maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
      maxMessageBytes: 1_048_588,
      messageTimestampType: 'CreateTime',
      messageTimestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
      messageTimestampAfterMaxMs: 3_600_000,
      minCleanableDirtyRatio: 0.5,
      minCompactionLagMs: 0,
      minInsyncReplicas: 1,
      retentionBytes: -1,
      retentionMs: 1000,
      segmentBytes: 1_048_576,
      segmentIndexBytes: 10_485_760,
      segmentMs: 604_800_000,
      uncleanLeaderElectionEnable: false,
    });
  });

  it('reads cleanup.policy as flags and compression none as uncompressed', () => {
    const config = resolveTopicConfig({ 'cleanup.policy': 'compact,delete', 'compression.type': 'none' }, DEFAULT_BROKER_CONFIG);
    expect(config.cleanupPolicy).toEqual({ delete: true, compact: true });
    expect(config.compressionType).toBe('uncompressed');
    expect(resolveTopicConfig({ 'cleanup.policy': '' }, DEFAULT_BROKER_CONFIG).cleanupPolicy).toEqual({ delete: false, compact: false });
  });
});
