import { beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { InjectWebPubSub, WebPubSubModule, WebPubSubRestClient, WebPubSubService } from '../../../lib/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { connectOfficialClient } from '../../support/official-client.js';
import { waitFor } from '../../support/wait-for.js';
import { connectOutcome, portOf } from './di-harness.js';

/*
 * Several registrations in one app: named instances, each with its own connection and hub, declared in
 * different feature modules and injected with @InjectWebPubSub(name), next to a default instance
 * (the embedded emulator here). Each emulator must see only the calls of its own instance.
 */

const alertsStage = useEmulator({ accessKey: 'alerts-emulator-key' });
const auditStage = useEmulator({ accessKey: 'audit-emulator-key' });

@Injectable()
class AlertsPublisher {
  constructor(@InjectWebPubSub('alerts') readonly webPubSub: WebPubSubService) {}
}
/** A feature module with its own named registration (built once the emulator's connection string is known). */
function alertsModule() {
  @Module({
    imports: [
      WebPubSubModule.forRoot({
        name: 'alerts',
        connectionString: alertsEmulator.connectionString,
        hub: 'alerts',
        logger: false,
      }),
    ],
    providers: [AlertsPublisher],
    exports: [AlertsPublisher],
  })
  class AlertsModule {}
  return AlertsModule;
}

@Injectable()
class Dispatcher {
  constructor(
    @InjectWebPubSub('audit') readonly audit: WebPubSubService,
    readonly main: WebPubSubService,
    @InjectWebPubSub() readonly mainByDecorator: WebPubSubService,
    readonly alerts: AlertsPublisher,
  ) {}
}

const logger = new CapturingLogger();
let moduleRef: TestingModule | undefined;
let dispatcher: Dispatcher;
let alertsEmulator: WebPubSubEmulator;
let auditEmulator: WebPubSubEmulator;

beforeAll(async () => {
  alertsEmulator = alertsStage.emulator;
  auditEmulator = auditStage.emulator;
  // Closed before the emulators stop, as an app closes before the services it used.
  alertsStage.defer(() => moduleRef?.close());
  moduleRef = await Test.createTestingModule({
    imports: [
      alertsModule(),
      WebPubSubModule.forRootAsync({
        name: 'audit',
        useFactory: async () => ({ connectionString: auditEmulator.connectionString, hub: 'audit', logger: false }),
      }),
      WebPubSubModule.forRoot({ emulator: { accessKey: 'embedded-main-key' }, hub: 'main', logger }),
    ],
    providers: [Dispatcher],
  }).compile();
  dispatcher = moduleRef.get(Dispatcher);
});

describe('named instances', () => {
  it('inject one service per name, each with its own options, hub and endpoint', () => {
    const { audit, main, mainByDecorator, alerts } = dispatcher;
    expect(alerts.webPubSub).toMatchObject({
      instanceName: 'alerts',
      hubName: 'alerts',
      endpoint: alertsEmulator.endpoint,
    });
    expect(audit).toMatchObject({ instanceName: 'audit', hubName: 'audit', endpoint: auditEmulator.endpoint });
    expect(main).toMatchObject({ instanceName: 'default', hubName: 'main' });
    expect(main.endpoint).not.toBe(alertsEmulator.endpoint);
    expect(main.endpoint).not.toBe(auditEmulator.endpoint);
    // @InjectWebPubSub() without a name and injection by class give the same default instance.
    expect(mainByDecorator).toBe(main);
    expect(new Set([alerts.webPubSub, audit, main]).size).toBe(3);
    for (const service of [alerts.webPubSub, audit, main]) expect(service.client).toBeInstanceOf(WebPubSubRestClient);
    expect(new Set([alerts.webPubSub.client, audit.client, main.client]).size).toBe(3);
  });

  it('send at the same time, and each emulator sees only the calls of its own instance', async () => {
    const [alertsFrom, auditFrom] = [alertsEmulator.restCalls.length, auditEmulator.restCalls.length];
    const { audit, main, alerts } = dispatcher;
    await Promise.all(
      Array.from({ length: 5 }, (_, n) => [
        alerts.webPubSub.sendToAll({ n }),
        audit.group('ops').sendToAll({ n }),
        main.sendToUser('alice', { n }),
      ]).flat(),
    );
    const seen = (emulator: WebPubSubEmulator, from: number) => [
      ...new Set(emulator.restCalls.slice(from).map((call) => `${call.path} ${call.status}`)),
    ];
    expect(alertsEmulator.restCalls.length - alertsFrom).toBe(5);
    expect(seen(alertsEmulator, alertsFrom)).toEqual(['/api/hubs/alerts/:send 202']);
    expect(auditEmulator.restCalls.length - auditFrom).toBe(5);
    expect(seen(auditEmulator, auditFrom)).toEqual(['/api/hubs/audit/groups/ops/:send 202']);
    // The default instance went to its own (embedded) emulator: it answers for the user sends.
    await expect(main.userExists('alice')).resolves.toBe(false);
  });

  it("official clients connected through each instance receive only that instance's messages", async () => {
    const { audit, main, alerts } = dispatcher;
    const [onAlerts, onAudit, onMain] = await Promise.all([
      connectOfficialClient(alerts.webPubSub, { userId: 'alice' }),
      connectOfficialClient(audit, { userId: 'alice' }),
      connectOfficialClient(main, { userId: 'alice' }),
    ]);
    for (const receiver of [onAlerts, onAudit, onMain]) alertsStage.defer(() => receiver.stop());
    expect(alertsEmulator.connections('alerts').map((connection) => connection.connectionId)).toEqual([
      onAlerts.connectionId,
    ]);
    expect(auditEmulator.connections('audit').map((connection) => connection.connectionId)).toEqual([
      onAudit.connectionId,
    ]);

    await Promise.all([
      alerts.webPubSub.sendToUser('alice', { via: 'alerts' }),
      audit.sendToUser('alice', { via: 'audit' }),
      main.sendToUser('alice', { via: 'main' }),
    ]);
    await waitFor(
      () => onAlerts.server.length && onAudit.server.length && onMain.server.length,
      'each receiver to get its message',
    );
    expect([onAlerts, onAudit, onMain].map((receiver) => receiver.server.map((message) => message.data))).toEqual([
      [{ via: 'alerts' }],
      [{ via: 'audit' }],
      [{ via: 'main' }],
    ]);
  });

  it('the default instance may use the embedded emulator next to named external ones (logged once, without its key)', async () => {
    const started = logger.lines.filter((line) => line.message.startsWith('Started an embedded Web PubSub emulator'));
    expect(started).toEqual([
      {
        level: 'log',
        message: expect.stringContaining(dispatcher.main.endpoint),
        params: ['WebPubSub'],
        context: 'WebPubSub',
        text: expect.stringContaining(dispatcher.main.endpoint),
      },
    ]);
    expect(logger.text()).not.toContain('embedded-main-key');
  });

  it('closing the app stops the embedded emulator only, never the external ones it was given', async () => {
    const embeddedPort = portOf(dispatcher.main.endpoint);
    const closing = moduleRef;
    moduleRef = undefined;
    await closing?.close();
    await expect(connectOutcome(embeddedPort)).resolves.toBe('ECONNREFUSED');
    for (const emulator of [alertsEmulator, auditEmulator]) {
      await expect(new WebPubSubRestClient(emulator.connectionString, 'alerts').getServiceStatus()).resolves.toBe(true);
    }
  });
});
