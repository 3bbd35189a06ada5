import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpException, type INestApplication } from '@nestjs/common';
import {
  WebPubSubEventHandler,
  type ConnectResponseHandler,
  type MqttConnectErrorResponse,
} from '@azure/web-pubsub-express';
import express from 'express';
import request from 'supertest';
import { MqttConnectError, type WebPubSubEventContext } from '../../../lib/index.js';
import { DEFAULT_ADAPTER } from '../../support/http-adapters.js';
import {
  eventHeaders,
  MQTT_CONNECT_BODY,
  MQTT_DISCONNECTED_BODY,
  MQTT_HEADERS,
  resetSeen,
  seen,
  startRecordingApp,
} from './mqtt-wire.js';

/**
 * @azure/web-pubsub-express is the reference reading of event requests: the same signed requests go
 * to it and to our route, and both must read the same fields and answer alike.
 */

/** What the official receiver got last, per event kind (its non-blocking callbacks run after it answered). */
const official = new Map<string, unknown>();
let officialConnect: (response: ConnectResponseHandler) => void = (response) => response.success();

const receiver = new WebPubSubEventHandler('chat', {
  path: '/eventhandler',
  handleConnect: (connectRequest, response) => {
    official.set('connect', connectRequest);
    officialConnect(response);
  },
  onDisconnected: (event) => official.set('disconnected', event),
  onGroupJoined: (event) => official.set('joined', event),
  onGroupLeft: (event) => official.set('left', event),
});
const officialApp = express().use(receiver.getMiddleware());

/** The fields both sides read into the context (the official one has no `subprotocol`; ours has no `signature`). */
function contextFields(context: Partial<WebPubSubEventContext>) {
  const { hub, connectionId, userId, eventName, origin, states, clientProtocol, mqtt } = context;
  return { hub, connectionId, userId, eventName, origin, states, clientProtocol, mqtt };
}

const STATES = Buffer.from(JSON.stringify({ visits: 2 })).toString('base64');

describe.each(DEFAULT_ADAPTER)('our event route on %s against @azure/web-pubsub-express', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => ({ app } = await startRecordingApp(adapter)));
  afterAll(() => app.close());
  afterEach(() => {
    resetSeen();
    official.clear();
    officialConnect = (response) => response.success();
  });

  /** Sends one request to both receivers; the official callbacks may run just after its answer. */
  async function both(event: string, headers: Record<string, string>, body: unknown) {
    const send = (target: Parameters<typeof request>[0]) =>
      request(target).post(`/eventhandler/${event}`).set(headers).send(JSON.stringify(body));
    const [ours, theirs] = [await send(app.getHttpServer()), await send(officialApp)];
    for (let i = 0; i < 50 && !official.has(event); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return { ours, theirs };
  }

  it.each([
    ['joined', {}],
    ['left', {}],
    ['joined', MQTT_HEADERS],
  ])(
    'reads a gp.%s event (%j) as the official receiver does, and both accept it with an empty 2xx',
    async (event, extra) => {
      const { ours, theirs } = await both(event, eventHeaders(event, { ...extra, 'ce-connectionState': STATES }), {
        group: 'room-7',
      });
      const theirEvent = official.get(event) as { context: WebPubSubEventContext; group: string };
      const ourEvent = (event === 'joined' ? seen.joined : seen.left)[0];
      expect({ group: ourEvent.group, context: contextFields(ourEvent.context) }).toEqual({
        group: theirEvent.group,
        context: contextFields(theirEvent.context),
      });
      expect(ourEvent.context.states).toEqual({ visits: 2 });
      // Success either way; the official receiver answers 200 where we answer 204 (no content).
      expect([ours.status, theirs.status]).toEqual([204, 200]);
      expect([ours.text, theirs.text]).toEqual(['', '']);
    },
  );

  it('reads an MQTT connect (CONNECT packet, session, physical connection) as the official receiver does', async () => {
    await both('connect', eventHeaders('connect', MQTT_HEADERS), MQTT_CONNECT_BODY);
    const theirs = official.get('connect') as typeof MQTT_CONNECT_BODY & { context: WebPubSubEventContext };
    const [ours] = seen.connect;
    const fields = ({ claims, query, headers, subprotocols, clientCertificates, mqtt, context }: typeof theirs) => ({
      claims,
      query,
      headers,
      subprotocols,
      clientCertificates,
      mqtt,
      context: contextFields(context),
    });
    expect(fields(ours as unknown as typeof theirs)).toEqual(fields(theirs));
    expect(ours.context.mqtt).toEqual({ physicalConnectionId: 'phys-9', sessionId: 'session-3' });
  });

  it('reads an MQTT disconnected event (the DISCONNECT packet) as the official receiver does', async () => {
    await both('disconnected', eventHeaders('disconnected', MQTT_HEADERS), MQTT_DISCONNECTED_BODY);
    const theirs = official.get('disconnected') as { reason: string; mqtt: unknown; context: WebPubSubEventContext };
    const [ours] = seen.disconnected;
    expect({ reason: ours.reason, mqtt: ours.mqtt, context: contextFields(ours.context) }).toEqual({
      reason: theirs.reason,
      mqtt: theirs.mqtt,
      context: contextFields(theirs.context),
    });
  });

  it('answers an MQTT connect with MQTT properties with the same status, type and body', async () => {
    const answer = { userId: 'ann', groups: ['g'], mqtt: { userProperties: [{ name: 'welcome', value: 'yes' }] } };
    seen.onConnect = () => answer;
    officialConnect = (response) => response.success(answer);
    const { ours, theirs } = await both('connect', eventHeaders('connect', MQTT_HEADERS), MQTT_CONNECT_BODY);
    expect([ours.status, ours.headers['content-type'], ours.text]).toEqual([
      theirs.status,
      theirs.headers['content-type'],
      theirs.text,
    ]);
    expect(ours.status).toBe(200);
  });

  const refusals: Array<[string, number, () => Error, (response: ConnectResponseHandler) => void]> = [
    [
      'failWith a v5 reason code (Banned)',
      5,
      () => new MqttConnectError({ mqtt: { code: 0x8a, reason: 'banned' } }),
      (r) => r.failWith({ mqtt: { code: 0x8a, reason: 'banned' } } as MqttConnectErrorResponse),
    ],
    [
      'failWith a v3.1.1 return code (identifier rejected)',
      4,
      () => new MqttConnectError({ mqtt: { code: 2 } }),
      (r) => r.failWith({ mqtt: { code: 2 } } as MqttConnectErrorResponse),
    ],
    ['fail(401) from an MQTT 5 client', 5, () => new HttpException('no', 401), (r) => r.fail(401, 'no')],
    ['fail(400) from an MQTT 3.1.1 client', 4, () => new HttpException('bad', 400), (r) => r.fail(400, 'bad')],
    ['fail(500) from an MQTT 5 client', 5, () => new HttpException('down', 500), (r) => r.fail(500, 'down')],
  ];
  it.each(refusals)(
    'refuses an MQTT connect like %s: same status, type and body',
    async (_name, protocolVersion, ourRefusal, theirRefusal) => {
      seen.onConnect = () => {
        throw ourRefusal();
      };
      officialConnect = theirRefusal;
      const body = { ...MQTT_CONNECT_BODY, mqtt: { protocolVersion } };
      const { ours, theirs } = await both('connect', eventHeaders('connect', MQTT_HEADERS), body);
      expect([ours.status, ours.headers['content-type'], JSON.parse(ours.text)]).toEqual([
        theirs.status,
        theirs.headers['content-type'],
        JSON.parse(theirs.text),
      ]);
      expect(ours.status).toBeGreaterThanOrEqual(400);
    },
  );
});
