/**
 * Schema registry throughput on loopback: a broker process (the `npm start` shim) holding
 * `_schemas`, a registry process (apps/schema-registry's bin shim), and this process calling its
 * REST API with Node's fetch (keep-alive):
 *
 *   - register: POST /subjects/{subject}/versions of new schemas (each a write to `_schemas`,
 *     acks=all, answered once the registry has read it back), one at a time and with many in flight;
 *   - re-register: the same schemas again (answered from memory, no write);
 *   - GET /schemas/ids/{id} of the registered ids, many in flight.
 *
 *   npm run bench:registry [-- --schemas 2000 --concurrency 32 --seconds 5]
 */
import { join } from 'node:path';
import { freePort } from '@tributary/testing';
import { Command } from 'commander';
import { positiveInteger } from './positive-integer';
import { formatTable } from './format-table';
import { LatencyHistogram } from './latency-histogram';
import { ServerProcess } from './server-process';
import { startTributaryServer } from './tributary-server';

const REGISTRY_BIN = join(__dirname, '..', 'apps', 'schema-registry', 'bin', 'tributary-schema-registry.js');
const MEDIA_TYPE = 'application/vnd.schemaregistry.v1+json';

interface Options {
  schemas: number;
  concurrency: number;
  seconds: number;
}

function parseOptions(): Options {
  return new Command('bench:registry')
    .description('REST throughput of the schema registry: register, re-register and GET /schemas/ids/{id}.')
    .option('--schemas <n>', 'new schemas registered (half one at a time, half with --concurrency in flight)', positiveInteger, 2_000)
    .option('--concurrency <n>', 'requests in flight for the throughput figures', positiveInteger, 32)
    .option('--seconds <n>', 'length of the GET run', positiveInteger, 5)
    .parse()
    .opts<Options>();
}

function schema(i: number): string {
  return JSON.stringify({ type: 'record', name: `Bench${i}`, namespace: 'bench', fields: [{ name: 'id', type: 'long' }, { name: 'payload', type: 'string' }] });
}

async function call(url: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(url, { ...init, headers: { accept: MEDIA_TYPE, 'content-type': MEDIA_TYPE } });
  const body = await response.json();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

interface Figure {
  name: string;
  requests: number;
  seconds: number;
  latencies: LatencyHistogram;
}

/** Runs `request(i)` for i in [from, to) with `concurrency` in flight, timing each. */
async function run(name: string, from: number, to: number, concurrency: number, request: (i: number) => Promise<unknown>): Promise<Figure> {
  const latencies = new LatencyHistogram();
  let next = from;
  const startMs = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, to - from) }, async () => {
      while (next < to) {
        const i = next++;
        const t0 = performance.now();
        await request(i);
        latencies.recordMs(performance.now() - t0);
      }
    }),
  );
  return { name, requests: to - from, seconds: (performance.now() - startMs) / 1000, latencies };
}

/** Calls `request` with `concurrency` in flight for `seconds`. */
async function runFor(name: string, seconds: number, concurrency: number, request: (n: number) => Promise<unknown>): Promise<Figure> {
  const latencies = new LatencyHistogram();
  let count = 0;
  const startMs = performance.now();
  const endMs = startMs + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endMs) {
        const t0 = performance.now();
        await request(count++);
        latencies.recordMs(performance.now() - t0);
      }
    }),
  );
  return { name, requests: count, seconds: (performance.now() - startMs) / 1000, latencies };
}

async function main(): Promise<void> {
  const options = parseOptions();
  process.stderr.write('starting a broker and a schema registry...\n');
  const broker = await startTributaryServer();
  const port = await freePort();
  const grpcPort = await freePort();
  const registry = await ServerProcess.start({
    name: 'tributary-schema-registry',
    command: process.execPath,
    port,
    args: () => [REGISTRY_BIN, '--bootstrap-server', `127.0.0.1:${broker.port}`, '--port', String(port), '--grpc-port', String(grpcPort), '--log-level', 'warn'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    const half = Math.floor(options.schemas / 2);
    const register = (i: number) => call(`${base}/subjects/bench-${i}-value/versions`, { method: 'POST', body: JSON.stringify({ schema: schema(i) }) }) as Promise<{ id: number }>;
    const ids: number[] = [];
    const record = async (i: number) => ids.push((await register(i)).id);
    process.stderr.write('registering...\n');
    const figures = [
      await run('register (1 in flight)', 0, half, 1, record),
      await run(`register (${options.concurrency} in flight)`, half, options.schemas, options.concurrency, record),
      await run(`re-register, no write (${options.concurrency} in flight)`, 0, options.schemas, options.concurrency, register),
    ];
    if (new Set(ids).size !== options.schemas) throw new Error(`expected ${options.schemas} distinct ids, got ${new Set(ids).size}`);
    process.stderr.write('reading by id...\n');
    figures.push(await runFor(`GET /schemas/ids/{id} (${options.concurrency} in flight)`, options.seconds, options.concurrency, (n) => call(`${base}/schemas/ids/${ids[n % ids.length]}`)));
    figures.push(await runFor('GET /schemas/ids/{id} (1 in flight)', Math.max(1, Math.floor(options.seconds / 2)), 1, (n) => call(`${base}/schemas/ids/${ids[n % ids.length]}`)));
    process.stdout.write(
      `Schema registry on loopback: broker pid ${broker.pid}, registry pid ${registry.pid}, client: this process (Node fetch, keep-alive)\n` +
        formatTable(
          ['operation', 'requests', 'seconds', 'requests/s', 'p50 ms', 'p99 ms'],
          figures.map((f) => [
            f.name,
            String(f.requests),
            f.seconds.toFixed(2),
            Math.round(f.requests / f.seconds).toLocaleString('en-US'),
            f.latencies.percentileMs(50).toFixed(2),
            f.latencies.percentileMs(99).toFixed(2),
          ]),
        ),
    );
  } finally {
    await registry.stop();
    await broker.stop();
  }
}

main().catch(async (error: unknown) => {
  await ServerProcess.stopAll();
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
