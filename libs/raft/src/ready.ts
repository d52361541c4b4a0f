import type { Message } from './message';
import type { Entry, HardState, ReadState, Snapshot, SoftState } from './types';

/**
 * Everything the caller must do after stepping Raft, in this order:
 * 1. persist `snapshot` (if any), `entries` and `hardState` (if any) durably — fsync;
 * 2. then send `messages` (they promise what step 1 made durable: votes, acknowledgements);
 * 3. apply `snapshot` then `committedEntries` to the state machine (calling
 *    `applyConfChange` for `confChange` entries) and serve `readStates` once applied ≥ index;
 * 4. call `advance()`.
 */
export interface Ready {
  /** Present when leader or role changed. Informational; never persisted. */
  readonly softState?: SoftState;
  /** Present when term, vote or commit changed. */
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly { index: ReadState['index']; context: ReadState['context'] }[];
}
