/**
 * allOf / anyOf / oneOf under Confluent's rules. The criterion may only widen (anything to
 * anyOf; a single-member combination to oneOf, or single to single allOf). Sub-schemas are paired
 * by a maximum bipartite matching of compatible (original, update) pairs; if the matching does
 * not cover the smaller side, some sub-schema changed incompatibly. A union (anyOf/oneOf) may
 * gain members, an allOf may lose them.
 */
import type { DiffContext } from './json-diff-context';
import type { JsonDifference } from './json-difference';
import { canonicalJson, type CombinedModel, type SchemaModel } from './json-schema-model';

export function compareCombined(ctx: DiffContext, original: CombinedModel, update: CombinedModel): void {
  if (!compareCriteria(ctx, original, update)) return;
  const was = distinct(original.subschemas);
  const is = distinct(update.subschemas);
  const union = update.criterion !== 'allOf';
  if (was.length < is.length) ctx.add(union ? 'SUM_TYPE_EXTENDED' : 'PRODUCT_TYPE_EXTENDED');
  if (was.length > is.length) ctx.add(union ? 'SUM_TYPE_NARROWED' : 'PRODUCT_TYPE_NARROWED');

  const edges: Array<Array<JsonDifference[] | undefined>> = was.map((from, index) => {
    const row: Array<JsonDifference[] | undefined> = [];
    ctx.at(`${original.criterion}/${index}`, (inner) => {
      for (const to of is) {
        const sub = inner.sub();
        sub.compare(sub, from, to);
        row.push(sub.isCompatible() ? sub.differences : undefined);
      }
    });
    return row;
  });
  const matching = maximumMatching(edges, is.length);
  for (const [from, to] of matching) ctx.addAll(edges[from][to] ?? []);
  if (matching.length < Math.min(was.length, is.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
}

/** False when the criterion changed incompatibly (then sub-schemas are not compared). */
function compareCriteria(ctx: DiffContext, original: CombinedModel, update: CombinedModel): boolean {
  if (original.criterion === update.criterion) return true;
  const single = (model: CombinedModel) => model.subschemas.length === 1;
  const extended =
    update.criterion === 'anyOf' ||
    (update.criterion === 'oneOf' && single(original)) ||
    (update.criterion === 'allOf' && single(original) && single(update));
  ctx.add(extended ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED');
  return extended;
}

/** Members written twice count once, as in a set. */
function distinct(models: readonly SchemaModel[]): SchemaModel[] {
  const seen = new Set<string>();
  return models.filter((model) => {
    // Facets of one node (a `type` array's members, allOf beside anyOf) share its raw JSON.
    const key = `${model.kind}:${model.kind === 'combined' ? model.criterion : ''}:${canonicalJson(model.raw)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Kuhn's augmenting paths; the sides are a handful of sub-schemas. Returns [left, right] pairs. */
function maximumMatching(edges: ReadonlyArray<ReadonlyArray<unknown>>, rightCount: number): Array<[number, number]> {
  const matchOfRight: number[] = new Array(rightCount).fill(-1);
  const augment = (left: number, visited: boolean[]): boolean => {
    for (let right = 0; right < rightCount; right++) {
      if (edges[left][right] === undefined || visited[right]) continue;
      visited[right] = true;
      if (matchOfRight[right] < 0 || augment(matchOfRight[right], visited)) {
        matchOfRight[right] = left;
        return true;
      }
    }
    return false;
  };
  edges.forEach((_, left) => augment(left, new Array(rightCount).fill(false)));
  return matchOfRight.flatMap((left, right) => (left < 0 ? [] : [[left, right] as [number, number]]));
}
