import { GroupError, GroupErrorName } from '../group-error';

/** Runs `fn`, expects a GroupError with Kafka's name `code` whose message contains every fragment. */
export function expectGroupError(fn: () => unknown, code: GroupErrorName, ...fragments: string[]): GroupError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(GroupError);
  const error = thrown as GroupError;
  expect({ code: error.groupCode, message: error.message }).toEqual({ code, message: expect.any(String) });
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}
