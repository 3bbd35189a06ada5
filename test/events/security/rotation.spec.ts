import { describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ADAPTERS } from '../../support/http-adapters.js';
import { StubTokenCredential } from '../../support/stub-token-credential.js';
import { ceSignature, upstreamEventHeaders } from '../../support/upstream-events.js';
import { calls, CONNECTION_STRING, PRIMARY_KEY, SECONDARY_KEY, SERVICE_HOST, SOURCE, useEventApps } from './harness.js';

const CONNECTION_ID = 'conn-rotation';
const ENDPOINT = `https://${SERVICE_HOST}`;

/** A connect from CONNECTION_ID with the given ce-signature (none when undefined). */
function connect(app: INestApplication, signature?: string) {
  const headers = upstreamEventHeaders(
    'connect',
    { ...SOURCE, connectionId: CONNECTION_ID },
    { 'ce-signature': signature },
  );
  return request(app.getHttpServer()).post('/eventhandler/connect').set(headers).send('{}');
}

describe.each(ADAPTERS)('key rotation and signature options on %s', (adapter) => {
  const apps = useEventApps();
  let app: INestApplication;

  it('accepts events signed with the primary or an extra key from events.accessKeys, and nothing else', async () => {
    app = await apps.start(adapter, {
      connectionString: CONNECTION_STRING,
      hub: 'chat',
      events: { accessKeys: [SECONDARY_KEY] },
    });
    expect((await connect(app, ceSignature(PRIMARY_KEY, CONNECTION_ID))).status).toBe(204);
    expect((await connect(app, ceSignature(SECONDARY_KEY, CONNECTION_ID))).status).toBe(204);
    // During rotation the service sends both; either entry matching is enough.
    expect(
      (await connect(app, `${ceSignature('retired-key', CONNECTION_ID)},${ceSignature(SECONDARY_KEY, CONNECTION_ID)}`))
        .status,
    ).toBe(204);
    expect(calls.connect).toBe(3);
    expect((await connect(app, ceSignature('retired-key', CONNECTION_ID))).status).toBe(401);
    expect(calls.connect).toBe(3);
  });

  it('without events.accessKeys, the secondary key alone is rejected (control)', async () => {
    app = await apps.start(adapter);
    expect((await connect(app, ceSignature(SECONDARY_KEY, CONNECTION_ID))).status).toBe(401);
    expect(calls.connect).toBe(0);
  });

  it('events.verifySignature: false accepts unsigned events', async () => {
    app = await apps.start(adapter, {
      connectionString: CONNECTION_STRING,
      hub: 'chat',
      events: { verifySignature: false },
    });
    expect((await connect(app)).status).toBe(204);
    expect((await connect(app, 'sha256=garbage')).status).toBe(204);
    expect(calls.connect).toBe(2);
  });

  it('fails at startup with a clear message when a TokenCredential module has a handler but no events.accessKeys', async () => {
    await expect(
      apps.start(adapter, { endpoint: ENDPOINT, credential: new StubTokenCredential(), hub: 'chat' }),
    ).rejects.toThrow(/@WebPubSubEventHandler\(\{ hub: 'chat' \}\).*TokenCredential.*events\.accessKeys/);
  });

  it('a TokenCredential module checks signatures against events.accessKeys', async () => {
    app = await apps.start(adapter, {
      endpoint: ENDPOINT,
      credential: new StubTokenCredential(),
      hub: 'chat',
      events: { accessKeys: [SECONDARY_KEY] },
    });
    expect((await connect(app, ceSignature(SECONDARY_KEY, CONNECTION_ID))).status).toBe(204);
    expect((await connect(app, ceSignature(PRIMARY_KEY, CONNECTION_ID))).status).toBe(401);
    expect((await connect(app)).status).toBe(401);
    expect(calls.connect).toBe(1);
  });
});
