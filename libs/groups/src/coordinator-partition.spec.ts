import fc from 'fast-check';
import { coordinatorPartition, javaStringHashCode } from './coordinator-partition';
import { validateGroupId } from './group-id';
import { expectGroupError } from './testing/expect-group-error';

/** Java's definition, computed with big integers and wrapped to int32 at the end. */
function referenceHashCode(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = h * 31n + BigInt(s.charCodeAt(i));
  return Number(BigInt.asIntN(32, h));
}

describe('coordinatorPartition', () => {
  const known: [string, number][] = [
    ['', 0],
    ['a', 97],
    ['hello', 99162322],
    ['Hello World', -862545276],
    ['polygenelubricants', -2147483648],
  ];
  it.each(known)('Java String.hashCode(%j) = %d', (s, hash) => {
    expect(javaStringHashCode(s)).toBe(hash);
  });

  it('matches Java String.hashCode for any string, UTF-16 code units included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => expect(javaStringHashCode(s)).toBe(referenceHashCode(s))), { seed: 50 });
  });

  it('is Utils.abs(hashCode) % 50 by default, with a negative hash made positive', () => {
    expect(coordinatorPartition('hello')).toBe(99162322 % 50);
    expect(coordinatorPartition('Hello World')).toBe(862545276 % 50);
    expect(coordinatorPartition('Hello World', 7)).toBe(862545276 % 7);
  });

  it('puts the group whose hash is Integer.MIN_VALUE on partition 0 (Kafka’s Utils.abs)', () => {
    expect(coordinatorPartition('polygenelubricants', 50)).toBe(0);
    expect(coordinatorPartition('polygenelubricants', 7)).toBe(0);
  });

  it('always lands in [0, numPartitions)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1000 }), (groupId, n) => {
        const p = coordinatorPartition(groupId, n);
        expect(Number.isInteger(p) && p >= 0 && p < n).toBe(true);
      }),
      { seed: 51 },
    );
  });

  it('refuses a partition count below 1', () => {
    expect(() => coordinatorPartition('g', 0)).toThrow('numPartitions must be a positive integer');
  });
});

describe('validateGroupId', () => {
  it('accepts any non-blank id, whatever its characters', () => {
    for (const id of ['g', 'my group', 'группа', 'a/b:c', ' padded ']) expect(() => validateGroupId(id)).not.toThrow();
  });

  it('refuses empty and whitespace-only ids (INVALID_GROUP_ID)', () => {
    expectGroupError(() => validateGroupId(''), 'INVALID_GROUP_ID', "GroupId can't be empty");
    expectGroupError(() => validateGroupId(' \t'), 'INVALID_GROUP_ID', "GroupId can't be empty");
  });

  it('refuses ids too long for the protocol, and non-strings', () => {
    expectGroupError(() => validateGroupId('x'.repeat(32768)), 'INVALID_GROUP_ID', '32768 bytes');
    expectGroupError(() => validateGroupId(undefined), 'INVALID_GROUP_ID', 'groupId is missing');
  });

  it('answers with the code the caller names (the heartbeat says INVALID_REQUEST)', () => {
    expectGroupError(() => validateGroupId('', 'INVALID_REQUEST'), 'INVALID_REQUEST');
  });
});
