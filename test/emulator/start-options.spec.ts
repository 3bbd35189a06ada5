import { describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../lib/index.js';
import { WebPubSubEmulator, type WebPubSubEmulatorOptions } from '../../lib/emulator/index.js';

/*
 * WebPubSubEmulator.start() as an app or a test calls it: the endpoint it reports for bind-all
 * hosts, and options refused before anything listens (the CLI's checks run in a child process).
 */
describe('the endpoint of an emulator bound to all addresses', () => {
  it.each([
    ['0.0.0.0', /^http:\/\/127\.0\.0\.1:\d+$/],
    ['::', /^http:\/\/localhost:\d+$/],
  ])('host %s reports %s, and a REST client reaches it there', async (host, endpoint) => {
    const emulator = await WebPubSubEmulator.start({ host });
    try {
      expect(emulator.endpoint).toMatch(endpoint);
      expect(emulator.connectionString).toContain(`Endpoint=${emulator.endpoint};`);
      await new WebPubSubRestClient(emulator.connectionString, 'chat').sendToAll({ ping: true });
      expect(emulator.deliveries).toEqual([]);
    } finally {
      await emulator.stop();
    }
  });
});

describe('options refused at start, naming the option and what it takes', () => {
  it.each<[string, WebPubSubEmulatorOptions, RegExp]>([
    ['an empty host', { host: ' ' }, /host.*an address to bind/],
    ['a host that is not a string', { host: 127 as never }, /host.*an address to bind/],
    ['upstreamConcurrency 0', { upstreamConcurrency: 0 }, /upstreamConcurrency.*a whole number of at least 1/],
    [
      'clientBufferLimitBytes 1.5',
      { clientBufferLimitBytes: 1.5 },
      /clientBufferLimitBytes.*a whole number of at least 1/,
    ],
    ['a port of 70000', { port: 70000 }, /port.*from 0 to 65535/],
  ])('%s', async (_name, options, message) => {
    await expect(WebPubSubEmulator.start(options)).rejects.toThrow(message);
  });
});
