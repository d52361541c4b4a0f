import { http as call, RegistryTestCluster } from './testing/registry-test-cluster';

jest.setTimeout(30_000);

const record = (name: string, fields: object[] = []) => JSON.stringify({ type: 'record', name, fields });
const intField = (name: string, extra: object = {}) => ({ name, type: 'int', ...extra });

describe('REST API (Confluent Schema Registry) against a real broker', () => {
  let cluster: RegistryTestCluster;
  let url = '';
  const http = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(url, method, path, body, headers);
  const register = (subject: string, schema: string, extra: object = {}, query = '') => http('POST', `/subjects/${subject}/versions${query}`, { schema, ...extra });

  beforeAll(async () => {
    cluster = await RegistryTestCluster.start();
    url = (await cluster.startRegistry()).url;
  });
  afterAll(() => cluster.destroy());

  it('register: ids are global and stable, versions count from 1 per subject, the same schema under two subjects gets one id', async () => {
    const v1 = record('User', [intField('a')]);
    const first = await register('users-value', v1);
    expect(first).toMatchObject({ status: 200, body: { id: expect.any(Number) } });
    expect(first.headers.get('content-type')).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
    expect((await register('users-value', v1)).body).toEqual(first.body);
    expect((await register('other-value', v1)).body).toEqual(first.body);
    const second = await register('users-value', record('User', [intField('a'), intField('b', { default: 0 })]));
    expect((second.body as { id: number }).id).toBeGreaterThan((first.body as { id: number }).id);
    expect((await http('GET', '/subjects/users-value/versions')).body).toEqual([1, 2]);
    expect((await http('GET', '/subjects/other-value/versions')).body).toEqual([1]);
    expect((await http('GET', '/subjects/users-value/versions/latest')).body).toEqual({
      subject: 'users-value',
      version: 2,
      id: (second.body as { id: number }).id,
      schema: '{"type":"record","name":"User","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}',
    });
    expect((await http('GET', '/subjects/users-value/versions/-1')).body).toMatchObject({ version: 2 });
    expect((await http('GET', '/subjects/users-value/versions/1/schema')).body).toEqual(JSON.parse(v1));
    expect((await http('GET', `/schemas/ids/${(first.body as { id: number }).id}`)).body).toEqual({ schema: v1 });
    expect((await http('GET', `/schemas/ids/${(first.body as { id: number }).id}/schema`)).body).toEqual(JSON.parse(v1));
    expect((await http('GET', `/schemas/ids/${(first.body as { id: number }).id}/subjects`)).body).toEqual(['other-value', 'users-value']);
    expect((await http('GET', `/schemas/ids/${(first.body as { id: number }).id}/versions`)).body).toEqual([
      { subject: 'other-value', version: 1 },
      { subject: 'users-value', version: 1 },
    ]);
    const { body: withMax } = await http('GET', `/schemas/ids/${(first.body as { id: number }).id}?fetchMaxId=true`);
    expect((withMax as { maxId: number }).maxId).toBeGreaterThanOrEqual((second.body as { id: number }).id);
  });

  it('register: stores the canonical form, and with normalize=true the normalized one, deduplicating spellings', async () => {
    const spaced = '{ "type" : "record", "name": "Spaced", "namespace": "n", "fields": [ ] }';
    const { body } = await register('canonical-value', spaced);
    expect((await http('GET', '/subjects/canonical-value/versions/1')).body).toMatchObject({ schema: '{"type":"record","name":"Spaced","namespace":"n","fields":[]}' });
    const normalized = await register('normalized-value', '{"name":"Spaced","type":"record","namespace":"n","fields":[]}', {}, '?normalize=true');
    const again = await register('normalized-value', '{"type":"record","fields":[],"name":"n.Spaced"}', {}, '?normalize=true');
    expect(again.body).toEqual(normalized.body);
    expect(normalized.body).not.toEqual(body);
    expect((await http('GET', '/subjects/normalized-value/versions')).body).toEqual([1]);
  });

  it('register: JSON Schema and Protobuf carry their schemaType; a change of type is incompatible (409)', async () => {
    const json = JSON.stringify({ type: 'object', properties: { a: { type: 'string' } } });
    const jsonId = (await register('json-value', json, { schemaType: 'JSON' })).body as { id: number };
    expect((await http('GET', `/schemas/ids/${jsonId.id}`)).body).toEqual({ schemaType: 'JSON', schema: json });
    const proto = 'syntax = "proto3";\npackage p;\n\nmessage M {\n  string a = 1;\n}\n';
    const protoId = (await register('proto-value', proto, { schemaType: 'protobuf' })).body as { id: number };
    const fetched = (await http('GET', '/subjects/proto-value/versions/1')).body as { schemaType: string; schema: string };
    expect(fetched.schemaType).toBe('PROTOBUF');
    expect((await http('GET', `/schemas/ids/${protoId.id}/schema`)).text).toBe(fetched.schema);
    const changed = await register('json-value', record('NowAvro'));
    expect(changed.status).toBe(409);
    expect(changed.body).toEqual({ error_code: 409, message: expect.stringMatching(/^Schema being registered is incompatible with an earlier schema for subject "json-value", details: \[Incompatible because of different schema type/) });
  });

  it('compatibility: BACKWARD by default, transitive levels check every version, NONE checks nothing, verbose says why', async () => {
    await register('compat-value', record('C', [intField('a')]));
    const missingDefault = record('C', [intField('a'), intField('b')]);
    const rejected = await register('compat-value', missingDefault);
    expect(rejected.status).toBe(409);
    expect((rejected.body as { message: string }).message).toContain("READER_FIELD_MISSING_DEFAULT_VALUE");
    const check = await http('POST', '/compatibility/subjects/compat-value/versions/latest?verbose=true', { schema: missingDefault });
    expect(check.body).toEqual({ is_compatible: false, messages: expect.arrayContaining(["{compatibility: 'BACKWARD'}"]) });
    expect((await http('POST', '/compatibility/subjects/compat-value/versions/1', { schema: missingDefault })).body).toEqual({ is_compatible: false });
    expect((await http('POST', '/compatibility/subjects/compat-value/versions', { schema: record('C', [intField('a')]) })).body).toEqual({ is_compatible: true });
    expect((await http('POST', '/compatibility/subjects/no-such-subject/versions/latest', { schema: missingDefault })).body).toEqual({ is_compatible: true });

    // v1 {a: int}, v2 drops a, v3 brings a back as a string with a default: v3 reads v2's data, not v1's.
    await http('PUT', '/config/transitive-value', { compatibility: 'BACKWARD' });
    await register('transitive-value', record('T', [intField('a')]));
    await register('transitive-value', record('T', []));
    const readdedA = record('T', [{ name: 'a', type: 'string', default: '' }]);
    expect((await http('POST', '/compatibility/subjects/transitive-value/versions', { schema: readdedA })).body).toEqual({ is_compatible: true });
    expect((await http('PUT', '/config/transitive-value', { compatibility: 'backward_transitive' })).body).toEqual({ compatibility: 'BACKWARD_TRANSITIVE' });
    const transitive = await http('POST', '/compatibility/subjects/transitive-value/versions?verbose=true', { schema: readdedA });
    expect(transitive.body).toEqual({ is_compatible: false, messages: expect.arrayContaining([expect.stringContaining('TYPE_MISMATCH'), '{oldSchemaVersion: 1}']) });
    expect((await http('POST', '/compatibility/subjects/transitive-value/versions/latest', { schema: readdedA })).body).toEqual({ is_compatible: true });
    expect((await register('transitive-value', readdedA)).status).toBe(409);
    await http('PUT', '/config/transitive-value', { compatibility: 'NONE' });
    expect((await register('transitive-value', readdedA)).status).toBe(200);
  });

  it('config: global default BACKWARD, per-subject levels, defaultToGlobal, deletes answer the previous value (40408 when unset)', async () => {
    expect((await http('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await http('GET', '/config/unconfigured')).body).toEqual({ error_code: 40408, message: "Subject 'unconfigured' does not have subject-level compatibility configured" });
    expect((await http('GET', '/config/unconfigured?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await http('PUT', '/config/configured', { compatibility: 'FULL_TRANSITIVE', normalize: true })).body).toEqual({ compatibility: 'FULL_TRANSITIVE', normalize: true });
    expect((await http('GET', '/config/configured')).body).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE', normalize: true });
    expect((await http('DELETE', '/config/configured')).body).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE', normalize: true });
    expect((await http('DELETE', '/config/configured')).body).toMatchObject({ error_code: 40408 });
    expect((await http('PUT', '/config', { compatibility: 'FORWARD' })).body).toEqual({ compatibility: 'FORWARD' });
    expect((await http('GET', '/config')).body).toEqual({ compatibilityLevel: 'FORWARD' });
    expect((await http('DELETE', '/config')).body).toEqual({ compatibilityLevel: 'FORWARD' });
    expect((await http('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    const invalid = await http('PUT', '/config', { compatibility: 'SIDEWAYS' });
    expect(invalid).toMatchObject({ status: 422, body: { error_code: 42203, message: expect.stringContaining('Invalid compatibility level') } });
    expect((await http('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
  });

  it('modes: READONLY refuses writes (42205), IMPORT registers with the given id and version and skips checks, READONLY_OVERRIDE wins over subjects', async () => {
    expect((await http('GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
    await register('ro-value', record('R'));
    expect((await http('PUT', '/mode/ro-value', { mode: 'READONLY' })).body).toEqual({ mode: 'READONLY' });
    expect((await http('GET', '/mode/ro-value')).body).toEqual({ mode: 'READONLY' });
    expect((await register('ro-value', record('R', [intField('x', { default: 1 })]))).body).toEqual({ error_code: 42205, message: 'Subject ro-value is in read-only mode' });
    expect((await register('ro-value', record('R'))).status).toBe(200); // already registered: answered without a write
    expect((await http('DELETE', '/subjects/ro-value/versions/1')).body).toEqual({ error_code: 42205, message: 'Subject ro-value is in read-only mode' });
    expect((await http('DELETE', '/subjects/ro-value')).body).toMatchObject({ error_code: 42205 });
    expect((await http('DELETE', '/mode/ro-value')).body).toEqual({ mode: 'READONLY' });
    expect((await http('GET', '/mode/ro-value')).body).toEqual({ error_code: 40409, message: "Subject 'ro-value' does not have subject-level mode configured" });
    expect((await http('GET', '/mode/ro-value?defaultToGlobal=true')).body).toEqual({ mode: 'READWRITE' });

    expect((await http('PUT', '/mode/imported-value', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
    expect((await register('imported-value', record('I'))).body).toEqual({ error_code: 42205, message: 'Subject imported-value is not in read-write mode' });
    expect((await register('imported-value', record('I'), { id: 5000, version: 7 })).body).toEqual({ id: 5000 });
    expect((await http('GET', '/subjects/imported-value/versions/7')).body).toMatchObject({ id: 5000, version: 7 });
    expect((await register('imported-value', record('I', [intField('required')]), { id: 5001, version: 8 })).body).toEqual({ id: 5001 });
    expect((await register('imported-value', record('Other'), { id: 5000, version: 9 })).body).toEqual({ error_code: 42205, message: 'Overwrite new schema with id 5000 is not permitted.' });
    expect((await register('plain-value', record('P'), { id: 6000 })).body).toEqual({ error_code: 42205, message: 'Subject plain-value is not in import mode' });
    expect((await http('PUT', '/mode/users-value', { mode: 'IMPORT' })).body).toEqual({ error_code: 42205, message: 'Cannot import since found existing subjects' });
    await http('DELETE', '/mode/imported-value');
    // New ids go past imported ones.
    expect(((await register('after-import-value', record('After'))).body as { id: number }).id).toBeGreaterThan(5001);

    expect((await http('PUT', '/mode', { mode: 'READONLY_OVERRIDE' })).body).toEqual({ mode: 'READONLY_OVERRIDE' });
    expect((await register('override-value', record('O'))).body).toMatchObject({ error_code: 42205 });
    expect((await http('DELETE', '/mode')).body).toEqual({ mode: 'READONLY_OVERRIDE' });
    expect((await http('PUT', '/mode', { mode: 'SOMETIMES' })).body).toEqual({ error_code: 42204, message: expect.stringContaining('Invalid mode') });
    expect((await http('GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
  });

  it('deletes: soft first (40404, 40406 on repeat), permanent only after soft (40405, 40407); ids stay readable after a soft delete', async () => {
    const id = ((await register('del-value', record('D'))).body as { id: number }).id;
    await register('del-value', record('D', [intField('x', { default: 1 })]));
    expect((await http('DELETE', '/subjects/del-value/versions/2?permanent=true')).body).toEqual({
      error_code: 40407,
      message: "Subject 'del-value' Version 2 was not deleted first before being permanently deleted",
    });
    expect((await http('DELETE', '/subjects/del-value/versions/2')).body).toBe(2);
    expect((await http('DELETE', '/subjects/del-value/versions/2')).body).toEqual({
      error_code: 40406,
      message: "Subject 'del-value' Version 2 was soft deleted.Set permanent=true to delete permanently",
    });
    expect((await http('GET', '/subjects/del-value/versions/2')).body).toEqual({ error_code: 40402, message: 'Version 2 not found.' });
    expect((await http('GET', '/subjects/del-value/versions/2?deleted=true')).body).toMatchObject({ version: 2 });
    expect((await http('GET', '/subjects/del-value/versions?deleted=true')).body).toEqual([1, 2]);
    expect((await http('GET', '/subjects/del-value/versions?deletedOnly=true')).body).toEqual([2]);
    expect((await http('DELETE', '/subjects/del-value?permanent=true')).body).toEqual({ error_code: 40405, message: "Subject 'del-value' was not deleted first before being permanently deleted" });
    expect((await http('DELETE', '/subjects/del-value')).body).toEqual([1]);
    expect((await http('DELETE', '/subjects/del-value')).body).toEqual({ error_code: 40404, message: "Subject 'del-value' was soft deleted.Set permanent=true to delete permanently" });
    expect((await http('GET', '/subjects')).body).not.toContain('del-value');
    expect((await http('GET', '/subjects?deleted=true')).body).toContain('del-value');
    expect((await http('GET', '/subjects?deletedOnly=true')).body).toEqual(['del-value']);
    expect((await http('GET', '/subjects/del-value/versions')).body).toEqual({ error_code: 40401, message: "Subject 'del-value' not found." });
    expect((await http('GET', `/schemas/ids/${id}`)).status).toBe(200);
    expect((await http('GET', `/schemas/ids/${id}/subjects`)).body).toEqual([]);
    expect((await http('GET', `/schemas/ids/${id}/subjects?deleted=true`)).body).toEqual(['del-value']);
    expect((await http('DELETE', '/subjects/del-value?permanent=true')).body).toEqual([1, 2]);
    expect((await http('GET', `/schemas/ids/${id}`)).body).toEqual({ error_code: 40403, message: `Schema ${id} not found` });
    expect((await http('GET', '/subjects?deleted=true')).body).not.toContain('del-value');
    expect((await http('DELETE', '/subjects/del-value')).body).toEqual({ error_code: 40401, message: "Subject 'del-value' not found." });
    // A hard-deleted schema registered again gets a new id: ids are never given twice.
    expect(((await register('del-value', record('D'))).body as { id: number }).id).toBeGreaterThan(id);
  });

  it('references resolve across subjects, are listed by referencedby, and block deleting what they reference (42206)', async () => {
    await register('address', JSON.stringify({ type: 'record', name: 'Address', namespace: 'shop', fields: [{ name: 'city', type: 'string' }] }));
    const customer = JSON.stringify({ type: 'record', name: 'Customer', namespace: 'shop', fields: [{ name: 'address', type: 'shop.Address' }] });
    const references = [{ name: 'shop.Address', subject: 'address', version: 1 }];
    const { body } = await register('customer-value', customer, { references });
    const id = (body as { id: number }).id;
    expect((await http('GET', '/subjects/customer-value/versions/1')).body).toMatchObject({ references, id });
    expect((await http('GET', `/schemas/ids/${id}`)).body).toEqual({ references, schema: customer });
    expect((await http('GET', '/subjects/address/versions/1/referencedby')).body).toEqual([id]);
    expect((await http('DELETE', '/subjects/address/versions/1')).body).toEqual({
      error_code: 42206,
      message: 'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=address,version=1}.',
    });
    expect((await http('DELETE', '/subjects/address')).body).toMatchObject({ error_code: 42206 });
    const missing = await register('broken-value', customer, { references: [{ name: 'shop.Address', subject: 'address', version: 9 }] });
    expect(missing).toMatchObject({ status: 422, body: { error_code: 42201, message: expect.stringContaining('no schema reference found for subject "address" and version 9') } });
    expect((await register('unresolved-value', customer)).body).toMatchObject({ error_code: 42201, message: expect.stringContaining('Invalid Avro schema') });
    expect((await http('GET', '/subjects')).body).not.toContain('broken-value');
    // Once the referrer is gone for good, the referenced schema can go.
    await http('DELETE', '/subjects/customer-value');
    await http('DELETE', '/subjects/customer-value?permanent=true');
    expect((await http('DELETE', '/subjects/address/versions/1')).body).toBe(1);
  });

  it('lookup: POST /subjects/{subject} finds the version holding a schema (40401 unknown subject, 40403 unknown schema)', async () => {
    const schema = record('L', [intField('a')]);
    const id = ((await register('lookup-value', schema)).body as { id: number }).id;
    expect((await http('POST', '/subjects/lookup-value', { schema: ' ' + schema })).body).toEqual({ subject: 'lookup-value', version: 1, id, schema });
    expect((await http('POST', '/subjects/lookup-value', { schema: record('L') })).body).toEqual({ error_code: 40403, message: 'Schema not found' });
    expect((await http('POST', '/subjects/nobody', { schema })).body).toEqual({ error_code: 40401, message: "Subject 'nobody' not found." });
    await http('DELETE', '/subjects/lookup-value/versions/1');
    expect((await http('POST', '/subjects/lookup-value?deleted=true', { schema })).body).toMatchObject({ version: 1 });
  });

  it('listings: GET /subjects with subjectPrefix, GET /schemas with prefix, latestOnly, offset and limit, GET /schemas/types', async () => {
    await register('list-a', record('LA'));
    await register('list-a', record('LA', [intField('x', { default: 0 })]));
    await register('list-b', record('LB'));
    expect((await http('GET', '/subjects?subjectPrefix=list-')).body).toEqual(['list-a', 'list-b']);
    const all = (await http('GET', '/schemas?subjectPrefix=list-')).body as { subject: string; version: number }[];
    expect(all.map((s) => `${s.subject}/${s.version}`)).toEqual(['list-a/1', 'list-a/2', 'list-b/1']);
    const latest = (await http('GET', '/schemas?subjectPrefix=list-&latestOnly=true')).body as { subject: string; version: number }[];
    expect(latest.map((s) => `${s.subject}/${s.version}`)).toEqual(['list-a/2', 'list-b/1']);
    const page = (await http('GET', '/schemas?subjectPrefix=list-&offset=1&limit=1')).body as { subject: string; version: number }[];
    expect(page.map((s) => `${s.subject}/${s.version}`)).toEqual(['list-a/2']);
    expect((await http('GET', '/schemas/types')).body).toEqual(['JSON', 'PROTOBUF', 'AVRO']);
    expect((await http('GET', '/')).body).toEqual({});
  });

  it('media types: answers in the negotiated type of the three, 406 for others, 415 for bodies of another type', async () => {
    for (const type of ['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json', 'application/json']) {
      const answer = await http('GET', '/config', undefined, { accept: type });
      expect(answer.headers.get('content-type')).toMatch(new RegExp(`^${type.replace(/[+.]/g, '\\$&')}`));
    }
    expect((await http('GET', '/config', undefined, { accept: '*/*' })).headers.get('content-type')).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
    expect(await http('GET', '/config', undefined, { accept: 'text/html' })).toMatchObject({ status: 406, body: { error_code: 406 } });
    const plain = await http('POST', '/subjects/media-value/versions', { schema: record('M') }, { 'content-type': 'text/plain' });
    expect(plain).toMatchObject({ status: 415, body: { error_code: 415 } });
    expect((await http('POST', '/subjects/media-value/versions', { schema: record('M') }, { 'content-type': 'application/json' })).status).toBe(200);
  });

  describe('bad input: Confluent\'s error and nothing stored', () => {
    const nothingStored = async (subject: string) => expect((await http('GET', `/subjects/${subject}/versions`)).body).toMatchObject({ error_code: 40401 });

    it.each([
      ['an unparseable Avro schema', { schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nonsense"}]}' }, 422, 42201, /^Invalid Avro schema: .*nonsense/],
      ['a schema that is not JSON', { schema: '{not json' }, 422, 42201, /^Invalid Avro schema/],
      ['an unparseable Protobuf schema', { schema: 'message {', schemaType: 'PROTOBUF' }, 422, 42201, /^Invalid Protobuf schema/],
      ['an unknown schema type', { schema: '{}', schemaType: 'XML' }, 422, 42201, /Unknown schema type 'XML'/],
      ['an empty schema', { schema: '' }, 422, 42201, /^Empty schema$/],
      ['a schema that is not a string', { schema: { type: 'string' } }, 422, 422, /"schema" must be a string/],
      ['references that are not a list of references', { schema: '"string"', references: [{ name: 'x' }] }, 422, 422, /"references" must be an array/],
      ['a body that is not JSON', '{"schema": ', 400, 400, /^Malformed request body: .*send a JSON object/],
      ['an empty body', '', 422, 422, /request body is empty/],
      ['a JSON array body', '[1]', 422, 422, /must be a JSON object/],
    ])('%s', async (_name, body, status, errorCode, message) => {
      const subject = `bad-${errorCode}-${Math.random().toString(36).slice(2)}`;
      const answer = await http('POST', `/subjects/${subject}/versions`, body);
      expect(answer).toMatchObject({ status, body: { error_code: errorCode } });
      expect((answer.body as { message: string }).message).toMatch(message);
      await nothingStored(subject);
    });

    it('non-numeric and out-of-range versions are 42202', async () => {
      await register('versions-value', record('V'));
      for (const version of ['one', '0', '-2', '2147483648']) {
        expect((await http('GET', `/subjects/versions-value/versions/${version}`)).body).toEqual({
          error_code: 42202,
          message: `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
        });
      }
      expect((await http('DELETE', '/subjects/versions-value/versions/x')).body).toMatchObject({ error_code: 42202 });
      expect((await http('POST', '/compatibility/subjects/versions-value/versions/x', { schema: record('V') })).body).toMatchObject({ error_code: 42202 });
      expect((await http('GET', '/subjects/versions-value/versions/9')).body).toEqual({ error_code: 40402, message: 'Version 9 not found.' });
      expect((await http('GET', '/subjects/versions-value/versions')).body).toEqual([1]);
    });

    it('unknown subjects, ids and paths are 404s', async () => {
      expect((await http('GET', '/subjects/ghost/versions/1')).body).toEqual({ error_code: 40401, message: "Subject 'ghost' not found." });
      expect((await http('GET', '/subjects/ghost/versions/1/referencedby')).body).toMatchObject({ error_code: 40401 });
      expect((await http('GET', '/schemas/ids/999999')).body).toEqual({ error_code: 40403, message: 'Schema 999999 not found' });
      expect((await http('GET', '/schemas/ids/abc')).body).toMatchObject({ error_code: 40403 });
      expect((await http('GET', '/schemas/ids/999999/versions')).body).toMatchObject({ error_code: 40403 });
      expect((await http('POST', '/compatibility/subjects/ghost/versions/3', { schema: record('G') })).body).toMatchObject({ error_code: 40401 });
      expect(await http('GET', '/no/such/path')).toMatchObject({ status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } });
    });

    it('a bad mode or level body is 42204 / 42203, a bad config body 422', async () => {
      expect((await http('PUT', '/mode', { mode: 7 })).body).toMatchObject({ error_code: 42204 });
      expect((await http('PUT', '/config', { compatibility: 7 })).body).toMatchObject({ error_code: 42203 });
      expect((await http('PUT', '/config', {})).body).toMatchObject({ error_code: 42203 });
      expect((await http('PUT', '/config', { compatibility: 'FULL', normalize: 'yes' })).body).toMatchObject({ error_code: 422 });
      expect((await http('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    });

    it('a schema with a version that does not follow the latest is refused outside IMPORT', async () => {
      expect((await register('jump-value', record('J'), { version: 5 })).body).toEqual({ error_code: 42201, message: 'Version is not one more than previous version' });
      await nothingStored('jump-value');
    });
  });
});
