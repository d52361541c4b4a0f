/**
 * A Wing–Gong style linearizability checker for a map of independent registers (one per key;
 * keys are checked separately, which linearizability allows). An operation runs from `call` to
 * `ret` (logical times, all distinct); a write whose outcome is unknown has `ret` = Infinity:
 * it may take effect at any point after its call, or never. Reads with unknown outcome carry
 * no information and are left out by the caller.
 */
export interface RegisterOp {
  readonly kind: 'put' | 'get';
  readonly key: string;
  /** The value written, or the value read (undefined: the key was absent). */
  readonly value: string | undefined;
  readonly call: number;
  readonly ret: number;
}

export interface LinearizabilityResult {
  readonly ok: boolean;
  /** The first key with no valid order, for the failure message. */
  readonly key?: string;
}

export function checkLinearizable(history: readonly RegisterOp[]): LinearizabilityResult {
  const byKey = new Map<string, RegisterOp[]>();
  for (const op of history) {
    let ops = byKey.get(op.key);
    if (!ops) byKey.set(op.key, (ops = []));
    ops.push(op);
  }
  for (const [key, ops] of byKey) {
    if (!checkRegister(ops)) return { ok: false, key };
  }
  return { ok: true };
}

/** Depth-first search over linearization orders, memoizing (done set, register value). */
function checkRegister(unsorted: readonly RegisterOp[]): boolean {
  const ops = [...unsorted].sort((a, b) => a.call - b.call);
  const n = ops.length;
  const required = ops.filter((o) => o.ret !== Infinity).length;
  const done = new Uint8Array(n);
  const seen = new Set<string>();

  const search = (value: string | undefined, doneRequired: number): boolean => {
    if (doneRequired === required) return true;
    const memo = `${done.join('')}|${value ?? '\u0000'}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    // An op can go next only if it was called before every pending op returned.
    let minRet = Infinity;
    for (let i = 0; i < n; i++) if (!done[i] && ops[i].ret < minRet) minRet = ops[i].ret;
    for (let i = 0; i < n && ops[i].call < minRet; i++) {
      if (done[i]) continue;
      const op = ops[i];
      if (op.kind === 'get' && op.value !== value) continue;
      done[i] = 1;
      const next = op.kind === 'put' ? op.value : value;
      if (search(next, doneRequired + (op.ret !== Infinity ? 1 : 0))) return true;
      done[i] = 0;
    }
    return false;
  };
  return search(undefined, 0);
}
