/**
 * The kinds of difference Confluent's JSON Schema compatibility check finds between an original
 * schema (what wrote the data) and an update (what reads it), which of them a reader survives,
 * and how each is worded. Names and wording follow Confluent's `Difference.Type`, so that a
 * registry client sees the same reasons from us as from Confluent.
 */
import { diffIncompatibility, type Incompatibility } from '../incompatibility';

export interface JsonDifference {
  readonly type: string;
  /** JSON pointer into the schema, with '#/' in front ('#/properties/a/maxLength'). */
  readonly path: string;
}

/** The differences a reader with the update can live with; every other one is incompatible. */
export const COMPATIBLE_JSON_CHANGES: ReadonlySet<string> = new Set([
  'ID_CHANGED', 'DESCRIPTION_CHANGED', 'TITLE_CHANGED', 'DEFAULT_CHANGED', 'SCHEMA_REMOVED', 'TYPE_EXTENDED',
  'MAX_LENGTH_INCREASED', 'MAX_LENGTH_REMOVED', 'MIN_LENGTH_DECREASED', 'MIN_LENGTH_REMOVED', 'PATTERN_REMOVED',
  'MAXIMUM_INCREASED', 'MAXIMUM_REMOVED', 'MINIMUM_DECREASED', 'MINIMUM_REMOVED',
  'EXCLUSIVE_MAXIMUM_INCREASED', 'EXCLUSIVE_MAXIMUM_REMOVED', 'EXCLUSIVE_MINIMUM_DECREASED', 'EXCLUSIVE_MINIMUM_REMOVED',
  'MULTIPLE_OF_REDUCED', 'MULTIPLE_OF_REMOVED',
  'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED', 'REQUIRED_ATTRIBUTE_REMOVED',
  'DEPENDENCY_ARRAY_NARROWED', 'DEPENDENCY_ARRAY_REMOVED', 'DEPENDENCY_SCHEMA_REMOVED',
  'MAX_PROPERTIES_INCREASED', 'MAX_PROPERTIES_REMOVED', 'MIN_PROPERTIES_DECREASED', 'MIN_PROPERTIES_REMOVED',
  'ADDITIONAL_PROPERTIES_ADDED', 'ADDITIONAL_PROPERTIES_EXTENDED',
  'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL', 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'MAX_ITEMS_INCREASED', 'MAX_ITEMS_REMOVED', 'MIN_ITEMS_DECREASED', 'MIN_ITEMS_REMOVED', 'UNIQUE_ITEMS_REMOVED',
  'ADDITIONAL_ITEMS_ADDED', 'ADDITIONAL_ITEMS_EXTENDED', 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL', 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'ENUM_ARRAY_EXTENDED', 'COMBINED_TYPE_EXTENDED', 'PRODUCT_TYPE_NARROWED', 'SUM_TYPE_EXTENDED', 'NOT_TYPE_NARROWED',
]);

type Describe = (path: string, reader: string, writer: string) => string;

const keywordOnlyInReader: Describe = (p, r, w) => `The keyword at path '${p}' in the ${r} schema is not present in the ${w} schema`;
const valueMore: Describe = (p, r, w) => `The value at path '${p}' in the ${r} schema is more than its value in the ${w} schema`;
const valueLess: Describe = (p, r, w) => `The value at path '${p}' in the ${r} schema is less than its value in the ${w} schema`;
const valueDifferent: Describe = (p, r, w) => `The value at path '${p}' is different between the ${r} and ${w} schema`;
const fewerElements: Describe = (p, r, w) => `An array or combined type at path '${p}' has fewer elements in the ${r} schema than the ${w} schema`;
const moreElements: Describe = (p, r, w) => `An array or combined type at path '${p}' has more elements in the ${r} schema than the ${w} schema`;
const typeDifferent: Describe = (p, r, w) => `A type at path '${p}' is different between the ${r} schema and the ${w} schema`;
const addedToOpen: Describe = (p, r, w) =>
  `The ${r} schema has an open content model and has a property or item at path '${p}' which is missing in the ${w} schema`;
const removedFromClosed: Describe = (p, r, w) =>
  `The ${r} schema has a closed content model and is missing a property or item present at path '${p}' in the ${w} schema`;
const removedNotCovered: Describe = (p, r, w) =>
  `A property or item is missing in the ${r} schema but present at path '${p}' in the ${w} schema and is not covered by its partially open content model`;
const addedNotCovered: Describe = (p, r, w) =>
  `The ${r} schema has a property or item at path '${p}' which is missing in the ${w} schema and is not covered by its partially open content model`;

const DESCRIPTIONS: Record<string, Describe> = {
  ...Object.fromEntries(
    [
      'MAXIMUM_ADDED', 'MINIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MINIMUM_ADDED', 'MULTIPLE_OF_ADDED', 'MAX_LENGTH_ADDED',
      'MIN_LENGTH_ADDED', 'PATTERN_ADDED', 'REQUIRED_ATTRIBUTE_ADDED', 'MAX_PROPERTIES_ADDED', 'MIN_PROPERTIES_ADDED',
      'DEPENDENCY_ARRAY_ADDED', 'DEPENDENCY_SCHEMA_ADDED', 'MAX_ITEMS_ADDED', 'MIN_ITEMS_ADDED', 'UNIQUE_ITEMS_ADDED',
      'ADDITIONAL_ITEMS_REMOVED', 'ADDITIONAL_PROPERTIES_REMOVED',
    ].map((type) => [type, keywordOnlyInReader]),
  ),
  ...Object.fromEntries(
    ['MIN_LENGTH_INCREASED', 'MINIMUM_INCREASED', 'EXCLUSIVE_MINIMUM_INCREASED', 'MIN_PROPERTIES_INCREASED', 'MULTIPLE_OF_EXPANDED', 'MIN_ITEMS_INCREASED'].map(
      (type) => [type, valueMore],
    ),
  ),
  ...Object.fromEntries(
    ['MAX_LENGTH_DECREASED', 'MAXIMUM_DECREASED', 'MAX_ITEMS_DECREASED', 'EXCLUSIVE_MAXIMUM_DECREASED', 'MAX_PROPERTIES_DECREASED'].map((type) => [
      type,
      valueLess,
    ]),
  ),
  ...Object.fromEntries(['PATTERN_CHANGED', 'MULTIPLE_OF_CHANGED', 'DEPENDENCY_ARRAY_CHANGED'].map((type) => [type, valueDifferent])),
  ...Object.fromEntries(['ADDITIONAL_ITEMS_NARROWED', 'ENUM_ARRAY_NARROWED', 'SUM_TYPE_NARROWED', 'ADDITIONAL_PROPERTIES_NARROWED'].map((type) => [type, fewerElements])),
  ...Object.fromEntries(['DEPENDENCY_ARRAY_EXTENDED', 'PRODUCT_TYPE_EXTENDED', 'SUM_TYPE_EXTENDED', 'NOT_TYPE_EXTENDED'].map((type) => [type, moreElements])),
  ...Object.fromEntries(
    ['TYPE_CHANGED', 'TYPE_NARROWED', 'COMBINED_TYPE_CHANGED', 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', 'ENUM_ARRAY_CHANGED', 'SCHEMA_ADDED'].map((type) => [
      type,
      typeDifferent,
    ]),
  ),
  ...Object.fromEntries(
    [
      'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL',
      'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
    ].map((type) => [type, addedToOpen]),
  ),
  REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL: (p, r, w) =>
    `The ${r} schema has an unopen content model and has a required property at path '${p}' which is missing in the ${w} schema`,
  PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL: removedFromClosed,
  ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL: removedFromClosed,
  PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: removedNotCovered,
  ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: removedNotCovered,
  PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: addedNotCovered,
  ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: addedNotCovered,
};

export function isCompatibleJsonChange(difference: JsonDifference): boolean {
  return COMPATIBLE_JSON_CHANGES.has(difference.type);
}

export function jsonIncompatibility(difference: JsonDifference): Incompatibility {
  const describe = DESCRIPTIONS[difference.type] ?? typeDifferent;
  return diffIncompatibility(difference.type, difference.path, (reader, writer) => describe(difference.path, reader, writer));
}
