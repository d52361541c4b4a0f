import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@tributary/broker';
import { startSchemaRegistry, type RunningSchemaRegistry } from '@tributary/schema-registry';
import { runTributary as tributary } from './testing/run-tributary';

// Each command is a fresh Node process that transpiles the CLI on start (about a second).
jest.setTimeout(60_000);

describe('tributary schemas against a real schema registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-schemas-'));
  let broker: RunningBroker;
  let registry: RunningSchemaRegistry;
  const url = () => ['--schema-registry-url', registry.url];
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  beforeAll(async () => {
    broker = await startBroker({ dataDir: join(dir, 'data'), port: 0, metricsPort: 0, controllerPort: 0, logLevel: 'silent' });
    registry = await startSchemaRegistry({ bootstrapServers: `127.0.0.1:${broker.port}`, port: 0, grpcPort: 0, logLevel: 'silent' });
  });
  afterAll(async () => {
    await registry.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers from files, lists, describes, checks and sets compatibility', async () => {
    const v1 = file('order.avsc', JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] }));
    expect(await tributary(['schemas', ...url(), '--register', '--subject', 'orders-value', '--schema-file', v1])).toMatchObject({ code: 0, stdout: 'Registered schema 1 under subject orders-value.\n' });
    const proto = file('refund.proto', 'syntax = "proto3";\nmessage Refund {\n  string id = 1;\n}\n');
    expect(await tributary(['schemas', ...url(), '--register', '--subject', 'refunds-value', '--schema-file', proto])).toMatchObject({ code: 0, stdout: 'Registered schema 2 under subject refunds-value.\n' });
    expect(await tributary(['schemas', ...url(), '--list'])).toMatchObject({ code: 0, stdout: 'orders-value\nrefunds-value\n' });
    expect(await tributary(['schemas', ...url(), '--list', '--subject-prefix', 'ref'])).toMatchObject({ stdout: 'refunds-value\n' });
    const described = await tributary(['schemas', ...url(), '--describe', '--subject', 'refunds-value']);
    expect(described.code).toBe(0);
    expect(described.stdout.split('\n')[0]).toBe('Subject: refunds-value\tVersion: 1\tId: 2\tType: PROTOBUF');

    const v2 = file('order-v2.avsc', JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }, { name: 'qty', type: 'int' }] }));
    const check = await tributary(['schemas', ...url(), '--check-compatibility', '--subject', 'orders-value', '--schema-file', v2]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^Incompatible:\n {2}\{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'/);
    expect(await tributary(['schemas', ...url(), '--set-compatibility', 'forward', '--subject', 'orders-value'])).toMatchObject({ code: 0, stdout: 'Compatibility of subject orders-value is now FORWARD.\n' });
    expect(await tributary(['schemas', ...url(), '--check-compatibility', '--subject', 'orders-value', '--schema-file', v2, '--schema-version', '1'])).toMatchObject({ stdout: 'Compatible.\n' });
  });

  it('fails with one line: the registry\'s error code, or what was wrong with the arguments', async () => {
    expect(await tributary(['schemas', ...url(), '--describe', '--subject', 'ghost'])).toMatchObject({ code: 1, stdout: '', stderr: "Error: INVALID_REQUEST: schema registry error 40401: Subject 'ghost' not found.\n" });
    const bad = file('bad.avsc', '{"type": "record"');
    const invalid = await tributary(['schemas', ...url(), '--register', '--subject', 'bad-value', '--schema-file', bad]);
    expect(invalid).toMatchObject({ code: 1 });
    expect(invalid.stderr).toMatch(/^Error: INVALID_REQUEST: schema registry error 42201: Invalid Avro schema/);
    expect(await tributary(['schemas', ...url(), '--register', '--subject', 'x'])).toMatchObject({ code: 1, stderr: 'Error: INVALID_REQUEST: Missing required argument "[schema-file]" for --register\n' });
    expect((await tributary(['schemas', ...url(), '--list', '--describe'])).stderr).toMatch(/exactly one action/);
    expect(await tributary(['schemas', '--schema-registry-url', 'http://127.0.0.1:1', '--list'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error: NETWORK_EXCEPTION: the schema registry at http:\/\/127.0.0.1:1 cannot be reached/) });
  });
});
