import { ErrorCodeName, TributaryError } from '@tributary/protocol';

/** Runs `fn`, expects a TributaryError with `code` whose message contains every fragment. */
export function expectTributaryError(fn: () => unknown, code: ErrorCodeName, ...fragments: string[]): TributaryError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TributaryError);
  const error = thrown as TributaryError;
  expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.any(String) });
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}
