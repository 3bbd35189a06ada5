import { beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { freePort } from '../../support/free-port.js';
import { startOfficialClient } from '../../support/official-client.js';
import { calls, useEventApps } from './harness.js';

const EMULATOR_KEY = 'EmulatorKeyAa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0KkLlMmNn=';
const OTHER_KEY = 'AppKeyThatIsNotTheEmulatorsXx1Yy2Zz3Ww4Vv5Uu6Tt7=';

describe('signatures from a real emulator', () => {
  /** The app's port, picked before the emulator starts so its event handler URL can name it. */
  let port: number;
  beforeAll(async () => {
    port = await freePort();
  });
  const stage = useEmulator(() => ({
    accessKey: EMULATOR_KEY,
    hubs: {
      chat: {
        eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/eventhandler/{event}`, systemEvents: ['connect'] }],
      },
    },
  }));
  const apps = useEventApps();

  /** A real emulator signing with EMULATOR_KEY, calling a Nest app that trusts `appKey`; a real client connects. */
  async function connectThrough(appKey: string): Promise<{ started: boolean; logger: CapturingLogger }> {
    const { emulator } = stage;
    const logger = new CapturingLogger();
    // The app talks to the same emulator endpoint (so its default allowed origin is the emulator's host) with its own key.
    const app = await apps.start(
      'express',
      { connectionString: `Endpoint=${emulator.endpoint};AccessKey=${appKey};Version=1.0;`, hub: 'chat' },
      logger,
    );
    await app.listen(port, '127.0.0.1');
    // The client's token comes from the emulator's real key, so only the upstream signature differs.
    const { url } = await new WebPubSubServiceClient(emulator.connectionString, 'chat').getClientAccessToken({
      userId: 'u1',
    });
    const started = await startOfficialClient(url, {
      autoReconnect: false,
      reconnectRetryOptions: { maxRetries: 0 },
    }).then(
      (client) => {
        stage.defer(() => client.stop());
        return true;
      },
      () => false,
    );
    return { started, logger };
  }

  it('rejects events signed with a key the app does not have (client connect fails with 401 upstream)', async () => {
    const { started, logger } = await connectThrough(OTHER_KEY);
    expect(started).toBe(false);
    expect(calls.connect).toBe(0);
    const warning = logger.lines.find((line) => line.level === 'warn' && line.text.includes('ce-signature'));
    expect(warning?.text).toContain('chat');
    expect(logger.lines.map((line) => line.text).join('\n')).not.toContain(EMULATOR_KEY);
  });

  it('accepts them when the app has the emulator key', async () => {
    const { started } = await connectThrough(EMULATOR_KEY);
    expect(started).toBe(true);
    expect(calls.connect).toBe(1);
  });
});
