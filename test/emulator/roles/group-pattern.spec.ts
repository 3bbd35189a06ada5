import { describe, expect, it } from '@jest/globals';
import { GroupPattern } from '../../../lib/protocol/group-pattern.js';

function parsed(pattern: string): GroupPattern {
  const result = GroupPattern.parse(pattern);
  if (!(result instanceof GroupPattern)) throw new Error(`"${pattern}" should be valid, but: ${result.invalid}`);
  return result;
}

function problem(pattern: string): string {
  const result = GroupPattern.parse(pattern);
  if (result instanceof GroupPattern) throw new Error(`"${pattern}" should be invalid`);
  return result.invalid;
}

describe('group patterns of wildcard group roles', () => {
  // The Examples table of https://learn.microsoft.com/azure/azure-web-pubsub/concept-wildcard-group-roles
  // (pattern, matches, does not match), verbatim.
  it.each([
    ['chat-*', ['chat-1', 'chat-room'], ['chat.1', 'xchat-1']],
    ['clientA.*', ['clientA.alpha', 'clientA.1'], ['clientA.alpha.room1', 'clientB.alpha']],
    ['clientA.**', ['clientA.alpha', 'clientA.alpha.room1'], ['clientB.anything']],
    ['clientA.rooms.?1', ['clientA.rooms.a1', 'clientA.rooms.11'], ['clientA.rooms.1', 'clientA.rooms.a.1']],
    ['literal\\*star', ['literal*star'], ['literalXstar']],
  ])("the docs' example %s", (pattern, matching, notMatching) => {
    const compiled = parsed(pattern);
    for (const group of matching) expect([group, compiled.matches(group)]).toEqual([group, true]);
    for (const group of notMatching) expect([group, compiled.matches(group)]).toEqual([group, false]);
  });

  it("the docs' escaping example: project\\*123 matches only project*123", () => {
    const compiled = parsed('project\\*123');
    expect(compiled.matches('project*123')).toBe(true);
    expect(compiled.matches('projectX123')).toBe(false);
    expect(compiled.matches('project\\*123')).toBe(false);
  });

  it.each([
    // pattern, group, matches
    ['\\?', '?', true],
    ['\\?', 'x', false],
    ['a\\\\b', 'a\\b', true],
    ['*', '', true],
    ['chat-*', 'chat-', true],
    ['**', 'a.b.c', true],
    ['a.**.z', 'a.z', false],
    ['a.**.z', 'a..z', true],
    ['a**z', 'a.b.c.z', true],
    ['?', '.', false],
    ['?', 'ab', false],
    ['Room*', 'room1', false],
    // A run of three `*` acts as `**` (and counts three toward the limit).
    ['a***', 'a.b.c', true],
    ['*.*.*.*.*', 'a.b.c.d.e', true],
    ['*.*.*.*.*', 'a.b.c.d', false],
  ])('%s against %s: %s', (pattern, group, expected) => {
    expect(parsed(pattern).matches(group)).toBe(expected);
  });

  it('treats regular-expression syntax as literal text', () => {
    const compiled = parsed('a+b(c)[d]{2}$^|x');
    expect(compiled.matches('a+b(c)[d]{2}$^|x')).toBe(true);
    expect(compiled.matches('aab(c)[d]{2}$^|x')).toBe(false);
    expect(parsed('.').matches('x')).toBe(false);
  });

  it.each([
    ['six *', '*.*.*.*.*.*', /6 "\*", more than 5/],
    ['six * in one run', '******', /6 "\*"/],
    ['a trailing single \\', 'room\\', /ends with a single "\\"/],
    ['an escape of a plain character', 'invalid-\\a', /"\\a" is not an escape/],
    ['nothing', '', /empty/],
    ['more than 1024 characters', 'g'.repeat(1025), /longer than 1024/],
  ])('refuses %s', (_case, pattern, reason) => {
    expect(problem(pattern)).toMatch(reason);
  });

  it('counts escaped \\* as literal, not toward the limit of five', () => {
    expect(parsed('\\*\\*\\*\\*\\*\\**').matches('******x')).toBe(true);
  });

  it('matches a 1024-character name against five * in linear time (no backtracking)', () => {
    // A backtracking matcher tries every split of the name among the five `*`: about 1024^4 ways here.
    const compiled = parsed('*a*a*a*a*b');
    const name = 'a'.repeat(1024);
    const started = process.hrtime.bigint();
    for (let run = 0; run < 20; run++) expect(compiled.matches(name)).toBe(false);
    expect(compiled.matches(`${'a'.repeat(1023)}b`)).toBe(true);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(elapsedMs).toBeLessThan(2000);
  });
});
