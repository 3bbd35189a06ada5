import { beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Post } from '@nestjs/common';
import request from 'supertest';
import { BroadcastToGroup } from '../../../lib/index.js';
import type { EmulatorApp } from '../../support/emulator-app.js';
import type { OfficialClient } from '../../support/official-client.js';
import { waitFor } from '../../support/wait-for.js';
import { useDeliveryStage } from './delivery-harness.js';

/*
 * One result to several groups, seen by official @azure/web-pubsub-client receivers: `perGroup`
 * (default) sends once per group, so a member of two groups gets it twice, each as a group message
 * naming its group; `filter` sends one filtered message, so everyone gets it once, as a server message.
 */

const GROUPS = ['red', "o'brien"];

@Controller('alerts')
class AlertsController {
  @Post('per-group')
  @BroadcastToGroup(GROUPS)
  perGroup(@Body() body: { text: string }) {
    return { text: body.text };
  }

  @Post('filtered')
  @BroadcastToGroup(GROUPS, { multiGroup: 'filter' })
  filtered(@Body() body: { text: string }) {
    return { text: body.text };
  }

  /** A filter of its own narrows the union of the groups further. */
  @Post('filtered-admins')
  @BroadcastToGroup(GROUPS, { multiGroup: 'filter', filter: "userId eq 'both'" })
  filteredAdmins(@Body() body: { text: string }) {
    return { text: body.text };
  }
}

describe('broadcast to several groups', () => {
  const stage = useDeliveryStage();
  let current: EmulatorApp;
  let receivers: Record<'both' | 'redOnly' | 'quoteOnly' | 'none', OfficialClient>;
  beforeAll(async () => {
    current = await stage.startApp([AlertsController]);
  });

  async function connectAll() {
    const { service } = current;
    receivers = {
      both: await stage.connectReceiver(service, 'both', GROUPS),
      redOnly: await stage.connectReceiver(service, 'red-only', ['red']),
      quoteOnly: await stage.connectReceiver(service, 'quote-only', ["o'brien"]),
      none: await stage.connectReceiver(service, 'none'),
    };
  }

  /** Sends a marker to everyone and waits for it: all that was sent before has then arrived. */
  async function settle(): Promise<void> {
    await current.service.sendToAll('marker', { contentType: 'text/plain' });
    await waitFor(
      () => Object.values(receivers).every((receiver) => receiver.server.some((message) => message.data === 'marker')),
      'the marker',
    );
  }

  /** What each receiver got, without the marker: group messages as `group:<name>`, server ones as `server`. */
  const seen = () =>
    Object.fromEntries(
      Object.entries(receivers).map(([name, receiver]) => [
        name,
        [
          ...receiver.group.map((message) => ({ from: `group:${message.group}`, data: message.data })),
          ...receiver.server
            .filter((message) => message.data !== 'marker')
            .map((message) => ({ from: 'server', data: message.data })),
        ],
      ]),
    );

  it('perGroup (default): one send per group; a member of both groups gets it twice, once per group', async () => {
    await connectAll();
    const calls = stage.emulator.restCalls.length;
    await request(current.app.getHttpServer()).post('/alerts/per-group').send({ text: 'p' }).expect(201, { text: 'p' });
    expect(stage.emulator.restCalls.slice(calls).map((call) => `${call.operation} ${call.status}`)).toEqual([
      'sendToGroup 202',
      'sendToGroup 202',
    ]);
    await settle();
    const data = { text: 'p' };
    expect(seen()).toEqual({
      both: [
        { from: 'group:red', data },
        { from: "group:o'brien", data },
      ],
      redOnly: [{ from: 'group:red', data }],
      quoteOnly: [{ from: "group:o'brien", data }],
      none: [],
    });
  });

  it('filter: one filtered send; every member gets it once, as a server message', async () => {
    await connectAll();
    const calls = stage.emulator.restCalls.length;
    await request(current.app.getHttpServer()).post('/alerts/filtered').send({ text: 'f' }).expect(201, { text: 'f' });
    expect(stage.emulator.restCalls.slice(calls).map((call) => `${call.operation} ${call.status}`)).toEqual([
      'sendToAll 202',
    ]);
    await settle();
    const data = { text: 'f' };
    expect(seen()).toEqual({
      both: [{ from: 'server', data }],
      redOnly: [{ from: 'server', data }],
      quoteOnly: [{ from: 'server', data }],
      none: [],
    });
  });

  it('filter: a route’s own filter applies on top of the groups', async () => {
    await connectAll();
    await request(current.app.getHttpServer()).post('/alerts/filtered-admins').send({ text: 'a' }).expect(201);
    await settle();
    expect(seen()).toEqual({ both: [{ from: 'server', data: { text: 'a' } }], redOnly: [], quoteOnly: [], none: [] });
  });
});
