/** The `expand[]` param: which fields of a reply to expand, with the `data.` prefix on lists and searches. */
import { cannotExpand, invalidArray } from './errors';
import { asArray, FormObject, hasOwn } from './forms';

export interface ExpandRules {
  /** Expandable fields of the object itself. */
  fields: readonly string[];
  /** On lists and searches, fields must be prefixed with `data.`. */
  list?: boolean;
  /** List-level expansions such as `total_count` on searches. */
  listFields?: readonly string[];
}

/** Returns the requested object fields (prefix removed) plus list-level fields as given. */
export function readExpand(params: FormObject, rules: ExpandRules): Set<string> {
  const expanded = new Set<string>();
  if (!hasOwn(params, 'expand') || params.expand === '') return expanded;
  const items = asArray(params.expand);
  if (items === undefined) throw invalidArray('expand');
  for (const item of items) {
    if (typeof item !== 'string') throw invalidArray('expand');
    expanded.add(checkExpandPath(item, rules));
  }
  return expanded;
}

function checkExpandPath(path: string, rules: ExpandRules): string {
  if (!rules.list) {
    if (rules.fields.includes(path)) return path;
    throw cannotExpand(path);
  }
  if (rules.listFields?.includes(path)) return path;
  if (path.startsWith('data.') && rules.fields.includes(path.slice(5))) return path.slice(5);
  throw cannotExpand(path, rules.fields.includes(path) ? `data.${path}` : undefined);
}
