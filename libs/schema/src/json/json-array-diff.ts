/**
 * Arrays under Confluent's content-model rules, applied to tuple positions: an array is open
 * when it allows any extra item (no `additionalItems`, or `true`), closed with
 * `additionalItems: false`, partially open with a schema for the extra items.
 */
import { compareBound, type DiffContext } from './json-diff-context';
import type { ArrayModel, SchemaModel } from './json-schema-model';

export function compareArrays(ctx: DiffContext, original: ArrayModel, update: ArrayModel): void {
  ctx.at('items', (inner) => inner.compare(inner, original.allItems, update.allItems));
  compareTuples(ctx, original, update);
  compareAdditionalItems(ctx, original, update);
  compareBound(ctx, 'maxItems', 'MAX_ITEMS', original.maxItems, update.maxItems);
  compareBound(ctx, 'minItems', 'MIN_ITEMS', original.minItems, update.minItems);
  if (original.uniqueItems !== update.uniqueItems) ctx.add(original.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
}

function compareTuples(ctx: DiffContext, original: ArrayModel, update: ArrayModel): void {
  const was = original.itemList;
  const is = update.itemList;
  for (let index = 0; index < Math.max(was.length, is.length); index++) {
    ctx.at(`items/${index}`, (inner) => {
      if (index < was.length && index < is.length) return inner.compare(inner, was[index], is[index]);
      if (index < was.length) return itemRemoved(inner, was[index], update);
      itemAdded(inner, is[index], original);
    });
  }
}

function itemRemoved(ctx: DiffContext, was: SchemaModel, update: ArrayModel): void {
  if (update.additionalItems === true) return ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
  if (update.additionalItems !== false) {
    const sub = ctx.sub();
    sub.compare(sub, was, update.additionalItems);
    ctx.addAll(sub.differences);
    return ctx.add(sub.isCompatible() ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
  }
  ctx.add(was.kind === 'false' ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL');
}

function itemAdded(ctx: DiffContext, is: SchemaModel, original: ArrayModel): void {
  if (original.additionalItems === true) {
    return ctx.add(is.kind === 'empty' ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL');
  }
  if (original.additionalItems !== false) {
    const sub = ctx.sub();
    sub.compare(sub, original.additionalItems, is);
    ctx.addAll(sub.differences);
    return ctx.add(sub.isCompatible() ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
  }
  ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
}

function compareAdditionalItems(ctx: DiffContext, original: ArrayModel, update: ArrayModel): void {
  ctx.at('additionalItems', (inner) => {
    const was = original.additionalItems;
    const is = update.additionalItems;
    if ((was !== false) !== (is !== false)) return inner.add(was !== false ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
    if (typeof was === 'boolean' && typeof is === 'boolean') return;
    if (was === true) return inner.add('ADDITIONAL_ITEMS_NARROWED');
    if (is === true) return inner.add('ADDITIONAL_ITEMS_EXTENDED');
    inner.compare(inner, was as SchemaModel, is as SchemaModel);
  });
}
