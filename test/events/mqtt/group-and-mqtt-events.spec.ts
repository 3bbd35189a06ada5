import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ForbiddenException, HttpException, InternalServerErrorException, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { MqttConnectError } from '../../../lib/index.js';
import type { CapturingLogger } from '../../support/capturing-logger.js';
import { DEFAULT_ADAPTER } from '../../support/http-adapters.js';
import {
  eventHeaders,
  MQTT_CONNECT_BODY,
  MQTT_DISCONNECTED_BODY,
  MQTT_HEADERS,
  resetSeen,
  seen,
  SOURCE,
  startRecordingApp,
} from './mqtt-wire.js';

describe.each(DEFAULT_ADAPTER)('group and MQTT upstream events on %s', (adapter) => {
  let app: INestApplication;
  let logger: CapturingLogger;
  beforeAll(async () => ({ app, logger } = await startRecordingApp(adapter)));
  afterAll(() => app.close());
  afterEach(resetSeen);

  const post = (event: string, headers: Record<string, string>, body: unknown) =>
    request(app.getHttpServer()).post(`/eventhandler/${event}`).set(headers).send(JSON.stringify(body));

  it.each(['joined', 'left'] as const)('delivers gp.%s with its group to @OnGroup… (204)', async (event) => {
    const response = await post(event, eventHeaders(event), { group: 'room-1' });
    expect(response.status).toBe(204);
    const received = event === 'joined' ? seen.joined : seen.left;
    expect(
      received.map(({ group, context }) => ({
        group,
        eventName: context.eventName,
        clientProtocol: context.clientProtocol,
      })),
    ).toEqual([{ group: 'room-1', eventName: event, clientProtocol: 'default' }]);
    expect(event === 'joined' ? seen.left : seen.joined).toEqual([]);
  });

  it('refuses a group event with no group name (400), and runs no handler', async () => {
    const response = await post('joined', eventHeaders('joined'), {});
    expect(response.status).toBe(400);
    expect(response.text).toContain('no `group` string');
    expect(seen.joined).toEqual([]);
  });

  it('refuses an unsigned group event (401): group events pass the same checks', async () => {
    const response = await post('left', eventHeaders('left', { 'ce-signature': 'sha256=00' }), { group: 'g' });
    expect(response.status).toBe(401);
    expect(seen.left).toEqual([]);
  });

  it('gives an MQTT connect its CONNECT packet and the MQTT context', async () => {
    seen.onConnect = () => ({ userId: 'ann', mqtt: { userProperties: [{ name: 'welcome', value: 'yes' }] } });
    const response = await post('connect', eventHeaders('connect', MQTT_HEADERS), MQTT_CONNECT_BODY);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      userId: 'ann',
      mqtt: { userProperties: [{ name: 'welcome', value: 'yes' }] },
    });
    const [connect] = seen.connect;
    expect(connect.mqtt).toEqual(MQTT_CONNECT_BODY.mqtt);
    expect(connect.context).toMatchObject({
      clientProtocol: 'mqtt',
      subprotocol: 'mqtt',
      mqtt: { physicalConnectionId: 'phys-9', sessionId: 'session-3' },
    });
  });

  it('treats an mqtt subprotocol without a physical connection id as a default client', async () => {
    await post('connect', eventHeaders('connect', { 'ce-subprotocol': 'mqtt' }), MQTT_CONNECT_BODY);
    expect(seen.connect[0].context.clientProtocol).toBe('default');
    expect(seen.connect[0].context.mqtt).toBeUndefined();
    expect(seen.connect[0].mqtt).toBeUndefined();
  });

  it.each([
    [
      'an MqttConnectError: its own code and status',
      () => new MqttConnectError({ mqtt: { code: 0x8a, reason: 'banned' } }),
      403,
      { mqtt: { code: 0x8a, reason: 'banned' } },
    ],
    [
      'an HttpException: a code from its status',
      () => new ForbiddenException('not here'),
      403,
      { mqtt: { code: 0x80, reason: 'not here' } },
    ],
    ['a 500', () => new InternalServerErrorException('down'), 500, { mqtt: { code: 0x80, reason: 'down' } }],
  ])('refuses an MQTT client with %s', async (_name, refusal, status, body) => {
    seen.onConnect = () => {
      throw refusal();
    };
    const response = await post('connect', eventHeaders('connect', MQTT_HEADERS), MQTT_CONNECT_BODY);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.text)).toEqual(body);
  });

  it.each([
    [400, 4],
    [401, 5],
    [403, 3],
  ])('answers an MQTT 3.1.1 client (protocolVersion 4) refused with %d with return code %d', async (status, code) => {
    seen.onConnect = () => {
      throw new HttpException('x', status);
    };
    const v4 = { ...MQTT_CONNECT_BODY, mqtt: { protocolVersion: 4 } };
    const response = await post('connect', eventHeaders('connect', MQTT_HEADERS), v4);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.text)).toEqual({ mqtt: { code, reason: 'x' } });
  });

  it('refuses an MQTT answer whose user properties are not name/value strings (500, logged)', async () => {
    seen.onConnect = () => ({ mqtt: { userProperties: [{ name: 'n', value: 1 }] } });
    const response = await post('connect', eventHeaders('connect', MQTT_HEADERS), MQTT_CONNECT_BODY);
    expect(response.status).toBe(500);
    expect(logger.errors().join('\n')).toContain('`mqtt` is invalid');
  });

  it('passes the MQTT disconnect packet to @OnDisconnected', async () => {
    const response = await post('disconnected', eventHeaders('disconnected', MQTT_HEADERS), MQTT_DISCONNECTED_BODY);
    expect(response.status).toBe(204);
    expect(
      seen.disconnected.map(({ reason, mqtt, context }) => ({
        reason,
        mqtt,
        sessionId: context.mqtt?.sessionId,
        connectionId: context.connectionId,
      })),
    ).toEqual([
      {
        reason: 'client left',
        mqtt: MQTT_DISCONNECTED_BODY.mqtt,
        sessionId: 'session-3',
        connectionId: SOURCE.connectionId,
      },
    ]);
  });
});
