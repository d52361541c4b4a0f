import { isTributaryError } from '@tributary/protocol';
import { formatQuorumVoters, parseQuorumVoters } from './quorum-voters';

describe('controller.quorum.voters', () => {
  it('parses id@host:port entries and formats them back', () => {
    const voters = parseQuorumVoters('1@127.0.0.1:9093, 2@localhost:9094,3@[::1]:9095');
    expect([...voters]).toEqual([
      [1, '127.0.0.1:9093'],
      [2, 'localhost:9094'],
      [3, '[::1]:9095'],
    ]);
    expect(formatQuorumVoters(voters)).toBe('1@127.0.0.1:9093,2@localhost:9094,3@[::1]:9095');
  });

  it.each([
    ['a missing id', '127.0.0.1:9093', 'is not id@host:port'],
    ['id 0', '0@127.0.0.1:9093', 'is not id@host:port'],
    ['a port above 65535', '1@h:70000', 'is not id@host:port'],
    ['a node named twice', '1@h:1,1@h:2', 'names node 1 twice'],
  ])('refuses %s with INVALID_CONFIG naming the entry', (_, text, message) => {
    const error = (() => {
      try {
        parseQuorumVoters(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isTributaryError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});
