import type { ConsumerRecord } from '@tributary/client';
import { formatRecord, recordFormat } from './record-formatter';

const record: ConsumerRecord = {
  topic: 't',
  partition: 2,
  offset: 41,
  timestamp: 1700000000123,
  timestampType: 'CreateTime',
  key: Buffer.from('k1'),
  value: Buffer.from('hello'),
  headers: [],
};

const format = (props: Record<string, string>, r: ConsumerRecord = record) => formatRecord(r, recordFormat(new Map(Object.entries(props))));

describe('formatRecord (kafka-console-consumer output)', () => {
  it('prints only the value by default', () => {
    expect(format({})).toBe('hello\n');
  });

  it('prints timestamp, partition, offset, key and value tab-separated in Kafka\'s order', () => {
    expect(format({ 'print.timestamp': 'true', 'print.partition': 'true', 'print.offset': 'true', 'print.key': 'true' })).toBe(
      'CreateTime:1700000000123\tPartition:2\tOffset:41\tk1\thello\n',
    );
  });

  it('separates fields with key.separator when given', () => {
    expect(format({ 'print.key': 'true', 'print.offset': 'true', 'key.separator': ':' })).toBe('Offset:41:k1:hello\n');
  });

  it('prints null keys and values as "null"', () => {
    expect(format({ 'print.key': 'true' }, { ...record, key: null, value: null })).toBe('null\tnull\n');
  });

  it('prints headers after the offset, NO_HEADERS when there are none, null values as null.literal', () => {
    const withHeaders = { ...record, key: null, headers: [{ key: 'h1', value: Buffer.from('v1') }, { key: 'h2', value: null }] };
    const props = { 'print.headers': 'true', 'print.key': 'true', 'print.offset': 'true' };
    expect(format(props, withHeaders)).toBe('Offset:41\th1:v1,h2:null\tnull\thello\n');
    expect(format({ ...props, 'headers.separator': '|', 'null.literal': '<nil>' }, withHeaders)).toBe('Offset:41\th1:v1|h2:<nil>\t<nil>\thello\n');
    expect(format({ 'print.headers': 'true' })).toBe('NO_HEADERS\thello\n');
  });

  it('leaves the value out with print.value=false and ends lines with line.separator', () => {
    expect(format({ 'print.key': 'true', 'print.value': 'false', 'line.separator': ';' })).toBe('k1;');
    expect(format({ 'print.timestamp': 'TRUE' }, { ...record, timestampType: 'LogAppendTime' })).toBe('LogAppendTime:1700000000123\thello\n');
  });

  it('refuses unknown properties and non-boolean flags', () => {
    expect(() => format({ 'print.everything': 'true' })).toThrow(/unknown --property "print.everything"/);
    expect(() => format({ 'print.key': 'yes' })).toThrow(/must be true or false/);
  });
});
