import { compileTopicRegex } from './topic-regex';
import { expectGroupError } from './testing/expect-group-error';

describe('compileTopicRegex', () => {
  it('matches whole topic names only, as Kafka does', () => {
    const re = compileTopicRegex('orders-.*');
    expect(re.test('orders-eu')).toBe(true);
    expect(re.test('old-orders-eu')).toBe(false);
    expect(compileTopicRegex('orders').test('orders-eu')).toBe(false);
  });

  it('keeps alternations inside the anchors', () => {
    const re = compileTopicRegex('a|b');
    expect(['a', 'b', 'ab', 'xa'].map((t) => re.test(t))).toEqual([true, true, false, false]);
  });

  it('cannot be escaped out of the anchoring group', () => {
    expectGroupError(() => compileTopicRegex('a)|(b'), 'INVALID_REGULAR_EXPRESSION', '`a)|(b`');
  });

  it('refuses malformed patterns with the reason', () => {
    expectGroupError(() => compileTopicRegex('orders-('), 'INVALID_REGULAR_EXPRESSION', 'SubscribedTopicRegex `orders-(` is not a valid regular expression');
    expectGroupError(() => compileTopicRegex('[a-'), 'INVALID_REGULAR_EXPRESSION');
  });

  it('refuses what RE2 does not have: backreferences and lookaround', () => {
    expectGroupError(() => compileTopicRegex('(a)\\1'), 'INVALID_REGULAR_EXPRESSION', 'backreference');
    expectGroupError(() => compileTopicRegex('(?=a)a'), 'INVALID_REGULAR_EXPRESSION', 'lookaround');
    expectGroupError(() => compileTopicRegex('(?<!x)a'), 'INVALID_REGULAR_EXPRESSION', 'lookaround');
    expect(compileTopicRegex('(?:a|b)\\d+\\.x').test('a12.x')).toBe(true);
  });

  it('refuses very long patterns', () => {
    expectGroupError(() => compileTopicRegex('a'.repeat(1025)), 'INVALID_REGULAR_EXPRESSION', '1025 characters');
  });
});
