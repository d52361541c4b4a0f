import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProperties, parseServerArgs } from './server-args';

describe('server arguments', () => {
  it('parseProperties reads key=value and key: value lines, skipping comments and blanks', () => {
    expect(parseProperties('# comment\n! also\n\nnum.partitions=3\nlog.dirs : /var/data\r\nempty=\n')).toEqual({
      'num.partitions': '3',
      'log.dirs': '/var/data',
      empty: '',
    });
  });

  it('parseProperties names a line it cannot read', () => {
    expect(() => parseProperties('just words')).toThrow(/just words/);
  });

  it('defaults to ./data, 127.0.0.1:9092, the controller on 9093, metrics on 9644 and the schema registry on 8081', () => {
    expect(parseServerArgs([])).toEqual({
      broker: {
        dataDir: './data',
        host: '127.0.0.1',
        port: 9092,
        controllerPort: 9093,
        metricsPort: 9644,
        config: {},
        logLevel: 'info',
      },
      schemaRegistry: { port: 8081 },
    });
  });

  it('--no-schema-registry runs none', () => {
    expect(parseServerArgs(['--no-schema-registry']).schemaRegistry).toBeUndefined();
  });

  it('--config entries override the --config-file ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'server-args-'));
    try {
      const file = join(dir, 'server.properties');
      await writeFile(file, 'num.partitions=3\nauto.create.topics.enable=false\n');
      const { broker: options } = parseServerArgs(['--data-dir', '/d', '--port', '0', '--config-file', file, '--config', 'num.partitions=6']);
      expect(options).toMatchObject({ dataDir: '/d', port: 0, config: { 'num.partitions': '6', 'auto.create.topics.enable': 'false' } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a port that is not one', () => {
    expect(() => parseServerArgs(['--port', '70000'])).toThrow(/70000/);
  });
});
