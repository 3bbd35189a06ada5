import { describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../lib/index.js';
import { useAzureLogCapture } from '../support/azure-log-capture.js';
import { useCaptureServer } from '../support/capture-server.js';

/*
 * The client logs through the Azure SDK logger like any Azure client (AZURE_LOG_LEVEL / setLogLevel),
 * under its own namespace, and core-rest-pipeline's sanitizer keeps secrets out of those lines.
 */

const KEY = 'azure-logger-spec-distinctive-key-7f3a';

describe('Azure SDK logging', () => {
  const peer = useCaptureServer();
  const azureLog = useAzureLogCapture();

  it('writes each request and response under azure:nestjs-web-pubsub with secrets redacted', async () => {
    const lines = azureLog.capture('info');
    const client = new WebPubSubRestClient(peer.server.connectionString(KEY), 'chat');
    await client.sendToAll({ secret: 'payload' }, { filter: "userId eq 'alice'", excludedConnections: ['c1'] });
    const token = peer.server.requests.at(-1)!.headers.authorization!.slice('Bearer '.length);

    const ours = lines.filter((line) => line.startsWith('azure:nestjs-web-pubsub:info'));
    expect(ours.some((line) => line.includes('Request:') && line.includes('/api/hubs/chat/:send'))).toBe(true);
    expect(ours.some((line) => line.includes('Response status code: 202'))).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(token);
    expect(all).not.toContain('alice');
    expect(all).toMatch(/"authorization": "REDACTED"/i);
  });

  it('is silent when no log level is set', async () => {
    const lines = azureLog.capture(undefined);
    await new WebPubSubRestClient(peer.server.connectionString(KEY), 'chat').sendToAll('x');
    expect(lines.filter((line) => line.startsWith('azure:nestjs-web-pubsub'))).toEqual([]);
  });
});
