import { describe, expect, it } from '@jest/globals';
import { odata as officialOdata } from '@azure/web-pubsub';
import { odata } from '../../lib/index.js';

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
  ['a quote earlier in the template, not right before', (tag) => tag`'g1' in groups and userId eq ${'u'}`, "'g1' in groups and userId eq 'u'"],
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
  ['an array', (tag) => tag`a eq ${[1, 2]}`],
  ['an object', (tag) => tag`a eq ${{ b: 1 }}`],
  ['a template with a raw escape', (tag) => tag`userId eq ${'x'}\tand groups`],
  ['the README example', (tag) => tag`userId eq ${null} or userId eq ${"vic's"} or length(userId) > ${3}`, "userId eq null or userId eq 'vic''s' or length(userId) > 3"],
];

describe('odata equals the official odata', () => {
  // Objects, not arrays: a short array row would hand jest's `done` callback to the test.
  it.each(rows.map(([label, build, expected]) => ({ label, build, expected })))('$label', ({ build, expected }) => {
    const ours = build(odata);
    expect(ours).toBe(build(officialOdata as Tag));
    if (expected !== undefined) expect(ours).toBe(expected);
  });
});
