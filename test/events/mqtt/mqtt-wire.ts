import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  OnConnect,
  OnDisconnected,
  OnGroupJoined,
  OnGroupLeft,
  WebPubSubEventHandler,
  WebPubSubModule,
  type ConnectRequest,
  type DisconnectedEvent,
  type GroupJoinedRequest,
  type GroupLeftRequest,
} from '../../../lib/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { createAdapterApp, initAdapterApp, type AdapterName } from '../../support/http-adapters.js';
import { upstreamEventHeaders, type UpstreamEventSource } from '../../support/upstream-events.js';

/** Shared by the specs of this folder: events as an MQTT client's connection brings them, and a Nest app that records them. */

const KEY = 'MqttWireKeyQ1w2E3r4T5y6U7i8O9p0SECRETvalue=';
export const SOURCE: UpstreamEventSource = {
  hub: 'chat',
  connectionId: 'conn-1',
  userId: 'u1',
  key: KEY,
  origin: 'contoso.webpubsub.azure.com',
};

/** The headers that mark an MQTT client's event (`ce-subprotocol` holding "mqtt" and a physical connection id). */
export const MQTT_HEADERS = {
  'ce-subprotocol': 'mqtt',
  'ce-physicalConnectionId': 'phys-9',
  'ce-sessionId': 'session-3',
};

/** Headers of a signed `event` ('joined' and 'left' are group events) from SOURCE, with `extra` on top. */
export function eventHeaders(event: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const type = event === 'joined' || event === 'left' ? { 'ce-type': `azure.webpubsub.gp.${event}` } : {};
  return upstreamEventHeaders(event, SOURCE, { ...type, ...extra });
}

export const MQTT_CONNECT_BODY = {
  claims: { sub: ['u1'] },
  query: { q: ['1'] },
  headers: { host: ['contoso'] },
  subprotocols: ['mqtt'],
  clientCertificates: [],
  mqtt: { protocolVersion: 5, username: 'ann', password: 'pw', userProperties: [{ name: 'device', value: 'd1' }] },
};

export const MQTT_DISCONNECTED_BODY = {
  reason: 'client left',
  mqtt: { disconnectPacket: { code: 0, userProperties: [{ name: 'bye', value: 'now' }] }, initiatedByClient: true },
};

/** What the Nest handlers received, and what `@OnConnect` should do next. */
export const seen = {
  connect: [] as ConnectRequest[],
  disconnected: [] as DisconnectedEvent[],
  joined: [] as GroupJoinedRequest[],
  left: [] as GroupLeftRequest[],
  /** Runs in `@OnConnect`: returns its answer or throws its refusal. */
  onConnect: (() => undefined) as () => unknown,
};

export function resetSeen(): void {
  for (const list of [seen.connect, seen.disconnected, seen.joined, seen.left]) list.length = 0;
  seen.onConnect = () => undefined;
}

@WebPubSubEventHandler({ hub: 'chat' })
class RecordingEvents {
  @OnConnect()
  connect(request: ConnectRequest) {
    seen.connect.push(request);
    return seen.onConnect();
  }

  @OnDisconnected()
  disconnected(event: DisconnectedEvent) {
    seen.disconnected.push(event);
  }

  @OnGroupJoined()
  joined(event: GroupJoinedRequest) {
    seen.joined.push(event);
  }

  @OnGroupLeft()
  left(event: GroupLeftRequest) {
    seen.left.push(event);
  }
}

/** A Nest app on `adapter` whose event route serves RecordingEvents, signed with KEY. */
export async function startRecordingApp(
  adapter: AdapterName,
): Promise<{ app: INestApplication; logger: CapturingLogger }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      WebPubSubModule.forRoot({
        connectionString: `Endpoint=https://contoso.webpubsub.azure.com;AccessKey=${KEY};Version=1.0;`,
        hub: 'chat',
      }),
    ],
    providers: [RecordingEvents],
  }).compile();
  const app = createAdapterApp(moduleRef, adapter);
  const logger = new CapturingLogger();
  app.useLogger(logger);
  await initAdapterApp(app);
  return { app, logger };
}
