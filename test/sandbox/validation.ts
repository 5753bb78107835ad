/** Reads and checks Stripe params strictly, throwing Stripe's 400s. Empty strings mean "unset" like in Stripe. */
import { isSupportedCurrency, SUPPORTED_CURRENCIES } from './currencies';
import {
  exclusiveParameters,
  integerOutOfRange,
  invalidCurrency,
  invalidHash,
  invalidInteger,
  invalidMetadata,
  invalidString,
  parameterMissing,
  parameterUnknown,
  stringTooLong,
} from './errors';
import { FormObject, FormValue, hasOwn, isFormObject } from './forms';

const DEFAULT_STRING_MAX = 5000;

export function rejectUnknownParams(params: FormObject, allowed: readonly string[]): void {
  const unknown = Object.keys(params).find((name) => !allowed.includes(name));
  if (unknown !== undefined) throw parameterUnknown(unknown);
}

function present(params: FormObject, name: string): FormValue | undefined {
  return hasOwn(params, name) ? params[name] : undefined;
}

export function requireParams(params: FormObject, names: readonly string[]): void {
  const missing = names.find((name) => present(params, name) === undefined || present(params, name) === '');
  if (missing !== undefined) throw parameterMissing(missing);
}

/** undefined: not sent; null: sent empty (unset). */
export function readString(params: FormObject, name: string, maxLength = DEFAULT_STRING_MAX): string | null | undefined {
  const value = present(params, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidString(name, JSON.stringify(value));
  if (value === '') return null;
  if (value.length > maxLength) throw stringTooLong(name, value, maxLength);
  return value;
}

export function readInteger(params: FormObject, name: string): number | undefined {
  return parseInteger(present(params, name), name);
}

export function parseInteger(value: FormValue | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalidInteger(param, JSON.stringify(value));
  if (!/^-?\d+$/.test(value)) throw invalidInteger(param, value);
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw invalidInteger(param, value);
  return parsed;
}

export function readLimit(params: FormObject): number {
  const limit = readInteger(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw integerOutOfRange('limit', 1, 100);
  return limit;
}

export function readCurrency(params: FormObject, name: string): string | undefined {
  const value = readString(params, name);
  if (value === undefined || value === null) return undefined;
  if (!isSupportedCurrency(value)) throw invalidCurrency(name, value, SUPPORTED_CURRENCIES);
  return value;
}

export interface ListCursor {
  startingAfter?: string;
  endingBefore?: string;
}

export function readCursor(params: FormObject): ListCursor {
  const startingAfter = readString(params, 'starting_after') ?? undefined;
  const endingBefore = readString(params, 'ending_before') ?? undefined;
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw exclusiveParameters(['ending_before', 'starting_after']);
  }
  return { startingAfter, endingBefore };
}

export interface CreatedFilter {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'] as const;

/** `created=123` (exact) or `created[gte]=..&created[lt]=..`. */
export function readCreatedFilter(params: FormObject): CreatedFilter | undefined {
  const value = present(params, 'created');
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string') {
    const exact = parseInteger(value, 'created') as number;
    return { gte: exact, lte: exact };
  }
  if (!isFormObject(value)) throw invalidHash('created');
  const filter: CreatedFilter = {};
  for (const key of Object.keys(value)) {
    if (!(RANGE_KEYS as readonly string[]).includes(key)) throw parameterUnknown(`created[${key}]`);
    filter[key as (typeof RANGE_KEYS)[number]] = parseInteger(value[key], `created[${key}]`);
  }
  return filter;
}

export function matchesCreated(created: number, filter: CreatedFilter | undefined): boolean {
  if (!filter) return true;
  return (
    (filter.gt === undefined || created > filter.gt) &&
    (filter.gte === undefined || created >= filter.gte) &&
    (filter.lt === undefined || created < filter.lt) &&
    (filter.lte === undefined || created <= filter.lte)
  );
}

/** 'clear': `metadata=` (unset every key); otherwise key -> value, where '' unsets that key. */
export type MetadataChange = 'clear' | Record<string, string>;

const METADATA_MAX_KEYS = 50;
const METADATA_KEY_MAX = 40;
const METADATA_VALUE_MAX = 500;

export function readMetadata(params: FormObject): MetadataChange | undefined {
  const value = present(params, 'metadata');
  if (value === undefined) return undefined;
  if (value === '') return 'clear';
  if (!isFormObject(value)) {
    throw invalidMetadata('Invalid metadata: must be a hash of key-value pairs, or an empty string to unset every key.');
  }
  const keys = Object.keys(value);
  if (keys.length > METADATA_MAX_KEYS) {
    throw invalidMetadata(`Invalid metadata: an object can have at most ${METADATA_MAX_KEYS} keys, and ${keys.length} were sent.`);
  }
  const change: Record<string, string> = {};
  for (const key of keys) {
    const entry = value[key];
    if (key.length > METADATA_KEY_MAX) {
      throw invalidMetadata(`Invalid metadata key '${key}': keys must be at most ${METADATA_KEY_MAX} characters long.`);
    }
    if (/[[\]]/.test(key) || typeof entry !== 'string') {
      throw invalidMetadata(`Invalid metadata key '${key}': keys cannot contain '[' or ']', and values must be strings.`);
    }
    if (entry.length > METADATA_VALUE_MAX) {
      throw invalidMetadata(`Invalid metadata value for key '${key}': values must be at most ${METADATA_VALUE_MAX} characters long.`);
    }
    Object.defineProperty(change, key, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return change;
}

/** Applies a change to stored metadata (null = never set), enforcing the key limit on the result. */
export function applyMetadata(current: Record<string, string> | null, change: MetadataChange): Record<string, string> {
  if (change === 'clear') return {};
  const next: Record<string, string> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(change)) {
    if (value === '') delete next[key];
    else Object.defineProperty(next, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(next).length > METADATA_MAX_KEYS) {
    throw invalidMetadata(`Invalid metadata: an object can have at most ${METADATA_MAX_KEYS} keys.`);
  }
  return next;
}
