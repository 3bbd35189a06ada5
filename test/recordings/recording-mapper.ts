import type {
  JSONTypes,
  SendWithContentTypeOptions,
  WebPubSubClientProtocol,
  WebPubSubRestClient,
} from '../../lib/index.js';
import { header, splitUri, type RecordedEntry } from './recording-files.js';

/**
 * Turns recorded requests back into calls of our client's public API: the recorded method and path
 * name the operation, the recorded query and body give its arguments. Anything not understood
 * throws, so a new recording either maps cleanly or fails its test.
 */

export interface ReplayCall {
  title: string;
  /** The recorded exchanges this call makes, in order (a listing follows its nextLinks). */
  entries: RecordedEntry[];
  hub: string;
  apiVersion: string;
  /** `:generateToken` is only called with a TokenCredential (a key client signs tokens locally). */
  needsTokenCredential: boolean;
  invoke(client: WebPubSubRestClient): Promise<unknown>;
  /** Whether the recorded final status is one the operation treats as success (else it must reject). */
  succeeds: boolean;
  /** What a successful call resolves to, computed from the recorded responses and the client endpoint. */
  expectedResult(endpoint: string): unknown;
  /**
   * Query items `@azure/web-pubsub` 1.2.0 (our oracle) sends by default where the recording, made by
   * a newer SDK, has none; the replay suite checks the official client sends them too.
   */
  sdkDefaults: Array<[string, string]>;
}

type Query = Array<[string, string]>;

interface Route {
  method: string;
  pattern: RegExp;
  successStatus: number;
  plan(
    match: string[],
    query: Query,
    entries: RecordedEntry[],
    index: number,
  ): Omit<ReplayCall, 'title' | 'hub' | 'apiVersion' | 'succeeds'>;
}

const SEND_QUERY = {
  excluded: 'excludedConnections',
  filter: 'filter',
  messageTtlSeconds: 'messageTtlSeconds',
} as const;

const ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: /^\/api\/hubs\/([^/]+)\/:send$/,
    successStatus: 202,
    plan: (_m, query, entries, i) =>
      sendCall(entries[i], query, ['excluded', 'filter', 'messageTtlSeconds'], (c, msg, o) => c.sendToAll(msg, o)),
  },
  {
    method: 'POST',
    pattern: /^\/api\/hubs\/([^/]+)\/users\/([^/]+)\/:send$/,
    successStatus: 202,
    plan: ([, , user], query, entries, i) =>
      sendCall(entries[i], query, ['filter', 'messageTtlSeconds'], (c, msg, o) => c.sendToUser(user, msg, o)),
  },
  {
    method: 'POST',
    pattern: /^\/api\/hubs\/([^/]+)\/connections\/([^/]+)\/:send$/,
    successStatus: 202,
    plan: ([, , id], query, entries, i) =>
      sendCall(entries[i], query, ['messageTtlSeconds'], (c, msg, o) => c.sendToConnection(id, msg, o)),
  },
  {
    method: 'POST',
    pattern: /^\/api\/hubs\/([^/]+)\/groups\/([^/]+)\/:send$/,
    successStatus: 202,
    plan: ([, , group], query, entries, i) =>
      sendCall(entries[i], query, ['excluded', 'filter', 'messageTtlSeconds'], (c, msg, o) =>
        c.group(group).sendToAll(msg, o),
      ),
  },
  {
    method: 'POST',
    pattern: /^\/api\/hubs\/([^/]+)\/:generateToken$/,
    successStatus: 200,
    plan: ([, hub], query, entries, i) => generateTokenCall(hub, entries[i], query),
  },
  {
    method: 'GET',
    pattern: /^\/api\/hubs\/([^/]+)\/groups\/([^/]+)\/connections$/,
    successStatus: 200,
    plan: ([, , group], query, entries, i) => listCall(group, query, entries, i),
  },
];

/** Splits a recording into the client calls that produce it. Throws on anything it cannot map. */
export function planCalls(entries: RecordedEntry[]): ReplayCall[] {
  const calls: ReplayCall[] = [];
  for (let i = 0; i < entries.length;) {
    const entry = entries[i];
    const { path, query } = splitUri(entry.RequestUri);
    const route = ROUTES.find((candidate) => candidate.method === entry.RequestMethod && candidate.pattern.test(path));
    if (!route)
      throw new Error(`No replay mapping for recorded ${entry.RequestMethod} ${path}: add one to recording-mapper.ts`);
    const match = (route.pattern.exec(path) as RegExpExecArray).map((part) => decodeURIComponent(part));
    const apiVersions = query.filter(([name]) => name === 'api-version').map(([, value]) => value);
    if (apiVersions.length !== 1) throw new Error(`${entry.RequestUri} should carry exactly one api-version`);
    const planned = route.plan(
      match,
      query.filter(([name]) => name !== 'api-version'),
      entries,
      i,
    );
    const last = planned.entries[planned.entries.length - 1];
    const type = header(entry.RequestHeaders, 'content-type');
    calls.push({
      ...planned,
      title: `${entry.RequestMethod} ${path}${type ? ` (${type})` : ''}${planned.entries.length > 1 ? ` over ${planned.entries.length} pages` : ''} → ${last.StatusCode}`,
      hub: match[1],
      apiVersion: apiVersions[0],
      succeeds: last.StatusCode === route.successStatus,
    });
    i += planned.entries.length;
  }
  return calls;
}

/** Options from the recorded query, refusing any parameter this operation has no option for. */
function optionsFrom(
  query: Query,
  known: Record<string, string>,
  numeric: string[] = [],
  lists: string[] = [],
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, value] of query) {
    const option = known[name];
    if (!option) throw new Error(`No option maps the recorded query parameter "${name}"`);
    if (lists.includes(name)) options[option] = [...((options[option] as string[] | undefined) ?? []), value];
    else options[option] = numeric.includes(name) ? Number(value) : value;
  }
  return options;
}

type SendInvoker = (
  client: WebPubSubRestClient,
  message: JSONTypes,
  options: SendWithContentTypeOptions,
) => Promise<void>;

function sendCall(entry: RecordedEntry, query: Query, allowed: Array<keyof typeof SEND_QUERY>, send: SendInvoker) {
  const known = Object.fromEntries(allowed.map((name) => [name, SEND_QUERY[name]]));
  const options = optionsFrom(query, known, ['messageTtlSeconds'], ['excluded']);
  const contentType = header(entry.RequestHeaders, 'content-type')?.split(';')[0].trim().toLowerCase();
  const body = entry.RequestBody;
  let message: JSONTypes;
  if (contentType === 'text/plain' && typeof body === 'string') {
    message = body;
    options.contentType = 'text/plain';
  } else if (contentType === 'application/json' && body !== null) {
    message = (typeof body === 'string' ? JSON.parse(body) : body) as JSONTypes;
  } else if (contentType === 'application/octet-stream' && typeof body === 'string') {
    message = new Uint8Array(Buffer.from(body, 'base64'));
  } else {
    throw new Error(
      `No message maps a recorded ${contentType ?? 'untyped'} body of type ${body === null ? 'null' : typeof body}`,
    );
  }
  return {
    entries: [entry],
    needsTokenCredential: false,
    sdkDefaults: [],
    invoke: (client: WebPubSubRestClient) => send(client, message, options as SendWithContentTypeOptions),
    expectedResult: () => undefined,
  };
}

const CLIENT_PROTOCOLS: WebPubSubClientProtocol[] = ['default', 'mqtt', 'socketio'];

function generateTokenCall(hub: string, entry: RecordedEntry, query: Query) {
  const options = optionsFrom(
    query,
    {
      userId: 'userId',
      role: 'roles',
      group: 'groups',
      minutesToExpire: 'expirationTimeInMinutes',
      clientType: 'clientProtocol',
    },
    ['minutesToExpire'],
    ['role', 'group'],
  );
  const protocol = options.clientProtocol as WebPubSubClientProtocol | undefined;
  if (protocol !== undefined && !CLIENT_PROTOCOLS.includes(protocol))
    throw new Error(`clientType "${protocol}" is no clientProtocol value`);
  const token = (entry.ResponseBody as { token?: string } | null)?.token;
  return {
    entries: [entry],
    needsTokenCredential: true,
    // Reference §2d: 1.2.0 sends minutesToExpire=60 when expirationTimeInMinutes is omitted.
    sdkDefaults: query.some(([name]) => name === 'minutesToExpire')
      ? []
      : [['minutesToExpire', '60'] as [string, string]],
    invoke: (client: WebPubSubRestClient) => client.getClientAccessToken(options),
    // Reference §2d: the URL is the endpoint with ws(s) plus the protocol's client path.
    expectedResult: (endpoint: string) => {
      const path =
        protocol === 'mqtt' ? 'clients/mqtt/hubs' : protocol === 'socketio' ? 'clients/socketio/hubs' : 'client/hubs';
      const baseUrl = `${endpoint.replace(/^http/, 'ws')}/${path}/${hub}`;
      return { token, baseUrl, url: `${baseUrl}?access_token=${token}` };
    },
  };
}

interface RecordedPage {
  value?: unknown[];
  nextLink?: string | null;
}

function listCall(group: string, query: Query, entries: RecordedEntry[], first: number) {
  const options = optionsFrom(
    query,
    { maxpagesize: 'maxPageSize', top: 'top', continuationToken: 'continuationToken' },
    ['maxpagesize', 'top'],
  );
  const pages = [entries[first]];
  // The pages that follow are the requests for each recorded nextLink, in order.
  for (let next = (entries[first].ResponseBody as RecordedPage | null)?.nextLink; next;) {
    const entry = entries[first + pages.length];
    if (!entry || entry.RequestUri !== next) throw new Error(`The recording has no request for the nextLink ${next}`);
    pages.push(entry);
    next = (entry.ResponseBody as RecordedPage | null)?.nextLink;
  }
  return {
    entries: pages,
    needsTokenCredential: false,
    sdkDefaults: [],
    invoke: async (client: WebPubSubRestClient) => {
      const received: unknown[][] = [];
      for await (const page of (await client.group(group).listConnections(options)).byPage()) received.push([...page]);
      return received;
    },
    expectedResult: () => pages.map((entry) => (entry.ResponseBody as RecordedPage).value ?? []),
  };
}
