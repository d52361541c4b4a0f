import { decodeRecord, encodeRecord, type RegistryRecord, type SchemaValue } from './registry-records';
import { RegistryState } from './registry-state';

const schema = (subject: string, version: number, id: number, text: string, extra: Partial<SchemaValue> = {}): RegistryRecord => ({
  key: { keytype: 'SCHEMA', subject, version },
  value: { subject, version, id, schemaType: 'AVRO', references: [], schema: text, deleted: false, ...extra },
});

/** Applies records in log order, as every instance does; answers which were accepted. */
function replay(state: RegistryState, records: RegistryRecord[]): boolean[] {
  return records.map((record, offset) => state.apply(decodeRecord(...Object.values(encodeRecord(record)) as [Buffer, Buffer | null])!, offset));
}

describe('RegistryState: the log decides between concurrent writers', () => {
  it('records survive the topic codec in Confluent\'s layout (schemaType only when not AVRO)', () => {
    const record = schema('s', 1, 7, '"string"', { schemaType: 'JSON', references: [{ name: 'r', subject: 'x', version: 2 }] });
    const { key, value } = encodeRecord(record);
    expect(JSON.parse(key.toString())).toEqual({ keytype: 'SCHEMA', subject: 's', version: 1, magic: 1 });
    expect(JSON.parse(value!.toString())).toEqual({ subject: 's', version: 1, id: 7, schemaType: 'JSON', references: [{ name: 'r', subject: 'x', version: 2 }], schema: '"string"', deleted: false });
    expect(decodeRecord(key, value)).toEqual(record);
    expect(JSON.parse(encodeRecord(schema('s', 1, 7, '"int"')).value!.toString())).not.toHaveProperty('schemaType');
    expect(decodeRecord(Buffer.from('{"keytype":"NOOP","magic":0}'), null)).toBeNull();
  });

  it('one id for two schemas: the second record loses', () => {
    const state = new RegistryState();
    expect(replay(state, [schema('a', 1, 1, '"int"'), schema('b', 1, 1, '"long"')])).toEqual([true, false]);
    expect(state.versions('b')).toEqual([]);
    expect(state.schemaById(1)?.schema).toBe('"int"');
  });

  it('two schemas for one subject version: the second record loses', () => {
    const state = new RegistryState();
    expect(replay(state, [schema('a', 1, 1, '"int"'), schema('a', 1, 2, '"long"')])).toEqual([true, false]);
    expect(state.schemaById(2)).toBeUndefined();
  });

  it('two ids for one schema: the second record loses; the same id under another subject is taken', () => {
    const state = new RegistryState();
    expect(replay(state, [schema('a', 1, 1, '"int"'), schema('b', 1, 2, '"int"'), schema('b', 1, 1, '"int"')])).toEqual([true, false, true]);
    expect(state.versionsOfId(1).map((v) => v.subject)).toEqual(['a', 'b']);
  });

  it('an id at or below the highest one ever given is refused unless the subject is importing', () => {
    const state = new RegistryState();
    const records: RegistryRecord[] = [
      schema('a', 1, 5, '"int"'),
      { key: { keytype: 'ID_FLOOR' }, value: { id: 5 } },
      { key: { keytype: 'SCHEMA', subject: 'a', version: 1 }, value: null },
      schema('b', 1, 5, '"long"'),
      { key: { keytype: 'MODE', subject: 'c' }, value: { mode: 'IMPORT' } },
      schema('c', 1, 3, '"long"'),
    ];
    expect(replay(state, records)).toEqual([true, true, true, false, true, true]);
    expect(state.schemaById(5)).toBeUndefined();
    expect(state.maxId).toBe(5);
  });

  it('soft deletes flip a version\'s flag; DELETE_SUBJECT soft-deletes up to its version; tombstones remove', () => {
    const state = new RegistryState();
    replay(state, [
      schema('a', 1, 1, '"int"'),
      schema('a', 2, 2, '"long"'),
      schema('a', 3, 3, '"string"'),
      { key: { keytype: 'DELETE_SUBJECT', subject: 'a' }, value: { subject: 'a', version: 2 } },
      { key: { keytype: 'SCHEMA', subject: 'a', version: 1 }, value: null },
    ]);
    expect(state.versions('a', { deleted: true }).map((v) => [v.version, v.deleted])).toEqual([
      [2, true],
      [3, false],
    ]);
    expect(state.schemaById(1)).toBeUndefined();
    expect(state.subjectNames()).toEqual(['a']);
  });

  it('the leader is the earliest leader-eligible registration; one that leaves or re-registers goes to the back', () => {
    const state = new RegistryState();
    const join = (url: string, leaderEligibility = true): RegistryRecord => ({ key: { keytype: 'INSTANCE', url }, value: { url, leaderEligibility } });
    replay(state, [join('http://a', false), join('http://b'), join('http://c')]);
    expect(state.leaderUrl()).toBe('http://b');
    state.apply(join('http://b'), 10);
    expect(state.leaderUrl()).toBe('http://c');
    state.apply({ key: { keytype: 'INSTANCE', url: 'http://c' }, value: null }, 11);
    expect(state.leaderUrl()).toBe('http://b');
  });

  it('modes: a global READONLY_OVERRIDE wins over a subject\'s mode', () => {
    const state = new RegistryState();
    replay(state, [{ key: { keytype: 'MODE', subject: 's' }, value: { mode: 'IMPORT' } }]);
    expect(state.modeInScope('s')).toBe('IMPORT');
    state.apply({ key: { keytype: 'MODE', subject: null }, value: { mode: 'READONLY_OVERRIDE' } }, 1);
    expect(state.modeInScope('s')).toBe('READONLY_OVERRIDE');
  });
});
