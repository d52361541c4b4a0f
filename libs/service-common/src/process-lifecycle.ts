/**
 * What every service's command-line entry does around its start and stop: close once on SIGINT
 * or SIGTERM and exit 0 (1 with one line when closing fails), and turn a failed start into one
 * line on stderr and exit 1. Announcements go to stderr so stdout stays pure JSON logs.
 */
import { CommanderError } from 'commander';

export interface StopMessages {
  /** Printed when the signal arrives, after "SIGINT: ". */
  stopping: string;
  /** Printed once everything is closed. */
  stopped?: string;
}

/** Closes the service once, on the first SIGINT or SIGTERM, then exits. */
export function closeOnSignals(close: () => Promise<void>, messages: StopMessages): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: ${messages.stopping}\n`);
    close().then(
      () => {
        if (messages.stopped) process.stderr.write(`${messages.stopped}\n`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** A catch handler for main(): commander has printed its own usage errors; anything else is one line. */
export function exitOnStartFailure(programName: string): (error: unknown) => never {
  return (error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    process.stderr.write(`${programName}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  };
}
