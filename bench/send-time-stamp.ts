import { performance } from 'node:perf_hooks';

/**
 * End-to-end records carry their send time in their first 8 bytes (float64 LE, ms on this
 * process's performance clock); producer and consumer run in the same process, so no clock
 * skew enters the figure.
 */
export const SEND_TIME_STAMP_BYTES = 8;

/** A copy of `payload` stamped with the current time. */
export function stampSendTime(payload: Buffer): Buffer {
  const stamped = Buffer.from(payload);
  stamped.writeDoubleLE(performance.now(), 0);
  return stamped;
}

/** Milliseconds since the value was stamped. */
export function msSinceStamped(value: Uint8Array): number {
  return performance.now() - Buffer.from(value.buffer, value.byteOffset, value.byteLength).readDoubleLE(0);
}
