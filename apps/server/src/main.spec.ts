/**
 * The broker as its own process, started through bin/tributary-server.js: durability under
 * SIGKILL with flush-per-batch, and a clean stop on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { AdminServiceClient, BrokerServiceClient, RecordsFormat } from '@tributary/proto';
import { encodeRecordBatch } from '@tributary/protocol';
import { encodeWireFormat } from '@tributary/serdes';
import { callUnary as call } from '@tributary/service-common';

const BIN = join(__dirname, '..', 'bin', 'tributary-server.js');
const RECORDS_PER_BATCH = 10;
const IN_FLIGHT = 4;
/** Kill once this many produce calls were acknowledged; bounded so the test always ends. */
const ACKED_BEFORE_KILL = 60;

interface ServerProcess {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startServer(dataDir: string): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [BIN, '--data-dir', dataDir, '--port', '0', '--metrics-port', '0', '--controller-port', '0', '--schema-registry-port', '0', '--config', 'log.flush.interval.messages=1', '--log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /gRPC[^\n]*:(\d+)\n/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(({ code }) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`)));
  });
  return { child, port, stderr: () => stderr, exited };
}

function clients(port: number) {
  return {
    admin: new AdminServiceClient(`127.0.0.1:${port}`, credentials.createInsecure()),
    data: new BrokerServiceClient(`127.0.0.1:${port}`, credentials.createInsecure()),
  };
}

describe('tributary-server process', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tributary-server-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('SIGKILL with log.flush.interval.messages=1 loses no acknowledged record, and keeps each exactly once and in order', async () => {
    const first = await startServer(dataDir);
    const c = clients(first.port);
    await call(c.admin, 'createTopic', {
      name: 'crash',
      numPartitions: 1,
      replicationFactor: 0,
      configs: {},
      ifNotExists: false,
      validateOnly: false,
    });

    const acknowledged = new Map<string, number>(); // record value -> offset the broker acknowledged
    let nextBatch = 0;
    let killed = false;
    const producer = async (): Promise<void> => {
      while (!killed && nextBatch < 10_000) {
        const batchNo = nextBatch++;
        const values = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => `b${batchNo}-r${i}`);
        const batch = encodeRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
        try {
          const response = await call(c.data, 'produce', {
            topic: 'crash', partition: 0, acks: 1, timeoutMs: 10_000, recordBatch: batch, records: [],
          });
          values.forEach((v, i) => acknowledged.set(v, response.baseOffset + i));
          if (acknowledged.size >= ACKED_BEFORE_KILL * RECORDS_PER_BATCH && !killed) {
            // Kill while the other producers' calls are still in flight.
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          return; // the broker is gone: this call was never acknowledged
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, producer));
    expect((await first.exited).signal).toBe('SIGKILL');
    c.admin.close();
    c.data.close();

    const second = await startServer(dataDir);
    const d = clients(second.port);
    try {
      const stored: { offset: number; value: string }[] = [];
      for (let offset = 0; ; ) {
        const response = await call(d.data, 'fetch', {
          maxWaitMs: 0, minBytes: 0, maxBytes: 0, format: RecordsFormat.DECODED,
          partitions: [{ topic: 'crash', partition: 0, fetchOffset: offset, partitionMaxBytes: 0 }],
        });
        const records = response.partitions[0].records;
        if (records.length === 0) break;
        for (const record of records) stored.push({ offset: record.offset, value: record.value?.toString() ?? '' });
        offset = records[records.length - 1].offset + 1;
      }
      // Offsets are dense and every value appears once.
      expect(stored.map((s) => s.offset)).toEqual(stored.map((_, i) => i));
      expect(new Set(stored.map((s) => s.value)).size).toBe(stored.length);
      // Every acknowledged record is at the offset it was acknowledged with.
      const byValue = new Map(stored.map((s) => [s.value, s.offset]));
      const missingOrMoved = [...acknowledged].filter(([v, offset]) => byValue.get(v) !== offset);
      expect(missingOrMoved).toEqual([]);
      // Within each batch, records are in order.
      for (const s of stored) {
        const [, batchNo, recordNo] = /^b(\d+)-r(\d+)$/.exec(s.value) ?? [];
        if (Number(recordNo) > 0) expect(byValue.get(`b${batchNo}-r${Number(recordNo) - 1}`)).toBe(s.offset - 1);
      }
    } finally {
      d.admin.close();
      d.data.close();
      second.child.kill('SIGKILL');
      await second.exited;
    }
  }, 90_000);

  it('serves a schema registry beside the broker, storing schemas in the cluster, so they survive a restart', async () => {
    const register = async (registryUrl: string) => {
      const response = await fetch(`${registryUrl}/subjects/orders-value/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }] }) }),
      });
      return { status: response.status, body: (await response.json()) as { id: number } };
    };
    const registryUrl = (server: ServerProcess) => /schema registry[^\n]*(http:\/\/[^\s]+)/.exec(server.stderr())?.[1] as string;
    const first = await startServer(dataDir);
    const created = await register(registryUrl(first));
    expect(created.status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const second = await startServer(dataDir);
    const c = clients(second.port);
    try {
      const again = await register(registryUrl(second));
      expect(again).toEqual({ status: 200, body: { id: created.body.id } });

      // The broker checks schema ids against the registry beside it (value.schema.validation).
      await call(c.admin, 'createTopic', { name: 'orders', numPartitions: 1, replicationFactor: 0, configs: { 'value.schema.validation': 'true' }, ifNotExists: false, validateOnly: false });
      const produce = (value: Buffer) =>
        call(c.data, 'produce', { topic: 'orders', partition: 0, acks: 1, timeoutMs: 10_000, recordBatch: Buffer.alloc(0), records: [{ key: undefined, value, headers: [], timestamp: 0, offset: 0, timestampType: 0 }] });
      const wire = (id: number) => encodeWireFormat(id, Buffer.from([2]));
      expect((await produce(wire(created.body.id))).baseOffset).toBe(0);
      await expect(produce(wire(created.body.id + 1000))).rejects.toThrow(/INVALID_RECORD: .*not registered/);
    } finally {
      c.admin.close();
      c.data.close();
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);

  it('SIGTERM stops the server cleanly: calls drained, logs flushed, exit code 0', async () => {
    const server = await startServer(dataDir);
    const c = clients(server.port);
    await call(c.data, 'produce', {
      topic: 'graceful', partition: 0, acks: 1, timeoutMs: 10_000, recordBatch: Buffer.alloc(0),
      records: [{ key: undefined, value: Buffer.from('kept'), headers: [], timestamp: 0, offset: 0, timestampType: 0 }],
    });
    c.admin.close();
    c.data.close();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/Tributary stopped/);

    const again = await startServer(dataDir);
    const d = clients(again.port);
    try {
      const response = await call(d.data, 'listOffsets', { partitions: [{ topic: 'graceful', partition: 0, timestamp: -1 }] });
      expect(response.partitions[0].offset).toBe(1);
    } finally {
      d.admin.close();
      d.data.close();
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 60_000);
});
