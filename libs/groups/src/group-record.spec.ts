import fc from 'fast-check';
import { GroupRecord, decodeGroupRecord, encodeGroupRecord, encodeGroupRecordKey } from './group-record';

const text = fc.string({ maxLength: 20 });
const assignmentArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.uniqueArray(fc.nat(100), { minLength: 1, maxLength: 5 })).map((a) =>
  Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([t, ps]) => [t, [...ps].sort((x, y) => x - y)])),
);
const orNull = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const recordArb: fc.Arbitrary<GroupRecord> = fc.oneof(
  fc.record({
    type: fc.constant('OffsetCommit' as const),
    groupId: text,
    topic: text,
    partition: fc.nat(1000),
    value: orNull(fc.record({ offset: fc.maxSafeNat(), leaderEpoch: fc.integer({ min: -1, max: 1000 }), metadata: text, commitTimestampMs: fc.maxSafeNat() }, { requiredKeys: ['offset', 'metadata', 'commitTimestampMs'] })),
  }),
  fc.record({ type: fc.constant('GroupMetadata' as const), groupId: text, value: orNull(fc.record({ groupEpoch: fc.nat(), emptySinceMs: fc.maxSafeNat() }, { requiredKeys: ['groupEpoch'] })) }),
  fc.record({
    type: fc.constant('PartitionMetadata' as const),
    groupId: text,
    value: orNull(fc.record({ topics: fc.array(fc.record({ topicName: text, topicId: text, numPartitions: fc.nat(100) }), { maxLength: 3 }) })),
  }),
  fc.record({
    type: fc.constant('MemberMetadata' as const),
    groupId: text,
    memberId: text,
    value: orNull(
      fc.record(
        {
          instanceId: text,
          rackId: text,
          clientId: text,
          clientHost: text,
          subscribedTopicNames: fc.array(text, { maxLength: 3 }),
          subscribedTopicRegex: text,
          serverAssignor: fc.constantFrom('uniform' as const, 'range' as const),
          rebalanceTimeoutMs: fc.nat(),
        },
        { requiredKeys: ['clientId', 'clientHost', 'subscribedTopicNames', 'rebalanceTimeoutMs'] },
      ),
    ),
  }),
  fc.record({ type: fc.constant('TargetAssignmentMetadata' as const), groupId: text, value: orNull(fc.record({ assignmentEpoch: fc.nat() })) }),
  fc.record({ type: fc.constant('TargetAssignmentMember' as const), groupId: text, memberId: text, value: orNull(fc.record({ partitions: assignmentArb })) }),
  fc.record({
    type: fc.constant('CurrentMemberAssignment' as const),
    groupId: text,
    memberId: text,
    value: orNull(
      fc.record({
        memberEpoch: fc.integer({ min: -2, max: 1000 }),
        previousMemberEpoch: fc.integer({ min: -2, max: 1000 }),
        state: fc.constantFrom('STABLE' as const, 'UNREVOKED_PARTITIONS' as const, 'UNRELEASED_PARTITIONS' as const),
        assignedPartitions: assignmentArb,
        partitionsPendingRevocation: assignmentArb,
      }),
    ),
  }),
);

function decode(r: GroupRecord): GroupRecord {
  const { key, value } = encodeGroupRecord(r);
  return decodeGroupRecord(key, value);
}

describe('group records', () => {
  it('every record decodes to what was encoded, tombstones included', () => {
    fc.assert(fc.property(recordArb, (r) => expect(decode(r)).toEqual(r)), { seed: 8, numRuns: 500 });
  });

  it('a key is a 2-byte type and the JSON array of its fields (golden bytes)', () => {
    const { key, value } = encodeGroupRecord({ type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 3, value: { offset: 42, metadata: '', commitTimestampMs: 7 } });
    expect(key.toString('hex')).toBe('0001' + Buffer.from('["g","t",3]').toString('hex'));
    expect(value?.toString('hex')).toBe('0000' + Buffer.from('{"offset":42,"metadata":"","commitTimestampMs":7}').toString('hex'));
    expect(encodeGroupRecordKey({ type: 'CurrentMemberAssignment', groupId: 'g', memberId: 'm', value: null }).toString('hex')).toBe('0008' + Buffer.from('["g","m"]').toString('hex'));
  });

  it('a tombstone has the same key as the record it deletes, and no value', () => {
    const live = encodeGroupRecord({ type: 'GroupMetadata', groupId: 'g', value: { groupEpoch: 3 } });
    const tombstone = encodeGroupRecord({ type: 'GroupMetadata', groupId: 'g', value: null });
    expect(tombstone.key.equals(live.key)).toBe(true);
    expect(tombstone.value).toBeNull();
  });

  it('refuses unknown key types and newer value versions (UNSUPPORTED_VERSION)', () => {
    expect(() => decodeGroupRecord(Buffer.from([0, 2, 0x5b, 0x5d]), null)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION', message: expect.stringContaining('unknown key type 2') }));
    const { key } = encodeGroupRecord({ type: 'GroupMetadata', groupId: 'g', value: null });
    expect(() => decodeGroupRecord(key, Buffer.from([0, 1, 0x7b, 0x7d]))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION' }));
  });

  it('refuses malformed records (CORRUPT_MESSAGE) naming what is wrong', () => {
    const key = encodeGroupRecordKey({ type: 'GroupMetadata', groupId: 'g', value: null });
    const cases: [Uint8Array, Uint8Array | null, string][] = [
      [Buffer.from([0]), null, 'shorter than its 2-byte header'],
      [Buffer.concat([Buffer.from([0, 3]), Buffer.from('not json')]), null, 'is not JSON'],
      [Buffer.concat([Buffer.from([0, 5]), Buffer.from('["g"]')]), null, 'MemberMetadata key must be a JSON array of 2 fields'],
      [key, Buffer.concat([Buffer.from([0, 0]), Buffer.from('{"groupEpoch":-1}')]), 'GroupMetadata.groupEpoch must be an integer ≥ 0'],
      [
        encodeGroupRecordKey({ type: 'CurrentMemberAssignment', groupId: 'g', memberId: 'm', value: null }),
        Buffer.concat([Buffer.from([0, 0]), Buffer.from('{"memberEpoch":1,"previousMemberEpoch":0,"state":"DANCING","assignedPartitions":{},"partitionsPendingRevocation":{}}')]),
        'state DANCING is not a member state',
      ],
    ];
    for (const [k, v, message] of cases) expect(() => decodeGroupRecord(k, v)).toThrow(expect.objectContaining({ code: 'CORRUPT_MESSAGE', message: expect.stringContaining(message) }));
  });
});
