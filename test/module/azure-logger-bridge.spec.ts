import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { WebPubSubModule, WebPubSubService } from '../../lib/index.js';
import { useAzureLogCapture } from '../support/azure-log-capture.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { useEmulator } from '../support/emulator-stage.js';

/*
 * Azure SDK log output of the module's client reaches the module's Nest logger while Azure logging
 * is on, and nothing global changes: another Azure client in the same process still logs through
 * the global AzureLogger, and none of our lines land there.
 */

const KEY = 'bridge-spec-distinctive-key';

describe('Azure SDK logger bridge', () => {
  const stage = useEmulator({ accessKey: KEY });
  const azureLog = useAzureLogCapture();

  async function serviceWith(
    logger: CapturingLogger,
  ): Promise<{ service: WebPubSubService; close: () => Promise<void> }> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WebPubSubModule.forRoot({
          connectionString: stage.emulator.connectionString,
          hub: 'chat',
          logger,
          httpLogging: 'off',
        }),
      ],
    }).compile();
    return { service: moduleRef.get(WebPubSubService), close: () => moduleRef.close() };
  }

  it('sends our client’s SDK lines to the Nest logger, and leaves other Azure clients on the global logger', async () => {
    const globalLines = azureLog.capture('info');
    const logger = new CapturingLogger();
    const { service, close } = await serviceWith(logger);
    await service.sendToAll({ hello: 'world' }, { filter: "userId eq 'alice'" });
    const official = new WebPubSubServiceClient(stage.emulator.connectionString, 'chat', {
      allowInsecureConnection: true,
    });
    await official.sendToAll({ hello: 'official' });
    await close();

    const bridged = logger.lines.filter((line) => line.message.startsWith('azure:nestjs-web-pubsub:info'));
    expect(
      bridged.some(
        (line) =>
          line.level === 'verbose' &&
          line.message.includes('Request:') &&
          line.message.includes('/api/hubs/chat/:send'),
      ),
    ).toBe(true);
    expect(bridged.some((line) => line.message.includes('Response status code: 202'))).toBe(true);
    expect(globalLines.filter((line) => line.includes('nestjs-web-pubsub'))).toEqual([]);
    expect(globalLines.some((line) => line.startsWith('azure:web-pubsub:info') && line.includes('Request:'))).toBe(
      true,
    );
    const everything = [...logger.lines.map((line) => line.message), ...globalLines].join('\n');
    expect(everything).not.toContain(KEY);
    expect(everything).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]*/);
    expect(everything).not.toContain('alice');
  });

  it('stays quiet while Azure logging is off', async () => {
    const globalLines = azureLog.capture(undefined);
    const logger = new CapturingLogger();
    const { service, close } = await serviceWith(logger);
    await service.sendToAll('x');
    await close();
    expect(logger.lines).toEqual([]);
    expect(globalLines).toEqual([]);
  });
});
