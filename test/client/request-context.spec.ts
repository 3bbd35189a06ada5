import { describe, expect, it } from '@jest/globals';
import { WebPubSubArgumentError, WebPubSubRestClient } from '../../lib/index.js';
import { buildGetServiceStatusRequest, buildSendToGroupRequest } from '../../lib/rest/index.js';
import { DEFAULT_API_VERSION } from '../../lib/client/index.js';
import { defaultResponse, type CaptureServer } from '../support/capture-server.js';
import { expectSignedFor, ourClient, useServers } from './transport-harness.js';

/**
 * The request context (`{ hub, apiVersion }`) is the one way an api-version reaches a request: given
 * to a builder, or held by a client, its group clients and its `hub(name)` clients. A version other
 * than the default shows that it arrived.
 */
const OTHER_VERSION = '2024-01-01';

const { serve } = useServers();

/** Each request's api-version values as `METHOD path → versions`, so a stray or missing one shows. */
function versionsOf(server: CaptureServer): string[] {
  return server.requests.map((request) => {
    const versions = request.query.filter(([name]) => name === 'api-version').map(([, value]) => value);
    return `${request.method} ${request.path} → ${versions.join(',')}`;
  });
}

function otherVersionClient(server: CaptureServer): WebPubSubRestClient {
  return ourClient(server, { apiVersion: OTHER_VERSION, retryOptions: { maxRetries: 0 } });
}

describe('request builders', () => {
  it('put the context’s apiVersion first in the query, and the default for a plain hub name', () => {
    expect(DEFAULT_API_VERSION).not.toBe(OTHER_VERSION);
    const withVersion = buildSendToGroupRequest({ hub: 'hub1', apiVersion: OTHER_VERSION }, 'g1', 'hi', {
      messageTtlSeconds: 5,
    });
    expect(withVersion.path).toBe('/api/hubs/hub1/groups/g1/:send');
    expect(withVersion.query).toEqual([
      ['api-version', OTHER_VERSION],
      ['messageTtlSeconds', '5'],
    ]);

    expect(buildSendToGroupRequest({ hub: 'hub1' }, 'g1', 'hi').query).toEqual([['api-version', DEFAULT_API_VERSION]]);
    expect(buildSendToGroupRequest('hub1', 'g1', 'hi')).toEqual(buildSendToGroupRequest({ hub: 'hub1' }, 'g1', 'hi'));
    expect(buildGetServiceStatusRequest({ apiVersion: OTHER_VERSION }).query).toEqual([['api-version', OTHER_VERSION]]);
    expect(buildGetServiceStatusRequest().query).toEqual([['api-version', DEFAULT_API_VERSION]]);
  });

  it('send the context’s apiVersion on the wire through sendRequest', async () => {
    const server = await serve();
    const client = otherVersionClient(server);
    await client.sendRequest(buildSendToGroupRequest({ hub: 'hub1', apiVersion: OTHER_VERSION }, 'g1', 'hi'));
    await client.sendRequest(buildSendToGroupRequest({ hub: 'hub1' }, 'g1', 'hi'));
    expect(versionsOf(server)).toEqual([
      `POST /api/hubs/hub1/groups/g1/:send → ${OTHER_VERSION}`,
      // The builder's context decides, not the client that sends it.
      `POST /api/hubs/hub1/groups/g1/:send → ${DEFAULT_API_VERSION}`,
    ]);
    for (const request of server.requests) expectSignedFor(request, server.url);
  });

  it('refuse a malformed apiVersion in the context before anything is sent', () => {
    for (const attempt of [
      () => buildSendToGroupRequest({ hub: 'hub1', apiVersion: 'latest' }, 'g1', 'hi'),
      () => buildGetServiceStatusRequest({ apiVersion: 'latest' }),
    ]) {
      expect(attempt).toThrow(WebPubSubArgumentError);
      expect(attempt).toThrow(/apiVersion "latest" is invalid/);
    }
  });
});

describe('clients pass their apiVersion to every builder', () => {
  it('a rest client’s operations', async () => {
    const server = await serve();
    const client = otherVersionClient(server);
    expect(client.apiVersion).toBe(OTHER_VERSION);
    await client.sendToAll({ a: 1 });
    await client.connectionExists('c1');
    await client.removeUserFromAllGroups('u1');
    await client.grantPermission('c1', 'sendToGroup', { targetName: 'g1' });
    await client.getServiceStatus();
    expect(versionsOf(server)).toEqual([
      `POST /api/hubs/hub1/:send → ${OTHER_VERSION}`,
      `HEAD /api/hubs/hub1/connections/c1 → ${OTHER_VERSION}`,
      `DELETE /api/hubs/hub1/users/u1/groups → ${OTHER_VERSION}`,
      `PUT /api/hubs/hub1/permissions/sendToGroup/connections/c1 → ${OTHER_VERSION}`,
      `HEAD /api/health → ${OTHER_VERSION}`,
    ]);
  });

  it('a group client’s operations, on every page of a listing', async () => {
    const nextLink = '/api/hubs/hub1/groups/g1/connections?api-version=2099-01-01&continuationToken=page2';
    const server = await serve((request) =>
      request.method === 'GET' && !request.query.some(([name]) => name === 'continuationToken')
        ? {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ value: [{ connectionId: 'c1' }], nextLink }),
          }
        : defaultResponse(request),
    );
    const group = otherVersionClient(server).group('g1');
    expect(group.apiVersion).toBe(OTHER_VERSION);
    await group.sendToAll('hi', { contentType: 'text/plain' });
    await group.addUser('u1');
    await group.closeAllConnections({ reason: 'bye' });
    const members: string[] = [];
    for await (const member of await group.listConnections()) members.push(member.connectionId);
    expect(members).toEqual(['c1', 'c1']);
    expect(versionsOf(server)).toEqual([
      `POST /api/hubs/hub1/groups/g1/:send → ${OTHER_VERSION}`,
      `PUT /api/hubs/hub1/users/u1/groups/g1 → ${OTHER_VERSION}`,
      `POST /api/hubs/hub1/groups/g1/:closeConnections → ${OTHER_VERSION}`,
      `GET /api/hubs/hub1/groups/g1/connections → ${OTHER_VERSION}`,
      `GET /api/hubs/hub1/groups/g1/connections → ${OTHER_VERSION}`,
    ]);
  });

  it('a hub(name) client and its groups', async () => {
    const server = await serve();
    const client = otherVersionClient(server);
    const other = client.hub('other');
    expect(other).toBeInstanceOf(WebPubSubRestClient);
    expect({ hubName: other.hubName, apiVersion: other.apiVersion, endpoint: other.endpoint }).toEqual({
      hubName: 'other',
      apiVersion: OTHER_VERSION,
      endpoint: client.endpoint,
    });
    await other.sendToUser('u1', { a: 1 });
    await other.userExists('u1');
    await other.group('g2').addConnection('c1');
    await client.sendToAll({ b: 2 });
    expect(versionsOf(server)).toEqual([
      `POST /api/hubs/other/users/u1/:send → ${OTHER_VERSION}`,
      `HEAD /api/hubs/other/users/u1 → ${OTHER_VERSION}`,
      `PUT /api/hubs/other/groups/g2/connections/c1 → ${OTHER_VERSION}`,
      // The first client keeps its own hub.
      `POST /api/hubs/hub1/:send → ${OTHER_VERSION}`,
    ]);
  });
});
