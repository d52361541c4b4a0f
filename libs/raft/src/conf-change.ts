import { TributaryError } from '@tributary/protocol';
import { nodeId, type ConfChange } from './types';

/**
 * The data of a `confChange` entry: UTF-8 JSON `{"type":"addVoter"|"addLearner"|"removeNode",
 * "nodeId":<positive integer>}`. JSON because such entries are rare and a human reads them in a
 * dumped log.
 */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ type: cc.type, nodeId: cc.nodeId }));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch (cause) {
    throw new TributaryError('CORRUPT_MESSAGE', 'conf change entry is not JSON; the log is damaged', { cause });
  }
  const p = parsed as { type?: unknown; nodeId?: unknown };
  if ((p.type !== 'addVoter' && p.type !== 'addLearner' && p.type !== 'removeNode') || typeof p.nodeId !== 'number') {
    throw new TributaryError('CORRUPT_MESSAGE', `conf change entry ${JSON.stringify(parsed)} lacks a known type and a numeric nodeId`);
  }
  return { type: p.type, nodeId: nodeId(p.nodeId) };
}
