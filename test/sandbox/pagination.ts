/** Cursor pagination over newest-first collections, like Stripe's list endpoints. */
import type { StripeApiError } from './errors';
import type { ListCursor } from './validation';

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

/**
 * `all` is the whole collection newest first; cursors are located in it (a cursor object
 * may be filtered out and still mark a position), then `matches` filters the page.
 */
export function paginate<T extends { id: string }>(
  all: readonly T[],
  matches: (item: T) => boolean,
  limit: number,
  cursor: ListCursor,
  unknownCursor: (id: string, param: string) => StripeApiError,
): Page<T> {
  const positioned = all.map((item, position) => ({ item, position })).filter(({ item }) => matches(item));
  const cursorId = cursor.startingAfter ?? cursor.endingBefore;
  if (cursorId === undefined) {
    return { data: positioned.slice(0, limit).map(({ item }) => item), hasMore: positioned.length > limit };
  }
  const cursorPosition = all.findIndex((item) => item.id === cursorId);
  if (cursorPosition === -1) {
    throw unknownCursor(cursorId, cursor.startingAfter !== undefined ? 'starting_after' : 'ending_before');
  }
  if (cursor.startingAfter !== undefined) {
    const after = positioned.filter(({ position }) => position > cursorPosition);
    return { data: after.slice(0, limit).map(({ item }) => item), hasMore: after.length > limit };
  }
  const before = positioned.filter(({ position }) => position < cursorPosition);
  return { data: before.slice(Math.max(0, before.length - limit)).map(({ item }) => item), hasMore: before.length > limit };
}
