import { describe, expect, it } from '@jest/globals';
import { odata as officialOdata } from '@azure/web-pubsub';
import { odata, WebPubSubArgumentError } from '../../lib/index.js';

/*
 * Our `odata` tag against the official one from `@azure/web-pubsub` 1.2.0: the same template and
 * values must give the same filter text. Each row is a function so both tags see the very same
 * template strings array.
 */

type Tag = (strings: TemplateStringsArray, ...values: unknown[]) => string;

const rows: Array<[label: string, build: (tag: Tag) => string, expected?: string]> = [
  ['a plain string', (tag) => tag`userId eq ${'user1'}`, "userId eq 'user1'"],
  ['a string with a quote', (tag) => tag`userId eq ${"vic's"}`, "userId eq 'vic''s'"],
  ['a string of quotes only', (tag) => tag`userId eq ${"''"}`, "userId eq ''''''"],
  ['an empty string', (tag) => tag`userId eq ${''}`, "userId eq ''"],
  ['null', (tag) => tag`userId eq ${null}`, 'userId eq null'],
  ['undefined', (tag) => tag`userId eq ${undefined}`, 'userId eq null'],
  ['an integer', (tag) => tag`length(userId) gt ${3}`, 'length(userId) gt 3'],
  ['zero and negative decimals', (tag) => tag`a eq ${0} or b eq ${-1.5}`, 'a eq 0 or b eq -1.5'],
  ['NaN', (tag) => tag`a eq ${NaN}`],
  ['booleans', (tag) => tag`a eq ${true} and b eq ${false}`, 'a eq true and b eq false'],
  ['a pre-quoted value', (tag) => tag`userId eq '${"o'neil"}'`, "userId eq 'o''neil'"],
  ['a pre-quoted value after a space', (tag) => tag`userId eq ' ${'x'}'`],
  [
    'a quote earlier in the template, not right before',
    (tag) => tag`'g1' in groups and userId eq ${'u'}`,
    "'g1' in groups and userId eq 'u'",
  ],
  ['a value as the first thing', (tag) => tag`${'room 1'} in groups`, "'room 1' in groups"],
  ['a value as the only thing', (tag) => tag`${'x'}`, "'x'"],
  ['adjacent values', (tag) => tag`${'a'}${'b'}${1}`],
  ['no values', (tag) => tag`userId ne null`, 'userId ne null'],
  ['an in-list', (tag) => tag`userId in (${'a'}, ${"b'c"}, ${null})`, "userId in ('a', 'b''c', null)"],
  ['unicode', (tag) => tag`userId eq ${'日本語 ☃ é'}`, "userId eq '日本語 ☃ é'"],
  ['an emoji with a quote', (tag) => tag`userId eq ${"🔑'🗝"}`, "userId eq '🔑''🗝'"],
  ['a double quote and a backslash', (tag) => tag`userId eq ${'a"b\\c'}`, "userId eq 'a\"b\\c'"],
  ['a newline in the value', (tag) => tag`userId eq ${'a\nb'}`, "userId eq 'a\nb'"],
  ['a BigInt', (tag) => tag`a eq ${10n}`, 'a eq 10'],
  ['a template with a raw escape', (tag) => tag`userId eq ${'x'}\tand groups`],
  [
    'the README example',
    (tag) => tag`userId eq ${null} or userId eq ${"vic's"} or length(userId) > ${3}`,
    "userId eq null or userId eq 'vic''s' or length(userId) > 3",
  ],
];

describe('odata equals the official odata', () => {
  // Objects, not arrays: a short array row would hand jest's `done` callback to the test.
  it.each(rows.map(([label, build, expected]) => ({ label, build, expected })))('$label', ({ build, expected }) => {
    const ours = build(odata);
    expect(ours).toBe(build(officialOdata as Tag));
    if (expected !== undefined) expect(ours).toBe(expected);
  });
});

describe('where odata is stricter than the official odata', () => {
  // The official tag inlines arrays and objects unquoted: a one-item array holding a quote breaks
  // out of the literal. On Express, `?me=a&me=b` makes a query value an array. We refuse them.
  it.each<[string, (tag: Tag) => string, string, RegExp]>([
    [
      'an injecting one-item array',
      (tag) => tag`userId eq ${["x' or true or 'y"]}`,
      "userId eq x' or true or 'y",
      /^odata value 1 is an array:/,
    ],
    ['an array of numbers', (tag) => tag`a eq ${[1, 2]}`, 'a eq 1,2', /^odata value 1 is an array:/],
    [
      'a query-string array, second value',
      (tag) => tag`userId eq ${'me'} or userId eq ${['a', 'b']}`,
      "userId eq 'me' or userId eq a,b",
      /^odata value 2 is an array:/,
    ],
    ['an object', (tag) => tag`a eq ${{ b: 1 }}`, 'a eq [object Object]', /^odata value 1 is an object:/],
    [
      'an object whose toString injects',
      (tag) => tag`userId eq ${{ toString: () => "' or true or '" }}`,
      "userId eq ' or true or '",
      /^odata value 1 is an object:/,
    ],
    ['a Date', (tag) => tag`a eq ${new Date(0)}`, `a eq ${String(new Date(0))}`, /^odata value 1 is an object:/],
    ['a function', (tag) => tag`a eq ${() => 1}`, 'a eq () => 1', /^odata value 1 is a function:/],
  ])('%s is refused with the fix', (_label, build, official, what) => {
    expect(build(officialOdata as Tag)).toBe(official);
    const error = failure(() => build(odata));
    expect(error).toBeInstanceOf(WebPubSubArgumentError);
    expect(error.message).toMatch(what);
    expect(error.message).toMatch(
      /or check where this value comes from \(a repeated query parameter arrives as an array\)\.$/,
    );
    // The value is not echoed into the message.
    expect(error.message).not.toContain('or true or');
  });

  it('names the value in `argument`, counting from 0', () => {
    expect((failure(() => odata`a eq ${1} or b eq ${[2]}`) as WebPubSubArgumentError).argument).toBe('values[1]');
  });
});

function failure(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('odata accepted the value');
}
