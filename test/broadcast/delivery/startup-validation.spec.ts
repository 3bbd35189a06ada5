import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import {
  BroadcastToGroup,
  BroadcastToHub,
  SendToUser,
  WebPubSubModule,
  type BroadcastDefaults,
} from '../../../lib/index.js';
import type { WebPubSubInstanceContext } from '../../../lib/core/web-pubsub.context.js';
import { instanceContext } from '../../support/instance-context.js';

/*
 * Broadcast defaults are checked when the app starts, with a message naming the option, the value
 * and what to use instead — not at the first broadcast. No network call is made here.
 */

const CONNECTION_STRING = `Endpoint=http://127.0.0.1:9;AccessKey=${Buffer.from('startup-validation-key').toString('base64')};Version=1.0;`;

async function start(broadcast: BroadcastDefaults, async = false, name?: string): Promise<WebPubSubInstanceContext> {
  const options = { connectionString: CONNECTION_STRING, hub: 'chat', logger: false as const, broadcast };
  const moduleRef = await Test.createTestingModule({
    imports: [
      async
        ? WebPubSubModule.forRootAsync({ name, useFactory: () => options })
        : WebPubSubModule.forRoot({ ...options, name }),
    ],
  }).compile();
  try {
    return instanceContext(moduleRef, name);
  } finally {
    await moduleRef.close();
  }
}

describe('broadcast defaults at startup', () => {
  const invalid: Array<[string, BroadcastDefaults, string]> = [
    ['queueLimit 0', { queueLimit: 0 }, '`broadcast.queueLimit` 0 is invalid. Use a whole number of at least 1.'],
    [
      'concurrency 1.5',
      { concurrency: 1.5 },
      '`broadcast.concurrency` 1.5 is invalid. Use a whole number of at least 1.',
    ],
    [
      'queueLimit Infinity',
      { queueLimit: Infinity },
      '`broadcast.queueLimit` Infinity is invalid. Use a whole number of at least 1.',
    ],
    [
      'delivery "later"',
      { delivery: 'later' as never },
      '`broadcast.delivery` "later" is invalid. Use "await" or "background".',
    ],
    [
      'onError "ignore"',
      { onError: 'ignore' as never },
      '`broadcast.onError` "ignore" is invalid. Use "throw" or "log".',
    ],
    [
      'shutdownTimeoutInMs 1.5',
      { shutdownTimeoutInMs: 1.5 },
      '`broadcast.shutdownTimeoutInMs` 1.5 is invalid. Use a whole number of milliseconds from 0 (no limit) to 2147483647.',
    ],
    [
      'shutdownTimeoutInMs 2^31',
      { shutdownTimeoutInMs: 2 ** 31 },
      '`broadcast.shutdownTimeoutInMs` 2147483648 is invalid. Use a whole number of milliseconds from 0 (no limit) to 2147483647.',
    ],
  ];

  it.each(invalid)('forRoot refuses %s', async (_, broadcast, message) => {
    await expect(start(broadcast)).rejects.toThrow(`WebPubSubModule: ${message}`);
  });

  it.each(invalid)('forRootAsync refuses %s, naming the instance', async (_, broadcast, message) => {
    await expect(start(broadcast, true, 'alerts')).rejects.toThrow(`WebPubSubModule (instance "alerts"): ${message}`);
  });

  it('keeps the defaults for options left undefined (e.g. unset config keys) and uses the valid ones given', async () => {
    const context = await start(
      { delivery: undefined, onError: 'log', queueLimit: undefined, concurrency: 8, shutdownTimeoutInMs: undefined },
      true,
    );
    expect(context.broadcastDefaults).toEqual({
      delivery: 'await',
      onError: 'log',
      queueLimit: 1000,
      concurrency: 8,
      shutdownTimeoutInMs: 10_000,
    });
    expect([context.backgroundQueue.limit, context.backgroundQueue.concurrency]).toEqual([1000, 8]);
  });

  it.each([
    [
      'BroadcastToHub delivery "backgroud"',
      () => BroadcastToHub({ delivery: 'backgroud' as never }),
      '`delivery` "backgroud" is invalid. Use "await" or "background".',
    ],
    [
      'BroadcastToGroup onError "ignore"',
      () => BroadcastToGroup('g', { onError: 'ignore' as never }),
      '`onError` "ignore" is invalid. Use "throw" or "log".',
    ],
    ['SendToUser delivery 42', () => SendToUser('u', { delivery: 42 as never }), '`delivery` 42 is invalid.'],
  ])('a decorator with %s fails where it is declared, not silently at run time', (_, declare, message) => {
    expect(declare).toThrow(TypeError);
    expect(declare).toThrow(message);
  });
});
