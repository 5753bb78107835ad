/** List and search reply bodies. */
import type { ListObject, SearchResultObject } from '../objects';
import type { Page } from '../pagination';

export function listObject<T, R>(page: Page<T>, url: string, render: (item: T) => R): ListObject<R> {
  return { object: 'list', data: page.data.map(render), has_more: page.hasMore, url };
}

export function searchResultObject<T, R>(
  page: Page<T> & { nextPage: string | null; totalCount?: number },
  url: string,
  render: (item: T) => R,
): SearchResultObject<R> {
  const result: SearchResultObject<R> = {
    object: 'search_result',
    data: page.data.map(render),
    has_more: page.hasMore,
    next_page: page.nextPage,
    url,
  };
  if (page.totalCount !== undefined) result.total_count = page.totalCount;
  return result;
}
