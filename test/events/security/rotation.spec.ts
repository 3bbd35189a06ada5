import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { StubTokenCredential } from '../../support/stub-token-credential.js';
import { ADAPTERS, calls, CONNECTION_STRING, createApp, PRIMARY_KEY, resetCalls, SECONDARY_KEY, SERVICE_HOST, sign } from './harness.js';

const CONNECTION_ID = 'conn-rotation';
const ENDPOINT = `https://${SERVICE_HOST}`;

function connect(app: INestApplication, signature?: string) {
  const headers: Record<string, string> = {
    'ce-awpsversion': '1.0',
    'ce-specversion': '1.0',
    'ce-type': 'azure.webpubsub.sys.connect',
    'ce-hub': 'chat',
    'ce-connectionId': CONNECTION_ID,
    'ce-eventName': 'connect',
    'webhook-request-origin': SERVICE_HOST,
    'content-type': 'application/json; charset=utf-8',
  };
  if (signature !== undefined) headers['ce-signature'] = signature;
  return request(app.getHttpServer()).post('/eventhandler/connect').set(headers).send('{}');
}

describe.each(ADAPTERS)('key rotation and signature options on %s', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    resetCalls();
  });

  it('accepts events signed with the primary or an extra key from events.accessKeys, and nothing else', async () => {
    app = await createApp(adapter, { connectionString: CONNECTION_STRING, hub: 'chat', events: { accessKeys: [SECONDARY_KEY] } });
    expect((await connect(app, sign(PRIMARY_KEY, CONNECTION_ID))).status).toBe(204);
    expect((await connect(app, sign(SECONDARY_KEY, CONNECTION_ID))).status).toBe(204);
    // During rotation the service sends both; either entry matching is enough.
    expect((await connect(app, `${sign('retired-key', CONNECTION_ID)},${sign(SECONDARY_KEY, CONNECTION_ID)}`)).status).toBe(204);
    expect(calls.connect).toBe(3);
    expect((await connect(app, sign('retired-key', CONNECTION_ID))).status).toBe(401);
    expect(calls.connect).toBe(3);
  });

  it('without events.accessKeys, the secondary key alone is rejected (control)', async () => {
    app = await createApp(adapter);
    expect((await connect(app, sign(SECONDARY_KEY, CONNECTION_ID))).status).toBe(401);
    expect(calls.connect).toBe(0);
  });

  it('events.verifySignature: false accepts unsigned events', async () => {
    app = await createApp(adapter, { connectionString: CONNECTION_STRING, hub: 'chat', events: { verifySignature: false } });
    expect((await connect(app)).status).toBe(204);
    expect((await connect(app, 'sha256=garbage')).status).toBe(204);
    expect(calls.connect).toBe(2);
  });

  it('fails at startup with a clear message when a TokenCredential module has a handler but no events.accessKeys', async () => {
    await expect(createApp(adapter, { endpoint: ENDPOINT, credential: new StubTokenCredential(), hub: 'chat' })).rejects.toThrow(
      /@WebPubSubEventHandler\(\{ hub: 'chat' \}\).*TokenCredential.*events\.accessKeys/,
    );
  });

  it('a TokenCredential module checks signatures against events.accessKeys', async () => {
    app = await createApp(adapter, { endpoint: ENDPOINT, credential: new StubTokenCredential(), hub: 'chat', events: { accessKeys: [SECONDARY_KEY] } });
    expect((await connect(app, sign(SECONDARY_KEY, CONNECTION_ID))).status).toBe(204);
    expect((await connect(app, sign(PRIMARY_KEY, CONNECTION_ID))).status).toBe(401);
    expect((await connect(app)).status).toBe(401);
    expect(calls.connect).toBe(1);
  });
});
