/**
 * Parses application/x-www-form-urlencoded text with Stripe's (Rack's) bracket notation:
 * `a[b]=v` nests a hash, `a[]=v` appends to an array, `a[0]=v` is a hash with key "0"
 * (array params accept such integer-keyed hashes, see asArray).
 */

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormSyntaxError extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

export function parseFormEncoded(text: string): FormObject {
  const root: FormObject = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decodeFormComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = decodeFormComponent(equals === -1 ? '' : pair.slice(equals + 1));
    if (key === '') continue;
    assign(root, splitBracketKey(key), value);
  }
  return root;
}

function decodeFormComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new FormSyntaxError(`invalid percent-encoding in '${text}'`);
  }
}

/** `metadata[a][b]` -> ['metadata', 'a', 'b']; stray brackets stay in the segment (`metadata[a[b]]` -> ['metadata', 'a[b]']). */
export function splitBracketKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const path = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) break;
    path.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  if (rest !== '') path[path.length - 1] += rest;
  return path;
}

function assign(root: FormObject, path: string[], value: string): void {
  const name = path[0];
  let container: FormObject | FormValue[] = root;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    const isLast = index === path.length - 1;
    const nextIsArray = !isLast && path[index + 1] === '';
    if (Array.isArray(container)) {
      if (segment !== '') throw mixed(name);
      if (isLast) {
        container.push(value);
      } else {
        const child: FormObject | FormValue[] = nextIsArray ? [] : {};
        container.push(child);
        container = child;
      }
      continue;
    }
    if (segment === '') throw mixed(name);
    const existing: FormValue | undefined = hasOwn(container, segment) ? container[segment] : undefined;
    if (isLast) {
      if (existing !== undefined && typeof existing !== 'string') throw mixed(name);
      setOwn(container, segment, value);
      continue;
    }
    if (existing === undefined) {
      const child: FormObject | FormValue[] = nextIsArray ? [] : {};
      setOwn(container, segment, child);
      container = child;
    } else if (typeof existing === 'string' || Array.isArray(existing) !== nextIsArray) {
      throw mixed(name);
    } else {
      container = existing;
    }
  }
}

const mixed = (name: string) =>
  new FormSyntaxError(`the parameter '${name}' mixes a plain value, a hash and/or an array`, name);

export function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Defines an own property, so that keys like `__proto__` stay plain data. */
function setOwn(object: FormObject, key: string, value: FormValue): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isFormObject(value: FormValue | undefined): value is FormObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An array param arrives as `x[]=..` (array) or as `x[0]=..&x[1]=..` (integer-keyed hash). */
export function asArray(value: FormValue): FormValue[] | undefined {
  if (Array.isArray(value)) return value;
  if (!isFormObject(value)) return undefined;
  const keys = Object.keys(value);
  if (!keys.every((key) => /^\d+$/.test(key))) return undefined;
  return keys.sort((a, b) => Number(a) - Number(b)).map((key) => value[key]);
}

/** Key-order independent serialisation, used to compare the params of idempotent requests. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
