import type { INestApplication, Type } from '@nestjs/common';
import type { WebPubSubModuleOptions, WebPubSubService } from '../../../lib/index.js';
import type { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { startEmulatorApp, type EmulatorApp } from '../../support/emulator-app.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { connectOfficialClient, type OfficialClient } from '../../support/official-client.js';

/** Successful sends the emulator served for an operation (e.g. `sendToAll`). */
export function accepted(emulator: WebPubSubEmulator, operation: string): number {
  return emulator.restCalls.filter((call) => call.operation === operation && call.status === 202).length;
}

/** One emulator for a describe block, and the apps and official-client receivers its tests start on it. */
export interface DeliveryStage {
  readonly emulator: WebPubSubEmulator;
  /** An app on the emulator (see startEmulatorApp), closed after the test, or after the block from a beforeAll. */
  startApp(controllers: Type[], options?: Partial<WebPubSubModuleOptions>): Promise<EmulatorApp>;
  /** An official client as `userId`, in `groups`, stopped after the test (or block). */
  connectReceiver(service: WebPubSubService, userId: string, groups?: string[]): Promise<OfficialClient>;
  /** Closes an app now (to test shutdown, or to start another); it is not closed again later. */
  closeApp(app: INestApplication): Promise<void>;
}

/** A DeliveryStage: call at the top of a `describe`; faults are cleared after every test. */
export function useDeliveryStage(): DeliveryStage {
  const stage = useEmulator();
  const closers = new Map<INestApplication, () => Promise<void>>();
  return {
    get emulator() {
      return stage.emulator;
    },
    async startApp(controllers, options = {}) {
      const started = await startEmulatorApp(stage.emulator, controllers, options);
      let closing: Promise<void> | undefined;
      const close = () => (closing ??= started.app.close());
      closers.set(started.app, close);
      stage.defer(close);
      return started;
    },
    async connectReceiver(service, userId, groups = []) {
      const receiver = await connectOfficialClient(service, { userId, groups });
      stage.defer(() => receiver.stop());
      return receiver;
    },
    closeApp: (app) => closers.get(app)!(),
  };
}
