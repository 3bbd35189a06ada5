import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';

/**
 * Builds an OData filter with values escaped, like `odata` in `@azure/web-pubsub`:
 * strings are quoted with `'` doubled (unless the template already opened a quote),
 * `null`/`undefined` become `null`, numbers and booleans are inlined. Arrays, objects and other
 * values are refused: the official tag inlines them unquoted, so `${["x' or true or 'y"]}` (what
 * Express makes of `?me=a&me=b`) would rewrite the filter.
 *
 * @example odata`userId eq ${userId} or ${group} in groups`
 */
export function odata(strings: TemplateStringsArray, ...values: unknown[]): string {
  let filter = strings[0];
  for (let i = 0; i < values.length; i++) {
    filter += formatLiteral(values[i], strings[i], i) + strings[i + 1];
  }
  return filter;
}

function formatLiteral(value: unknown, textBefore: string, index: number): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'string') {
    const kind = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
    throw new WebPubSubArgumentError(`values[${index}]`, ClientMessages.odataValueInvalid(index + 1, kind));
  }
  const escaped = value.replace(/'/g, "''");
  return textBefore.trimEnd().endsWith("'") ? escaped : `'${escaped}'`;
}
