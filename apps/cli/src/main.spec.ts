import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@tributary/broker';
import { runTributary as tributary, type TributaryResult as Result } from './testing/run-tributary';

// Each command is a fresh Node process that transpiles the CLI on start (about a second).
jest.setTimeout(60_000);

describe('tributary CLI against a real broker', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
  let broker: RunningBroker;
  let port = 0;
  const bootstrap = () => ['--bootstrap-server', `127.0.0.1:${port}`];
  const restartBroker = async () => {
    await broker?.close();
    broker = await startBroker({ dataDir, port, metricsPort: 0, controllerPort: 0, logLevel: 'silent' });
    port = broker.port;
  };

  beforeAll(restartBroker);
  afterAll(async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('topics: creates, describes as kafka-topics.sh does, alters, lists and deletes', async () => {
    const created = await tributary(['topics', ...bootstrap(), '--create', '--topic', 'cli-t', '--partitions', '2', '--replication-factor', '1', '--config', 'retention.ms=60000', '--config', 'cleanup.policy=delete']);
    expect(created).toMatchObject({ code: 0, stdout: 'Created topic cli-t.\n' });
    expect(await tributary(['topics', ...bootstrap(), '--create', '--topic', 'cli-t', '--if-not-exists'])).toMatchObject({ code: 0, stdout: '' });
    expect(await tributary(['topics', ...bootstrap(), '--alter', '--topic', 'cli-t', '--partitions', '3'])).toMatchObject({ code: 0 });
    const described = await tributary(['topics', ...bootstrap(), '--describe', '--topic', 'cli-t']);
    expect(described.code).toBe(0);
    const lines = described.stdout.split('\n');
    expect(lines[0]).toMatch(/^Topic: cli-t\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: cleanup.policy=delete,retention.ms=60000$/);
    expect(lines.slice(1)).toEqual([
      '\tTopic: cli-t\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1',
      '\tTopic: cli-t\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1',
      '\tTopic: cli-t\tPartition: 2\tLeader: 1\tReplicas: 1\tIsr: 1',
      '',
    ]);
    expect((await tributary(['topics', ...bootstrap(), '--list'])).stdout.split('\n')).toContain('cli-t');
    expect(await tributary(['topics', ...bootstrap(), '--delete', '--topic', 'cli-t'])).toMatchObject({ code: 0 });
    expect((await tributary(['topics', ...bootstrap(), '--list'])).stdout.split('\n')).not.toContain('cli-t');
  });

  it('produces 10,000 keyed lines to 3 partitions and consumes them back in per-key order, also after a restart', async () => {
    await tributary(['topics', ...bootstrap(), '--create', '--topic', 'keyed', '--partitions', '3']);
    const lines = Array.from({ length: 10_000 }, (_, i) => `user-${i % 37}:event-${i}`);
    const produced = await tributary(['produce', ...bootstrap(), '--topic', 'keyed', '--property', 'parse.key=true', '--property', 'key.separator=:', '--producer-property', 'acks=all'], lines.join('\n') + '\n');
    expect(produced).toMatchObject({ code: 0, stderr: '' });

    const consumeAll = () =>
      tributary(['consume', ...bootstrap(), '--topic', 'keyed', '--from-beginning', '--max-messages', '10000', '--timeout-ms', '10000', '--property', 'print.key=true', '--property', 'print.partition=true', '--property', 'print.offset=true']);
    const checkPerKeyOrder = (result: Result) => {
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('Processed a total of 10000 messages\n');
      const out = result.stdout.trimEnd().split('\n');
      expect(out).toHaveLength(10_000);
      const byKey = new Map<string, string[]>();
      const partitionOfKey = new Map<string, string>();
      for (const line of out) {
        const [partition, offset, key, value] = line.split('\t');
        expect(partition).toMatch(/^Partition:[0-2]$/);
        expect(offset).toMatch(/^Offset:\d+$/);
        expect(partitionOfKey.get(key) ?? partition).toBe(partition);
        partitionOfKey.set(key, partition);
        byKey.set(key, [...(byKey.get(key) ?? []), value]);
      }
      for (const [key, values] of byKey) {
        expect(values).toEqual(lines.filter((l) => l.startsWith(`${key}:`)).map((l) => l.slice(key.length + 1)));
      }
      expect(new Set(partitionOfKey.values()).size).toBe(3);
    };
    checkPerKeyOrder(await consumeAll());
    await restartBroker();
    checkPerKeyOrder(await consumeAll());
  });

  it('consume: prints timestamps and a custom separator, reads one partition from an offset, and exits after --timeout-ms', async () => {
    await tributary(['topics', ...bootstrap(), '--create', '--topic', 'fmt', '--partitions', '1']);
    await tributary(['produce', ...bootstrap(), '--topic', 'fmt'], 'a\nb\nc\n');
    const result = await tributary(['consume', ...bootstrap(), '--topic', 'fmt', '--partition', '0', '--offset', '1', '--timeout-ms', '500', '--property', 'print.timestamp=true', '--property', 'print.key=true', '--property', 'key.separator=|']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^CreateTime:\d+\|null\|b\nCreateTime:\d+\|null\|c\n$/);
    expect(result.stderr).toBe('Processed a total of 2 messages\n');
  });

  it('produce parses headers, keys and null markers; consume prints them as DefaultMessageFormatter does', async () => {
    await tributary(['topics', ...bootstrap(), '--create', '--topic', 'hdr', '--partitions', '1']);
    const readerConfig = join(dataDir, 'reader.properties');
    writeFileSync(readerConfig, 'parse.key=true\nkey.separator=#\n');
    const producerConfig = join(dataDir, 'producer.properties');
    writeFileSync(producerConfig, '# as kafka-console-producer --producer.config reads it\nacks=1\nlinger.ms=0\n');
    const produced = await tributary(
      ['produce', ...bootstrap(), '--topic', 'hdr', '--reader-config', readerConfig, '--producer.config', producerConfig, '--property', 'parse.headers=true', '--property', 'null.marker=NULL',
        '--compression-codec', '--request-required-acks', 'all', '--batch-size', '1024', '--timeout', '0', '--message-send-max-retries', '3', '--max-block-ms', '60000'],
      'trace:abc,span:NULL\tk1#v1\nNULL\tNULL#v2\nx:1\tk3#NULL\n',
    );
    expect(produced).toMatchObject({ code: 0, stderr: '' });
    expect(await tributary(['produce', ...bootstrap(), '--topic', 'hdr', '--sync', '--compression-codec', 'lz4'], 'plain\n')).toMatchObject({ code: 0, stderr: '' });

    const consumerConfig = join(dataDir, 'consumer.properties');
    writeFileSync(consumerConfig, 'auto.offset.reset=earliest\nfetch.max.wait.ms=100\n');
    const consumed = await tributary([
      'consume', ...bootstrap(), '--topic', 'hdr', '--consumer.config', consumerConfig, '--consumer-property', 'fetch.min.bytes=1', '--consumer-property', 'max.partition.fetch.bytes=65536',
      '--isolation-level', 'read_committed', '--skip-message-on-error', '--max-messages', '4',
      '--property', 'print.timestamp=true', '--property', 'print.partition=true', '--property', 'print.offset=true', '--property', 'print.headers=true', '--property', 'print.key=true',
      '--property', 'null.literal=<null>', '--property', 'headers.separator=;',
    ]);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.replace(/CreateTime:\d+/g, 'CreateTime:T').split('\n')).toEqual([
      'CreateTime:T\tPartition:0\tOffset:0\ttrace:abc;span:<null>\tk1\tv1',
      'CreateTime:T\tPartition:0\tOffset:1\tNO_HEADERS\t<null>\tv2',
      'CreateTime:T\tPartition:0\tOffset:2\tx:1\tk3\t<null>',
      'CreateTime:T\tPartition:0\tOffset:3\tNO_HEADERS\t<null>\tplain',
      '',
    ]);
    const keysOnly = await tributary(['consume', ...bootstrap(), '--topic', 'hdr', '--from-beginning', '--max-messages', '4', '--property', 'print.key=true', '--property', 'print.value=false', '--property', 'line.separator=;']);
    expect(keysOnly).toMatchObject({ code: 0, stdout: 'k1;null;k3;null;' });
  });

  it('produce and consume refuse bad settings with one line each', async () => {
    const cases: [string[], string, RegExp][] = [
      [['produce', '--topic', 'hdr', '--property', 'parse.key=true'], 'no-separator\n', /^Error: INVALID_REQUEST: No key separator found on line number 1: 'no-separator'$/],
      [['produce', '--topic', 'hdr', '--compression-codec', 'brotli'], '', /^error: option '--compression-codec \[codec\]' argument 'brotli' is invalid/],
      [['produce', '--topic', 'hdr', '--producer.config', join(dataDir, 'missing.properties')], '', /^Error: INVALID_CONFIG: --producer.config: cannot read .*\(ENOENT\)$/],
      [['produce', '--topic', 'hdr', '--no-such-flag'], '', /^error: unknown option '--no-such-flag'$/],
      [['consume', '--topic', 'hdr', '--consumer-property', 'group.protocol=classic'], '', /^Error: INVALID_CONFIG: group.protocol must be consumer \(KIP-848\), not "classic"$/],
      [['consume', '--topic', 'hdr', '--consumer-property', 'fetch.everything=1'], '', /^Error: INVALID_CONFIG: unknown consumer property "fetch.everything"$/],
      [['consume', '--topic', 'hdr', '--from-beginning', '--consumer-property', 'auto.offset.reset=latest'], '', /^Error: INVALID_CONFIG: Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest'$/],
      [['consume', '--topic', 'hdr', '--isolation-level', 'read_most'], '', /^error: option '--isolation-level <level>' argument 'read_most' is invalid/],
      [['consume', '--topic', 'hdr', '--no-such-flag'], '', /^error: unknown option '--no-such-flag'$/],
    ];
    const results = await Promise.all(cases.map(([args, input]) => tributary([...args, ...bootstrap()], input)));
    results.forEach((result, i) => {
      expect(result.code).toBe(1);
      const lines = result.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('Processed a total'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(cases[i][2]);
    });
  });

  it('topics: regex --topic, --exclude-internal, overrides and partition reports, Kafka\'s argument checks, --command-config and --version', async () => {
    const commandConfig = join(dataDir, 'admin.properties');
    writeFileSync(commandConfig, 'request.timeout.ms=20000\nclient.id=cli-test\n');
    const topics = (...args: string[]) => tributary(['topics', ...bootstrap(), '--command-config', commandConfig, ...args]);
    await topics('--create', '--topic', 'rx.a', '--partitions', '2');
    expect(await topics('--create', '--topic', 'rx.b', '--config', 'retention.ms=60000')).toMatchObject({ code: 0, stderr: '' });
    await topics('--create', '--topic', 'rxc');
    expect(await topics('--list', '--exclude-internal', '--topic', 'rx\\..*')).toMatchObject({ code: 0, stdout: 'rx.a\nrx.b\n' });
    const described = await topics('--describe', '--topic', "'rx\\..*'");
    expect(described.stdout.split('\n').filter((l) => l.startsWith('Topic:')).map((l) => l.split('\t')[0])).toEqual(['Topic: rx.a', 'Topic: rx.b']);
    const overrides = await topics('--describe', '--topic', 'rx.*', '--topics-with-overrides');
    expect(overrides.stdout).toMatch(/^Topic: rx\.b\tTopicId: \S+\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: retention.ms=60000\n$/);
    // One broker: every partition has its leader and its full ISR of 1, which is also min.insync.replicas
    // (the broker refuses a larger one), so every partition is at min ISR and none is in trouble.
    expect(await topics('--describe', '--topic', 'rx.*', '--under-replicated-partitions')).toMatchObject({ code: 0, stdout: '' });
    expect(await topics('--describe', '--topic', 'rx.*', '--unavailable-partitions')).toMatchObject({ code: 0, stdout: '' });
    expect(await topics('--describe', '--topic', 'rx.*', '--under-min-isr-partitions')).toMatchObject({ code: 0, stdout: '' });
    const atMin = await topics('--describe', '--topic', 'rx.*', '--at-min-isr-partitions');
    expect(atMin.stdout.split('\n').map((l) => l.split('\t').slice(1, 3).join(' '))).toEqual(['Topic: rx.a Partition: 0', 'Topic: rx.a Partition: 1', 'Topic: rx.b Partition: 0', 'Topic: rxc Partition: 0', '']);
    expect(await topics('--alter', '--topic', 'rx\\..*', '--partitions', '3')).toMatchObject({ code: 0 });
    expect((await topics('--describe', '--topic', 'rx.b')).stdout).toContain('PartitionCount: 3');
    expect(await topics('--delete', '--topic', 'rx\\..*')).toMatchObject({ code: 0 });
    expect(await topics('--list', '--topic', 'rx.*')).toMatchObject({ code: 0, stdout: 'rxc\n' });
    expect(await topics('--delete', '--topic', 'rx\\..*', '--if-exists')).toMatchObject({ code: 0, stdout: '' });

    const version = await tributary(['topics', '--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const refused: [string[], string][] = [
      [['--list', '--describe'], 'Error: INVALID_REQUEST: Command must include exactly one action: --list, --describe, --create, --alter or --delete'],
      [['--create'], 'Error: INVALID_REQUEST: Missing required argument "[topic]"'],
      [['--describe', '--partitions', '3'], 'Error: INVALID_REQUEST: Option "[partitions]" can\'t be used with option "[describe]"'],
      [['--alter', '--topic', 'rxc', '--replication-factor', '3'], 'Error: INVALID_REQUEST: Option "[replication-factor]" can\'t be used with option "[alter]"'],
      [['--alter', '--topic', 'rxc'], 'Error: INVALID_REQUEST: Missing required argument "[partitions]"'],
      [['--list', '--under-replicated-partitions'], 'Error: INVALID_REQUEST: Option "[under-replicated-partitions]" can\'t be used with option "[list]"'],
      [['--describe', '--under-replicated-partitions', '--unavailable-partitions'], 'Error: INVALID_REQUEST: Option "[under-replicated-partitions]" can\'t be used with option "[unavailable-partitions]"'],
      [['--delete', '--topic', 'nothing.*'], "Error: UNKNOWN_TOPIC_OR_PARTITION: Topic 'nothing.*' does not exist as expected"],
      [['--list', '--no-such-flag'], "error: unknown option '--no-such-flag'"],
    ];
    const results = await Promise.all(refused.map(([args]) => topics(...args)));
    results.forEach((result, i) => expect(result).toMatchObject({ code: 1, stderr: `${refused[i][1]}\n` }));
    writeFileSync(commandConfig, 'sasl.mechanism=PLAIN\n');
    expect(await topics('--list')).toMatchObject({ code: 1, stderr: 'Error: INVALID_CONFIG: --command-config: unknown admin client config "sasl.mechanism"\n' });
  });

  it('perf produce and perf consume print Kafka-style summaries', async () => {
    await tributary(['topics', ...bootstrap(), '--create', '--topic', 'perf', '--partitions', '2']);
    const produced = await tributary(['perf', 'produce', ...bootstrap(), '--topic', 'perf', '--num-records', '20000', '--record-size', '100', '--throughput', '-1', '--producer-props', 'acks=1', 'linger.ms=5', 'batch.size=262144']);
    expect(produced.code).toBe(0);
    expect(produced.stdout.trimEnd().split('\n').pop()).toMatch(
      /^20000 records sent, \d+\.\d{6} records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/,
    );
    const consumed = await tributary(['perf', 'consume', ...bootstrap(), '--topic', 'perf', '--messages', '20000']);
    expect(consumed.code).toBe(0);
    const [header, values] = consumed.stdout.trimEnd().split('\n');
    expect(header).toBe('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
    const fields = values.split(', ');
    expect(fields[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}$/);
    expect(fields[2]).toBe('1.9073');
    expect(fields[4]).toBe('20000');
  });

  it.each([
    [['topics', '--describe', '--topic', 'nope'], /^Error: UNKNOWN_TOPIC_OR_PARTITION: .*nope/],
    [['topics', '--create', '--topic', 'bad/name'], /^Error: INVALID_TOPIC_EXCEPTION: /],
    [['topics', '--create', '--topic', 'zero', '--partitions', '0'], /^Error: INVALID_PARTITIONS: /],
    [['topics', '--create', '--topic', 'cfg', '--config', 'nope=1'], /^Error: INVALID_CONFIG: /],
    [['consume', '--topic', 'nope', '--timeout-ms', '100'], /^Error: UNKNOWN_TOPIC_OR_PARTITION: /],
    [['topics', '--list', '--bootstrap-server', '127.0.0.1:1'], /^Error: cannot reach broker 127\.0\.0\.1:1/],
  ])('fails %j with exit status 1 and one line naming the problem', async (args, pattern) => {
    const withServer = args.includes('--bootstrap-server') ? args : [...args, ...bootstrap()];
    const result = await tributary(withServer);
    expect(result.code).toBe(1);
    const stderrLines = result.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('Processed a total'));
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(pattern);
  });

  it('shrinking partitions fails with INVALID_PARTITIONS', async () => {
    await tributary(['topics', ...bootstrap(), '--create', '--topic', 'shrink', '--partitions', '3']);
    const result = await tributary(['topics', ...bootstrap(), '--alter', '--topic', 'shrink', '--partitions', '2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: INVALID_PARTITIONS: [^\n]*\n$/);
  });

  it('--help on every command describes its flags', async () => {
    const commands = [['topics'], ['produce'], ['consume'], ['groups'], ['perf', 'produce'], ['perf', 'consume']];
    const results = await Promise.all(commands.map((command) => tributary([...command, '--help'])));
    for (const result of results) expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('--bootstrap-server') });
  });
});
