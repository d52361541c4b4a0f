import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProperties, readPropertiesFile } from './properties-file';

describe('properties files (java.util.Properties format)', () => {
  it('reads key=value, key:value and key value lines, skipping comments and blanks', () => {
    const props = parseProperties('# comment\n! also a comment\n\nacks=all\nlinger.ms : 20\n  batch.size 1024\nclient.id=\n');
    expect([...props]).toEqual([
      ['acks', 'all'],
      ['linger.ms', '20'],
      ['batch.size', '1024'],
      ['client.id', ''],
    ]);
  });

  it('joins continued lines and unescapes \\t, \\uXXXX and escaped separators', () => {
    const props = parseProperties('key\\=with\\:seps = a\\tb\\u0041\nlong = one,\\\n    two\n');
    expect(props.get('key=with:seps')).toBe('a\tbA');
    expect(props.get('long')).toBe('one,two');
  });

  it('names the flag and the path when the file cannot be read, and reads a real file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-props-'));
    try {
      expect(() => readPropertiesFile(join(dir, 'missing.properties'), '--producer.config')).toThrow(/--producer.config: cannot read .*missing.properties \(ENOENT\)/);
      writeFileSync(join(dir, 'p.properties'), 'acks=1\n');
      expect(readPropertiesFile(join(dir, 'p.properties'), '--producer.config').get('acks')).toBe('1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
