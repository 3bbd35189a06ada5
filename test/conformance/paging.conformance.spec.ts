import { beforeAll, describe, expect, it } from '@jest/globals';
import type {
  GroupListConnectionsOptions,
  PageSettings,
  WebPubSubGroupMember,
  WebPubSubRestClient,
} from '../../lib/index.js';
import type { CapturedRequest, ScriptedResponse } from '../support/capture-server.js';
import {
  collect,
  conformanceTable,
  rejection,
  useConformancePeer,
  type ConformanceCase,
  type Operation,
} from './conformance-harness.js';

/*
 * ListConnectionsInGroup, followed page by page. The peer pages like the real service (reference
 * recording `…listing_connections…maxcounteq5_pagesizeeq2.json`): each `nextLink` is absolute and
 * carries the remaining `top`, the `maxpagesize` and an opaque `continuationToken`, with
 * `api-version` last. Both clients must send the same sequence of requests and collect the same
 * items, which must also be the ones the peer holds.
 */

type Member = { connectionId: string; userId: string | null };

/** What the peer holds. `userId: null` is how the service answers for anonymous connections. */
const groups: Record<string, Member[]> = {
  empty: [],
  pair: [
    { connectionId: 'conn-a', userId: 'alice' },
    { connectionId: 'conn-b', userId: null },
  ],
  'room 1/ü': [
    { connectionId: '31CiQIfsR6HS30HD11sFlAbS7hyAK02', userId: null },
    { connectionId: '-s27k94j-h0Fan8h1pM_UwyHa7qAK02', userId: 'bob' },
    { connectionId: 'VeMuCmGxDxvGaY5hytL7tAbS7hyAK02', userId: 'zoë ☃' },
    { connectionId: 'm-PqixISqClltaRE7l4x_AmtbNwgK02', userId: null },
    { connectionId: 'w3vD94HCWQ-8JMt-slXx0QmtbNwgK02', userId: 'carol@contoso.com' },
    { connectionId: 'conn 6', userId: "o'brien" },
    { connectionId: 'conn/7', userId: null },
  ],
};
const big = groups['room 1/ü'];

/** The page size the peer picks when the client sends no `maxpagesize`. */
const PEER_PAGE_SIZE = 4;

/** An opaque cursor with characters that must be percent-encoded in the nextLink. */
const cursor = (index: number) => `pos/${index}+z==`;
const cursorIndex = (token: string) => Number(/^pos\/(\d+)\+z==$/.exec(token)?.[1] ?? NaN);

interface Position {
  start: number;
  top?: number;
  maxPageSize?: number;
}

/** The nextLink the peer hands out for a position, in the real service's query order. */
function pageLink(origin: string, group: string, { start, top, maxPageSize }: Position): string {
  const query = [
    ...(top === undefined ? [] : [`top=${top}`]),
    ...(maxPageSize === undefined ? [] : [`maxpagesize=${maxPageSize}`]),
    `continuationToken=${encodeURIComponent(cursor(start))}`,
    'api-version=2024-12-01',
  ];
  return `${origin}/api/hubs/hub1/groups/${encodeURIComponent(group)}/connections?${query.join('&')}`;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

/** The peer's listing endpoint. `failAfterFirstPage` answers 500 to any follow-up page. */
function listingPeer(options: { lastNextLink?: null; failAfterFirstPage?: boolean } = {}) {
  return (request: CapturedRequest): ScriptedResponse => {
    const match = /^\/api\/hubs\/hub1\/groups\/([^/]+)\/connections$/.exec(request.path);
    if (request.method !== 'GET' || !match) return { status: 400 };
    const group = decodeURIComponent(match[1]);
    const query = new Map(request.query);
    const token = query.get('continuationToken');
    if (token !== undefined && options.failAfterFirstPage) {
      return json(500, { code: 'Error.Internal', message: 'boom' }, { 'x-ms-error-code': 'Error.Internal' });
    }
    const members = groups[group] ?? [];
    const start = token === undefined ? 0 : cursorIndex(token);
    const top = query.has('top') ? Number(query.get('top')) : undefined;
    const maxPageSize = query.has('maxpagesize') ? Number(query.get('maxpagesize')) : undefined;
    const take = Math.min(maxPageSize ?? PEER_PAGE_SIZE, top ?? Infinity, members.length - start);
    const next = { start: start + take, top: top === undefined ? undefined : top - take, maxPageSize };
    const more = next.start < members.length && (next.top === undefined || next.top > 0);
    const origin = `http://${request.headers.host}`;
    const value = members.slice(start, start + take);
    if (more) return json(200, { value, nextLink: pageLink(origin, group, next) });
    // The service omits nextLink on the last page; `lastNextLink: null` sends an explicit null instead.
    return json(200, options.lastNextLink === null ? { value, nextLink: null } : { value });
  };
}

/** Every item, iterating the listing directly. */
const items =
  (group: string, options?: GroupListConnectionsOptions): Operation =>
  async (client) =>
    collect(await client.group(group).listConnections(options));

/** Every page (as a plain array of items), through `byPage()`. */
const pages =
  (
    group: string,
    options?: GroupListConnectionsOptions,
    settings?: (client: WebPubSubRestClient) => PageSettings,
  ): Operation =>
  async (client) => {
    const paged = await client.group(group).listConnections(options);
    const result: WebPubSubGroupMember[][] = [];
    for await (const page of paged.byPage(settings?.(client))) result.push([...page]);
    return result;
  };

/** The client's own endpoint as an origin (the official one keeps a trailing slash). */
const originOf = (client: WebPubSubRestClient) => client.endpoint.replace(/\/+$/, '');

/** Independent expectation: the peer's items cut into pages. */
function chunks(members: Member[], size: number, top = Infinity): Member[][] {
  const wanted = members.slice(0, top);
  const result: Member[][] = [];
  for (let i = 0; i < wanted.length; i += size) result.push(wanted.slice(i, i + size));
  return result.length > 0 ? result : [[]];
}

const cases: ConformanceCase[] = [
  { name: 'an empty group', run: items('empty'), expected: [] },
  { name: 'an empty group by page', run: pages('empty'), expected: [[]] },
  { name: 'a single page', run: items('pair'), expected: groups.pair },
  { name: 'a single page by page', run: pages('pair'), expected: [groups.pair] },
  {
    name: 'a single page whose nextLink is null',
    run: pages('pair'),
    respond: listingPeer({ lastNextLink: null }),
    expected: [groups.pair],
  },
  { name: 'several pages of the peer default size', run: items('room 1/ü'), expected: big },
  {
    name: 'several pages of the peer default size by page',
    run: pages('room 1/ü'),
    expected: chunks(big, PEER_PAGE_SIZE),
  },
  { name: 'maxPageSize 2', run: items('room 1/ü', { maxPageSize: 2 }), expected: big },
  { name: 'maxPageSize 2 by page', run: pages('room 1/ü', { maxPageSize: 2 }), expected: chunks(big, 2) },
  {
    name: 'maxPageSize 2 and top 5 (as recorded from the service)',
    run: items('room 1/ü', { maxPageSize: 2, top: 5 }),
    expected: big.slice(0, 5),
  },
  {
    name: 'maxPageSize 2 and top 5 by page',
    run: pages('room 1/ü', { maxPageSize: 2, top: 5 }),
    expected: chunks(big, 2, 5),
  },
  { name: 'top 3 alone', run: items('room 1/ü', { top: 3 }), expected: big.slice(0, 3) },
  { name: 'top larger than the group', run: pages('pair', { top: 10 }), expected: [groups.pair] },
  { name: 'maxPageSize 200 (one page)', run: pages('room 1/ü', { maxPageSize: 200 }), expected: [big] },
  {
    name: 'a continuationToken option starts mid-way',
    run: items('room 1/ü', { maxPageSize: 3, continuationToken: cursor(2) }),
    expected: big.slice(2),
  },
  {
    name: 'byPage resumes from a nextLink',
    run: pages('room 1/ü', { maxPageSize: 2 }, (client) => ({
      continuationToken: pageLink(originOf(client), 'room 1/ü', { start: 4, maxPageSize: 2 }),
    })),
    expected: chunks(big.slice(4), 2),
  },
  {
    name: 'a follow-up page answered 500 rejects both',
    run: rejection(items('room 1/ü', { maxPageSize: 2 })),
    respond: listingPeer({ failAfterFirstPage: true }),
    expected: { statusCode: 500, code: 'Error.Internal' },
  },
  {
    name: 'the first page answered 404 rejects both',
    run: rejection(items('pair')),
    respond: () => json(404, { code: 'Error.NotFound', message: 'nope' }, { 'x-ms-error-code': 'Error.NotFound' }),
    expected: { statusCode: 404, code: 'Error.NotFound' },
  },
];

describe('official SDK conformance: listing a group connections page by page', () => {
  // Follow-up requests come from the service's nextLink, so the query order is the service's.
  conformanceTable(
    cases.map((testCase) => ({ respond: listingPeer(), ...testCase })),
    { anyQueryOrder: true },
  );
});

describe('official SDK conformance: byPage with maxPageSize', () => {
  const peer = useConformancePeer();
  beforeAll(() => peer.respondWith(listingPeer()));

  // The official client refuses `byPage({ maxPageSize })` (reference §1: use the option instead).
  it('both clients reject it before sending anything', async () => {
    const { official, ours } = peer.clients();
    const before = peer.server.requests.length;
    const attempt = async (client: WebPubSubRestClient) => {
      const paged = await client.group('pair').listConnections();
      for await (const page of paged.byPage({ maxPageSize: 1 })) void page;
    };
    await expect(attempt(official)).rejects.toThrow(/maxPageSize/);
    await expect(attempt(ours)).rejects.toThrow(/maxPageSize/);
    expect(peer.server.requests.length).toBe(before);
  });
});
