/**
 * Builds an OData filter with values escaped, like `odata` in `@azure/web-pubsub`:
 * strings are quoted with `'` doubled (unless the template already opened a quote),
 * `null`/`undefined` become `null`, numbers and booleans are inlined.
 *
 * @example odata`userId eq ${userId} or ${group} in groups`
 */
export function odata(strings: TemplateStringsArray, ...values: unknown[]): string {
  let filter = strings[0];
  for (let i = 0; i < values.length; i++) {
    filter += formatLiteral(values[i], strings[i]) + strings[i + 1];
  }
  return filter;
}

function formatLiteral(value: unknown, textBefore: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'string') return String(value);
  const escaped = value.replace(/'/g, "''");
  return textBefore.trimEnd().endsWith("'") ? escaped : `'${escaped}'`;
}
