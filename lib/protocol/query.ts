/*
 * Query strings as the service and the official SDK write and read them. The client signs the exact
 * URL (the JWT audience), so formatting must match the SDK byte for byte; parsing must give back
 * opaque values such as a `continuationToken` unchanged.
 */

/** Query parameters in order, decoded; repeated names for lists (`excluded=a&excluded=b`). */
export type QueryPairs = Array<[name: string, value: string]>;

/**
 * Encodes like core-client followed by WHATWG URL serialisation does (the official SDK's path):
 * `encodeURIComponent`, plus `'` as `%27`.
 */
export function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(/'/g, '%27');
}

/** `?a=1&b=2`, or '' for no parameters. */
export function formatQuery(query: QueryPairs): string {
  let text = '';
  for (const [name, value] of query) {
    text += `${text ? '&' : '?'}${encodeQueryComponent(name)}=${encodeQueryComponent(value)}`;
  }
  return text;
}

/**
 * Splits a query (with or without its `?`) into decoded pairs. `+` stays a plus (unlike
 * URLSearchParams), and a part that is not valid percent-encoding is kept as sent rather than
 * failing the whole URL (one odd parameter should not make a request or a nextLink unreadable).
 */
export function parseQuery(search: string): QueryPairs {
  const query: QueryPairs = [];
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const separator = part.indexOf('=');
    const name = separator < 0 ? part : part.slice(0, separator);
    const value = separator < 0 ? '' : part.slice(separator + 1);
    query.push([safeDecode(name), safeDecode(value)]);
  }
  return query;
}

/** Percent-decodes a URL part, keeping it as sent when it is not valid percent-encoding. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
