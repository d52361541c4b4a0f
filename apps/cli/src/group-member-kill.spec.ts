/**
 * A group member killed with SIGKILL: `tributary consume --group` in a child process owns some
 * partitions and auto-commits; killed, it never leaves, so its partitions move to the other
 * member only once its session times out, and that member goes on from the committed offsets —
 * what the dead one had not committed is read again, nothing is skipped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@tributary/broker';
import { Tributary, type TopicPartition } from '@tributary/client';
import { eventually } from '../../controller/src/testing/controller-test-cluster';

jest.setTimeout(120_000);

const BIN = join(__dirname, '..', 'bin', 'tributary.js');
const TOPIC = 'kill-me';
const GROUP = 'killers';
const PARTITIONS = 4;
const SESSION_TIMEOUT_MS = 2_000;

describe('a consumer group member killed with SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cli-kill-'));
  let broker: RunningBroker;
  let client: Tributary;

  beforeAll(async () => {
    broker = await startBroker({
      dataDir,
      port: 0,
      metricsPort: 0,
      controllerPort: 0,
      logLevel: 'silent',
      config: { 'group.consumer.heartbeat.interval.ms': '100', 'group.consumer.session.timeout.ms': String(SESSION_TIMEOUT_MS), 'offsets.topic.num.partitions': '3' },
    });
    client = new Tributary({ bootstrapServers: `127.0.0.1:${broker.port}` });
  });
  afterAll(async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Values are "<partition>:<offset>", one producer per partition from offset 0. */
  async function produce(from: number, to: number): Promise<void> {
    const producer = client.producer({ lingerMs: 0 });
    const messages = [];
    for (let p = 0; p < PARTITIONS; p++) for (let i = from; i < to; i++) messages.push({ partition: p, value: `${p}:${i}` });
    await producer.send({ topic: TOPIC, messages });
    await producer.close();
  }

  it('its partitions move after the session timeout and the survivor resumes from the committed offsets', async () => {
    const admin = client.admin();
    await admin.createTopic({ topic: TOPIC, numPartitions: PARTITIONS });
    await produce(0, 200);

    const victim = spawn(process.execPath, [BIN, 'consume', '--bootstrap-server', `127.0.0.1:${broker.port}`, '--topic', TOPIC, '--group', GROUP, '--from-beginning', '--consumer-property', 'auto.commit.interval.ms=500'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    victim.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const exited = new Promise((resolve) => victim.once('exit', resolve));
    try {
      await eventually(() => printed.split('\n').length > 4 * 200, 'the victim printed every record', 3_000, 20);

      const survivorOwns = new Set<number>();
      const survived: { partition: number; offset: number }[] = [];
      const survivor = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 50 });
      survivor.subscribe({
        groupId: GROUP,
        topics: [TOPIC],
        onPartitionsAssigned: (tps: TopicPartition[]) => tps.forEach((tp) => survivorOwns.add(tp.partition)),
        onPartitionsRevoked: (tps: TopicPartition[]) => tps.forEach((tp) => survivorOwns.delete(tp.partition)),
      });
      const running = survivor.run({ eachRecord: (r) => void survived.push({ partition: r.partition, offset: r.offset }) });
      await eventually(() => survivorOwns.size === PARTITIONS / 2, 'the survivor sharing the partitions');
      const victimsPartitions = [0, 1, 2, 3].filter((p) => !survivorOwns.has(p));
      const committedOf = async (p: number) => (await admin.fetchOffsets(GROUP)).find((o) => o.partition === p)?.offset;
      await eventually(async () => (await Promise.all(victimsPartitions.map(committedOf))).every((o) => o === 200), "the victim's auto-commit of what it printed");
      // More records for the victim to print; killed right after, it has likely not committed them.
      await produce(200, 250);
      const lines = () => new Set(printed.trim().split('\n'));
      await eventually(() => victimsPartitions.every((p) => lines().has(`${p}:249`)), 'the victim printed the new records', 3_000, 20);
      victim.kill('SIGKILL');
      await exited;
      const killedAtMs = performance.now();
      const committedAtKill = new Map((await admin.fetchOffsets(GROUP)).map((o) => [o.partition, o.offset]));
      await produce(250, 300);

      await eventually(() => survivorOwns.size === PARTITIONS, 'the survivor owning every partition', 1_000, 20);
      const movedAfterMs = performance.now() - killedAtMs;
      await eventually(() => survived.filter((r) => r.offset === 299).length === PARTITIONS, 'the survivor read every partition to its end', 1_000, 20);
      await survivor.close();
      await running;
      console.log(`SIGKILL of a member to its partitions owned by the survivor: ${movedAfterMs.toFixed(0)} ms (group.consumer.session.timeout.ms=${SESSION_TIMEOUT_MS})`);

      for (const partition of victimsPartitions) {
        const offsets = survived.filter((r) => r.partition === partition).map((r) => r.offset);
        const from = committedAtKill.get(partition) ?? 0;
        // Re-delivery starts exactly at the last commit, and nothing after it is skipped or repeated.
        expect(offsets).toEqual(Array.from({ length: 300 - from }, (_, i) => from + i));
      }
      const victimPrinted = lines();
      const redelivered = victimsPartitions.reduce((sum, p) => sum + 250 - (committedAtKill.get(p) ?? 0), 0);
      console.log(`records the victim printed but had not committed, read again by the survivor: ${redelivered}`);
      for (const partition of victimsPartitions) {
        for (let i = 0; i < (committedAtKill.get(partition) ?? 0); i++) expect(victimPrinted.has(`${partition}:${i}`)).toBe(true);
      }
    } finally {
      victim.kill('SIGKILL');
      await admin.close();
    }
  });
});
