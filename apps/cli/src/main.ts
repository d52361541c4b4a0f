import { isTributaryError } from '@tributary/protocol';
import { BrokerUnreachableError } from '@tributary/client';
import { program } from './program';

/** One line on stderr for every failure, never a stack trace; exit status 1. */
function errorLine(e: unknown): string {
  if (e instanceof BrokerUnreachableError) return `Error: ${e.message}`;
  if (isTributaryError(e)) return `Error: ${e.code}: ${e.message}`;
  return `Error: ${e instanceof Error ? e.message : String(e)}`;
}

program()
  .parseAsync(process.argv)
  .then(
    () => 0,
    (e: unknown) => {
      process.stderr.write(`${errorLine(e).replace(/\s*\n\s*/g, ' ')}\n`);
      return 1;
    },
  )
  // Exit once stdout is written out (a pipe may still hold output), without waiting for timers.
  .then((code) => process.stdout.write('', () => process.exit(code)));
