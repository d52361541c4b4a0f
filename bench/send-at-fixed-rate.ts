import { performance } from 'node:perf_hooks';

const TICK_MS = 1;

/**
 * Hands `send` the records that are due each millisecond, so that after t ms about
 * ratePerSec * t / 1000 records were sent whatever the timer's jitter; returns how many were sent.
 */
export async function sendAtFixedRate(ratePerSec: number, durationMs: number, send: (count: number) => void): Promise<number> {
  const startedMs = performance.now();
  const total = Math.round((ratePerSec * durationMs) / 1000);
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - startedMs) * ratePerSec) / 1000));
    if (due > sent) {
      send(due - sent);
      sent = due;
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  return sent;
}
