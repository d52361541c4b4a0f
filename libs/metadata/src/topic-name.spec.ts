import { expectTributaryError } from './testing/expect-tributary-error';
import { checkTopicNameCollision, validateTopicName } from './topic-name';

describe('validateTopicName', () => {
  it.each(['a', 'orders', 'Orders.v2', 'snake_case', 'kebab-case', '__consumer_offsets', '...', 'x'.repeat(249), '0123456789'])(
    'accepts %j',
    (name) => expect(() => validateTopicName(name)).not.toThrow(),
  );

  it.each([
    ['', 'empty'],
    ['.', '"." or ".."'],
    ['..', '"." or ".."'],
    ['x'.repeat(250), '250 characters long; the maximum is 249'],
    ['with space', 'character " "'],
    ['slash/topic', 'character "/"'],
    ['tab\there', 'character "\\t"'],
    ['ümlaut', 'character "ü"'],
    ['colon:x', 'character ":"'],
  ])('rejects %j with INVALID_TOPIC_EXCEPTION saying %s', (name, reason) => {
    expectTributaryError(() => validateTopicName(name), 'INVALID_TOPIC_EXCEPTION', `Invalid topic name ${JSON.stringify(name)}`, reason);
  });
});

describe('checkTopicNameCollision', () => {
  it("rejects a name equal to an existing one once '.' is read as '_'", () => {
    expectTributaryError(
      () => checkTopicNameCollision('metrics.cpu', ['metrics_cpu', 'other']),
      'INVALID_TOPIC_EXCEPTION',
      'collides with existing topic "metrics_cpu"',
    );
  });

  it('accepts names that do not collide, and the same name (existence is checked elsewhere)', () => {
    expect(() => checkTopicNameCollision('metrics.cpu', ['metrics.cpu', 'metrics-cpu'])).not.toThrow();
    expect(() => checkTopicNameCollision('plain', ['plain'])).not.toThrow();
  });
});
