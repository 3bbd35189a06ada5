import { describe, expect, it } from '@jest/globals';
import { RestError } from '@azure/core-rest-pipeline';
import { odata } from '@azure/web-pubsub';
import { ODataFilterError, parseODataFilter, type FilterSubject } from '../../../lib/emulator/odata-filter.js';
import { flush, payloads, useRestStage } from './rest-harness.js';

/**
 * The OData filter of the send and add/remove-to-groups APIs (reference: web-pubsub-rest.md §4,
 * web-pubsub-protocols.md §5): identifiers userId, connectionId, groups (case-insensitive), eq ne,
 * in (both forms), not and or with not > comparison > and > or, parentheses, null for anonymous
 * users, quoted strings with '' escapes. Each filter runs through a real send and is judged by
 * which connected clients received the message.
 */

const NAMES = ['alice1', 'alice2', 'bob', 'anon', 'oneil'] as const;
type Name = (typeof NAMES)[number];

const stage = useRestStage<Name>('filters', [
  { name: 'alice1', userId: 'alice', groups: ['g1'] },
  { name: 'alice2', userId: 'alice', groups: ['g2'] },
  { name: 'bob', userId: 'bob', groups: ['g1', 'g2'] },
  { name: 'anon', groups: ['g2'] },
  { name: 'oneil', userId: "o'neil", groups: ["it's"] },
]);

/** Which clients received `data`, after a flush proves everything sent before has arrived. */
async function recipients(data: unknown): Promise<Name[]> {
  await flush(stage.service, Object.values(stage.clients));
  return NAMES.filter((name) =>
    payloads(stage.clients[name]).some((item) => JSON.stringify(item) === JSON.stringify(data)),
  );
}

let counter = 0;
const next = () => ({ n: ++counter });

describe('filters on sendToAll decide exactly who receives', () => {
  const rows: Array<[filter: string | (() => string), expected: Name[]]> = [
    ["userId eq 'alice'", ['alice1', 'alice2']],
    ["userId ne 'alice'", ['bob', 'anon', 'oneil']],
    [() => `connectionId eq '${stage.clients.bob.connectionId}'`, ['bob']],
    [() => `connectionId ne '${stage.clients.bob.connectionId}' and userId ne null`, ['alice1', 'alice2', 'oneil']],
    ["'g1' in groups", ['alice1', 'bob']],
    ["userId in ('alice', 'bob')", ['alice1', 'alice2', 'bob']],
    ["userId in ('bob')", ['bob']],
    ["not ('g2' in groups)", ['alice1', 'oneil']],
    ["not('g2' in groups)", ['alice1', 'oneil']],
    // and binds tighter than or: anon, or (alice and g1). Left to right would give alice1 only.
    ["userId eq null or userId eq 'alice' and 'g1' in groups", ['alice1', 'anon']],
    ["(userId eq null or userId eq 'alice') and 'g2' in groups", ['alice2', 'anon']],
    ["userId eq 'bob' or (userId eq 'alice' and not ('g1' in groups))", ['alice2', 'bob']],
    ['userId eq null', ['anon']],
    ['userId ne null', ['alice1', 'alice2', 'bob', 'oneil']],
    ["userId eq 'o''neil'", ['oneil']],
    ["'it''s' in groups", ['oneil']],
    [odata`userId eq ${"o'neil"}`, ['oneil']],
    ["USERID Eq 'alice' AND NOT ('g1' IN Groups)", ['alice2']],
    ["startswith(userId, 'al') or endswith(userId, 'ob')", ['alice1', 'alice2', 'bob']],
    ["userId eq 'nobody'", []],
  ];

  it.each(
    rows.map(
      ([filter, expected]) =>
        [typeof filter === 'string' ? filter : filter.toString().replace(/^.*=> /, ''), filter, expected] as const,
    ),
  )('%s', async (_label, filter, expected) => {
    const data = next();
    await stage.service.sendToAll(data, { filter: typeof filter === 'string' ? filter : filter() });
    expect(await recipients(data)).toEqual(expected);
  });

  it('applies excludedConnections on top of the filter', async () => {
    const data = next();
    await stage.service.sendToAll(data, {
      filter: "userId eq 'alice'",
      excludedConnections: [stage.clients.alice1.connectionId],
    });
    expect(await recipients(data)).toEqual(['alice2']);
  });
});

describe('filters on group and user sends and on add/remove-to-groups', () => {
  it('group send: only members matching the filter', async () => {
    const data = next();
    await stage.service.group('g2').sendToAll(data, { filter: 'userId ne null' });
    expect(await recipients(data)).toEqual(['alice2', 'bob']);
  });

  it("user send: only the user's connections matching the filter", async () => {
    const data = next();
    await stage.service.sendToUser('alice', data, { filter: "'g2' in groups" });
    expect(await recipients(data)).toEqual(['alice2']);
  });

  it('addConnectionsToGroups and removeConnectionsFromGroups select by filter', async () => {
    const groupsOf = (name: Name) =>
      stage.emulator.connections('filters').find((info) => info.connectionId === stage.clients[name].connectionId)!
        .groups;
    await stage.service.addConnectionsToGroups(['picked'], "userId eq null or 'g1' in groups");
    expect(NAMES.filter((name) => groupsOf(name).includes('picked'))).toEqual(['alice1', 'bob', 'anon']);
    await stage.service.removeConnectionsFromGroups(['picked'], "userId in ('bob')");
    expect(NAMES.filter((name) => groupsOf(name).includes('picked'))).toEqual(['alice1', 'anon']);
  });
});

describe('invalid filters are refused with 400 and a message naming the problem', () => {
  const rows: Array<[filter: string, message: RegExp]> = [
    ["(userId eq 'a'", /\)/],
    ["userId eq 'a')", /\)/],
    ["userId in ('a', 'b'", /\)/],
    ["name eq 'a'", /"name"/],
    ['not length(userId) gt 5', /not \(/],
    ["not userId eq 'a'", /not \(/],
    ["userId eq 'abc", /string literal/],
    ['userId eq "abc"', /"/],
    ['userId eq', /ends/],
    ["groups eq 'g1'", /collection/],
    ["'g1' in userId", /collection/],
    // A type error behind a branch is found before sending, not as a failure halfway through delivery.
    ["userId eq 'alice' and groups eq 'g1'", /collection/],
    ['length(userId)', /condition/],
    ['contains(userId)', /arguments/],
    // Issue 23 item 10: names every object has are not functions of the filter language.
    ['constructor(userId) eq 1', /Unknown term "constructor"/],
    ['toString(userId)', /Unknown term "tostring"/],
  ];

  it.each(rows)('%s', async (filter, message) => {
    const error = await stage.service.sendToAll(next(), { filter }).then(
      () => undefined,
      (caught: unknown) => caught as RestError,
    );
    expect(error).toBeInstanceOf(RestError);
    expect([error!.statusCode, error!.code]).toEqual([400, 'Error.BadRequest']);
    expect(error!.message).toMatch(/^Invalid filter/);
    expect(error!.message).toMatch(message);
  });

  it('refuses an invalid filter in addConnectionsToGroups too, changing nothing', async () => {
    const error = await stage.service.addConnectionsToGroups(['never'], "userId eq 'alice' or").then(
      () => undefined,
      (caught: unknown) => caught as RestError,
    );
    expect(error?.statusCode).toBe(400);
    expect(stage.emulator.connections('filters').some((info) => info.groups.includes('never'))).toBe(false);
  });
});

describe('parseODataFilter (unit level)', () => {
  const subject = (overrides: Partial<FilterSubject>): FilterSubject => ({
    userId: 'u1',
    connectionId: 'c1',
    protocol: 'json.webpubsub.azure.v1',
    groups: [],
    ...overrides,
  });

  it.each([
    ["userId eq 'u1'", {}, true],
    ["userId eq 'U1'", {}, false],
    ['userId eq null', { userId: null }, true],
    ["userId ne 'u1'", { userId: null }, true],
    ["'a''b' in groups", { groups: ["a'b"] }, true],
    ["'g' in groups or userId eq 'x' and userId eq 'y'", { groups: ['g'] }, true],
    ["('g' in groups or userId eq 'x') and userId eq 'y'", { groups: ['g'] }, false],
    ["connectionId in ('c0', 'c1')", {}, true],
    ["not ('g' in groups)", {}, true],
    ['length(userId) gt 1 and length(groups) eq 0', {}, true],
  ] as Array<[string, Partial<FilterSubject>, boolean]>)('%s → %s', (filter, overrides, expected) => {
    expect(parseODataFilter(filter)(subject(overrides))).toBe(expected);
  });

  it('throws ODataFilterError at parse time for syntax errors', () => {
    expect(() => parseODataFilter("userId eq 'a' and")).toThrow(ODataFilterError);
    expect(() => parseODataFilter('')).toThrow(ODataFilterError);
    expect(() => parseODataFilter("userId eq 'a' userId")).toThrow(/Unexpected "userid"/);
  });
});
