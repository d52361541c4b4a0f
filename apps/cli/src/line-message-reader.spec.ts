import { LineMessageReader } from './line-message-reader';

const reader = (props: Record<string, string>) => LineMessageReader.fromProperties(new Map(Object.entries(props)));

describe('LineMessageReader (kafka-console-producer line parsing)', () => {
  it('takes the whole line as the value by default', () => {
    expect(reader({}).read('a\tb', 1)).toEqual({ key: null, value: 'a\tb' });
  });

  it('splits headers, key and value with the default separators', () => {
    expect(reader({ 'parse.headers': 'true', 'parse.key': 'true' }).read('h1:v1,h2:v2\tk\tv', 1)).toEqual({
      key: 'k',
      value: 'v',
      headers: [{ key: 'h1', value: 'v1' }, { key: 'h2', value: 'v2' }],
    });
  });

  it('uses custom separators and turns the null marker into null keys, values, header values and no headers', () => {
    const r = reader({ 'parse.headers': 'true', 'parse.key': 'true', 'headers.delimiter': '|', 'headers.separator': ';', 'headers.key.separator': '=', 'key.separator': '#', 'null.marker': 'NULL' });
    expect(r.read('a=1;b=NULL|NULL#NULL', 1)).toEqual({ key: null, value: null, headers: [{ key: 'a', value: '1' }, { key: 'b', value: null }] });
    expect(r.read('NULL|k#v', 2)).toEqual({ key: 'k', value: 'v' });
  });

  it('fails a line without a separator with Kafka\'s message, or with ignore.error keeps the rest as the value', () => {
    expect(() => reader({ 'parse.key': 'true' }).read('novalue', 3)).toThrow("No key separator found on line number 3: 'novalue'");
    expect(() => reader({ 'parse.headers': 'true' }).read('x', 1)).toThrow("No headers delimiter found on line number 1: 'x'");
    expect(() => reader({ 'parse.headers': 'true' }).read('h\tv', 4)).toThrow("No header key separator found in pair 'h' on line number 4");
    expect(reader({ 'parse.key': 'true', 'ignore.error': 'true' }).read('novalue', 1)).toEqual({ key: null, value: 'novalue' });
    expect(reader({ 'parse.headers': 'true', 'ignore.error': 'true' }).read('h\tv', 1)).toEqual({ key: null, value: 'v', headers: [{ key: 'h', value: null }] });
  });

  it('refuses unknown properties, a null-marker header key and ambiguous separators', () => {
    expect(() => reader({ 'parse.everything': 'true' })).toThrow(/unknown --property "parse.everything"/);
    expect(() => reader({ 'parse.headers': 'true', 'null.marker': 'N' }).read('N:v\tx', 1)).toThrow("Header keys should not be equal to the null marker 'N' as they can't be null");
    expect(() => reader({ 'parse.headers': 'true', 'headers.separator': ':' })).toThrow('headers.separator and headers.key.separator may not be equal');
    expect(() => reader({ 'null.marker': '\t' })).toThrow('null.marker and key.separator may not be equal');
  });
});
