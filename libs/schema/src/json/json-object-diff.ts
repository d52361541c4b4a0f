/**
 * Objects under Confluent's content-model rules. An object is open when it allows any extra
 * property (no `additionalProperties` or `true`, no `patternProperties`), closed when it
 * allows none (`additionalProperties: false`), partially open otherwise. A reader may drop a
 * property only if it stays open or the dropped property stays covered; it may add a property
 * only where the writer was closed (or covered the property with a compatible schema), since an
 * open writer may have written anything under that name.
 */
import { compareBound, type DiffContext } from './json-diff-context';
import type { ObjectModel, SchemaModel } from './json-schema-model';

export function compareObjects(ctx: DiffContext, original: ObjectModel, update: ObjectModel): void {
  compareRequired(ctx, original, update);
  compareProperties(ctx, original, update);
  compareDependencies(ctx, original, update);
  compareAdditionalProperties(ctx, original, update);
  compareBound(ctx, 'maxProperties', 'MAX_PROPERTIES', original.maxProperties, update.maxProperties);
  compareBound(ctx, 'minProperties', 'MIN_PROPERTIES', original.minProperties, update.minProperties);
}

function compareRequired(ctx: DiffContext, original: ObjectModel, update: ObjectModel): void {
  ctx.at('required', (inner) => {
    for (const name of original.properties.keys()) {
      if (!update.properties.has(name)) continue;
      const wasRequired = original.required.has(name);
      const isRequired = update.required.has(name);
      if (wasRequired && !isRequired) inner.add('REQUIRED_ATTRIBUTE_REMOVED', name);
      if (!wasRequired && isRequired) {
        inner.add(hasDefault(update.properties.get(name)) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED', name);
      }
    }
  });
}

function compareProperties(ctx: DiffContext, original: ObjectModel, update: ObjectModel): void {
  ctx.at('properties', (properties) => {
    for (const name of new Set([...original.properties.keys(), ...update.properties.keys()])) {
      properties.at(name, (inner) => {
        const was = original.properties.get(name);
        const is = update.properties.get(name);
        if (is === undefined) return propertyRemoved(inner, name, was as SchemaModel, update);
        if (was === undefined) return propertyAdded(inner, name, is, original, update);
        inner.compare(inner, was, is);
      });
    }
  });
}

function propertyRemoved(ctx: DiffContext, name: string, was: SchemaModel, update: ObjectModel): void {
  // Only the reader's content model matters: it must still accept what was written there.
  if (isOpen(update)) return ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
  const covering = coveringSchema(update, name);
  if (covering !== undefined) {
    const sub = ctx.sub();
    sub.compare(sub, was, covering);
    ctx.addAll(sub.differences);
    return ctx.add(sub.isCompatible() ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
  }
  ctx.add(was.kind === 'false' ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL');
}

function propertyAdded(ctx: DiffContext, name: string, is: SchemaModel, original: ObjectModel, update: ObjectModel): void {
  const required = update.required.has(name);
  // Only the writer's content model matters: an open writer may have put anything there.
  if (isOpen(original)) {
    if (is.kind === 'empty') return ctx.add('PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL');
    if (!required) return ctx.add('OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    return ctx.add(hasDefault(is) ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
  }
  const covering = coveringSchema(original, name);
  if (covering !== undefined) {
    const sub = ctx.sub();
    sub.compare(sub, covering, is);
    ctx.addAll(sub.differences);
    ctx.add(sub.isCompatible() ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
  }
  if (!required) return ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
  ctx.add(hasDefault(is) ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
}

function compareDependencies(ctx: DiffContext, original: ObjectModel, update: ObjectModel): void {
  ctx.at('dependencies', (dependencies) => {
    for (const name of new Set([...original.propertyDependencies.keys(), ...update.propertyDependencies.keys()])) {
      const was = new Set(original.propertyDependencies.get(name) ?? []);
      const is = update.propertyDependencies.get(name);
      if (is === undefined) dependencies.add('DEPENDENCY_ARRAY_REMOVED', name);
      else if (!original.propertyDependencies.has(name)) dependencies.add('DEPENDENCY_ARRAY_ADDED', name);
      else if (is.length !== was.size || !is.every((property) => was.has(property))) {
        const isSet = new Set(is);
        if ([...was].every((property) => isSet.has(property))) dependencies.add('DEPENDENCY_ARRAY_EXTENDED', name);
        else if (is.every((property) => was.has(property))) dependencies.add('DEPENDENCY_ARRAY_NARROWED', name);
        else dependencies.add('DEPENDENCY_ARRAY_CHANGED', name);
      }
    }
    for (const name of new Set([...original.schemaDependencies.keys(), ...update.schemaDependencies.keys()])) {
      const was = original.schemaDependencies.get(name);
      const is = update.schemaDependencies.get(name);
      if (is === undefined) dependencies.add('DEPENDENCY_SCHEMA_REMOVED', name);
      else if (was === undefined) dependencies.add('DEPENDENCY_SCHEMA_ADDED', name);
      else dependencies.at(name, (inner) => inner.compare(inner, was, is));
    }
  });
}

function compareAdditionalProperties(ctx: DiffContext, original: ObjectModel, update: ObjectModel): void {
  ctx.at('additionalProperties', (inner) => {
    const was = original.additionalProperties;
    const is = update.additionalProperties;
    if ((was !== false) !== (is !== false)) return inner.add(is !== false ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED');
    if (typeof was === 'boolean' && typeof is === 'boolean') return;
    if (was === true) return inner.add('ADDITIONAL_PROPERTIES_NARROWED');
    if (is === true) return inner.add('ADDITIONAL_PROPERTIES_EXTENDED');
    inner.compare(inner, was as SchemaModel, is as SchemaModel);
  });
}

function isOpen(model: ObjectModel): boolean {
  return model.patternProperties.length === 0 && model.additionalProperties === true;
}

/** The schema a partially open object applies to a property it does not list. */
function coveringSchema(model: ObjectModel, name: string): SchemaModel | undefined {
  const pattern = model.patternProperties.find(([regex]) => regex.test(name));
  if (pattern) return pattern[1];
  return typeof model.additionalProperties === 'boolean' ? undefined : model.additionalProperties;
}

function hasDefault(schema: SchemaModel | undefined): boolean {
  const raw = schema?.raw;
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'default' in raw;
}
