import { expectTributaryError } from './testing/expect-tributary-error';
import { DEFAULT_BROKER_CONFIG, parseBrokerConfig } from './broker-config';

describe('parseBrokerConfig', () => {
  it("has Kafka's defaults", () => {
    expect(DEFAULT_BROKER_CONFIG).toMatchObject({
      nodeId: 1,
      numPartitions: 1,
      defaultReplicationFactor: 1,
      autoCreateTopicsEnable: true,
      deleteTopicEnable: true,
      messageMaxBytes: 1048588,
      logRetentionMs: 604800000,
      logRetentionBytes: -1,
      logSegmentBytes: 1073741824,
      logRollMs: 604800000,
      logFlushIntervalMessages: Number.MAX_SAFE_INTEGER,
      logFlushIntervalMs: Number.MAX_SAFE_INTEGER,
      logCleanupPolicy: ['delete'],
      compressionType: 'producer',
      minInsyncReplicas: 1,
      logRetentionCheckIntervalMs: 300000,
      logCleanerBackoffMs: 15000,
      offsetsTopicNumPartitions: 50,
      logDirs: ['./data'],
      autoLeaderRebalanceEnable: true,
      leaderImbalanceCheckIntervalMs: 300_000,
      leaderImbalancePerBrokerPercentage: 10,
    });
    expect(DEFAULT_BROKER_CONFIG.explicit.size).toBe(0);
  });

  it('resolves retention from log.retention.ms, then minutes, then hours', () => {
    expect(parseBrokerConfig({ 'log.retention.hours': '1' }).logRetentionMs).toBe(3_600_000);
    expect(parseBrokerConfig({ 'log.retention.hours': '1', 'log.retention.minutes': '2' }).logRetentionMs).toBe(120_000);
    expect(parseBrokerConfig({ 'log.retention.minutes': '2', 'log.retention.ms': '-1' }).logRetentionMs).toBe(-1);
  });

  it('resolves segment age from log.roll.ms, then log.roll.hours', () => {
    expect(parseBrokerConfig({ 'log.roll.hours': '2' }).logRollMs).toBe(7_200_000);
    expect(parseBrokerConfig({ 'log.roll.hours': '2', 'log.roll.ms': '5' }).logRollMs).toBe(5);
  });

  it('takes log.dirs over log.dir, broker.id as node.id, and records what was set explicitly', () => {
    const config = parseBrokerConfig({ 'log.dirs': '/a, /b', 'broker.id': '7', 'num.partitions': ' 3 ' });
    expect(config.logDirs).toEqual(['/a', '/b']);
    expect(config.nodeId).toBe(7);
    expect(config.numPartitions).toBe(3);
    expect(config.explicit.get('num.partitions')).toBe('3');
  });

  it('reads replica.fetch.leader.addresses as leader id → address, none by default', () => {
    expect(DEFAULT_BROKER_CONFIG.replicaFetchLeaderAddresses.size).toBe(0);
    const config = parseBrokerConfig({ 'replica.fetch.leader.addresses': '2@127.0.0.1:19092, 3@localhost:19093' });
    expect([...config.replicaFetchLeaderAddresses]).toEqual([[2, '127.0.0.1:19092'], [3, 'localhost:19093']]);
  });

  it.each([
    [{ 'no.such.setting': '1' }, 'Unknown broker config name: no.such.setting'],
    [{ 'num.partitions': 'three' }, 'Invalid value "three" for configuration num.partitions: not a number of type INT'],
    [{ 'num.partitions': '0' }, 'num.partitions: value must be at least 1'],
    [{ 'auto.create.topics.enable': 'yes' }, 'auto.create.topics.enable: expected a boolean. Allowed: true or false'],
    [{ 'log.cleanup.policy': 'keep' }, '"keep" is not a valid item. Allowed: a comma-separated list of compact, delete'],
    [{ 'compression.type': 'brotli' }, 'compression.type: not a valid value. Allowed: one of uncompressed, zstd, lz4, snappy, gzip, producer, none'],
    [{ 'message.max.bytes': '2147483648' }, 'message.max.bytes: out of range for type INT'],
    [{ 'log.cleaner.min.cleanable.ratio': '1.5' }, 'value must be at most 1'],
    [{ 'node.id': '1', 'broker.id': '2' }, 'broker.id=2 and node.id=1 disagree'],
    [{ 'replica.fetch.leader.addresses': '2=127.0.0.1:9092' }, 'replica.fetch.leader.addresses entry "2=127.0.0.1:9092" is not id@host:port'],
    [{ 'replica.fetch.leader.addresses': '2@127.0.0.1:1,2@127.0.0.1:2' }, 'replica.fetch.leader.addresses names node 2 twice'],
  ])('rejects %j with INVALID_CONFIG: %s', (entries, message) => {
    expectTributaryError(() => parseBrokerConfig(entries), 'INVALID_CONFIG', message);
  });
});
