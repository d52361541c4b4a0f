/**
 * Topic ids as Kafka's Uuid prints them: 16 random bytes in unpadded base64url, 22 characters.
 * As in Kafka, the all-zero id (no topic) and the all-zero-but-one id (the metadata topic) are
 * reserved, and ids that would print with a leading '-' are redrawn so they never read as a
 * command-line flag.
 */
import { randomBytes } from 'node:crypto';

export const TOPIC_ID_BYTES = 16;
export const ZERO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/** 22 base64url chars; the last carries 2 data bits, so only A, Q, g or w can end a 16-byte id. */
const TOPIC_ID_PATTERN = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** A source of random bytes; tests pass a seeded one. */
export type RandomBytes = (size: number) => Uint8Array;

export function isTopicId(value: string): boolean {
  return TOPIC_ID_PATTERN.test(value);
}

/** Redraws allowed before concluding the random source is broken (each redraw has odds of ~1/64). */
const DRAWS_MAX = 100;

export function newTopicId(random: RandomBytes = randomBytes): string {
  for (let draw = 0; draw < DRAWS_MAX; draw++) {
    const id = Buffer.from(random(TOPIC_ID_BYTES)).toString('base64url');
    if (!id.startsWith('-') && id !== ZERO_TOPIC_ID && id !== METADATA_TOPIC_ID) return id;
  }
  throw new Error(`the random source gave ${DRAWS_MAX} unusable topic ids in a row; it is not random`);
}
