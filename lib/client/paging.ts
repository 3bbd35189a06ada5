import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';

/** Settings for `byPage()`; `continuationToken` is a `nextLink` from an earlier page. */
export interface PageSettings {
  continuationToken?: string;
  maxPageSize?: number;
}

/** The same shape as `@azure/core-paging`'s iterator: iterate items, or pages with `byPage()`. */
export interface PagedAsyncIterableIterator<T, TPage = T[]> {
  next(): Promise<IteratorResult<T>>;
  [Symbol.asyncIterator](): PagedAsyncIterableIterator<T, TPage>;
  byPage(settings?: PageSettings): AsyncIterableIterator<TPage & { continuationToken?: string }>;
}

export interface Page<T> {
  items: T[];
  nextLink?: string;
}

/** Builds a lazy iterator that fetches the first page, then follows `nextLink` until there is none. */
export function pagedIterator<T>(fetchPage: (nextLink?: string) => Promise<Page<T>>): PagedAsyncIterableIterator<T> {
  async function* pages(settings: PageSettings = {}): AsyncIterableIterator<T[] & { continuationToken?: string }> {
    if (settings.maxPageSize !== undefined) {
      throw new WebPubSubArgumentError('maxPageSize', ClientMessages.maxPageSizeByPage());
    }
    let link = settings.continuationToken;
    do {
      const page = await fetchPage(link);
      link = page.nextLink;
      yield Object.assign(page.items, { continuationToken: link });
    } while (link);
  }
  async function* items(): AsyncIterableIterator<T> {
    for await (const page of pages()) yield* page;
  }
  const iterator = items();
  const paged: PagedAsyncIterableIterator<T> = {
    next: () => iterator.next(),
    [Symbol.asyncIterator]: () => paged,
    byPage: (settings) => pages(settings),
  };
  return paged;
}
