import { isCompatibleJsonChange, type JsonDifference } from './json-difference';
import type { SchemaModel } from './json-schema-model';

export type Comparator = (ctx: DiffContext, original: SchemaModel | undefined, update: SchemaModel | undefined) => void;

/**
 * Where a comparison is (a JSON pointer being built) and what it has found so far. A
 * sub-context tries a comparison whose findings are kept only if it turns out compatible.
 */
export class DiffContext {
  readonly differences: JsonDifference[] = [];

  constructor(
    readonly compare: Comparator,
    private readonly path: readonly string[] = [],
    private readonly shared: SharedState = { inProgress: new Set(), ids: new WeakMap(), nextId: 0 },
  ) {}

  at(segment: string, body: (ctx: DiffContext) => void): void {
    const inner = new DiffContext(this.compare, [...this.path, segment], this.shared);
    body(inner);
    this.differences.push(...inner.differences);
  }

  sub(): DiffContext {
    return new DiffContext(this.compare, this.path, this.shared);
  }

  add(type: string, attribute?: string): void {
    const path = attribute === undefined ? this.path : [...this.path, attribute];
    this.differences.push({ type, path: `#/${path.join('/')}` });
  }

  addAll(differences: readonly JsonDifference[]): void {
    this.differences.push(...differences);
  }

  isCompatible(): boolean {
    return this.differences.every(isCompatibleJsonChange);
  }

  /**
   * Runs `body` unless this pair of models is already being compared further up: a recursive
   * schema meets the same pair again, and the repeat adds nothing (Confluent treats it as
   * compatible too).
   */
  once(original: SchemaModel, update: SchemaModel, body: () => void): void {
    const key = `${this.idOf(original)}:${this.idOf(update)}`;
    const { inProgress } = this.shared;
    if (inProgress.has(key)) return;
    inProgress.add(key);
    try {
      body();
    } finally {
      inProgress.delete(key);
    }
  }

  private idOf(model: SchemaModel): number {
    let id = this.shared.ids.get(model);
    if (id === undefined) this.shared.ids.set(model, (id = this.shared.nextId++));
    return id;
  }
}

/** What every context of one comparison shares: the pairs in progress and model identities. */
interface SharedState {
  readonly inProgress: Set<string>;
  readonly ids: WeakMap<object, number>;
  nextId: number;
}

/**
 * The four outcomes of comparing an optional numeric keyword: Confluent names them
 * `<KEYWORD>_ADDED`, `_REMOVED`, `_INCREASED` and `_DECREASED`.
 */
export function compareBound(ctx: DiffContext, keyword: string, prefix: string, original: number | undefined, update: number | undefined): void {
  if (original === update) return;
  if (original === undefined) ctx.add(`${prefix}_ADDED`, keyword);
  else if (update === undefined) ctx.add(`${prefix}_REMOVED`, keyword);
  else ctx.add(original < update ? `${prefix}_INCREASED` : `${prefix}_DECREASED`, keyword);
}
