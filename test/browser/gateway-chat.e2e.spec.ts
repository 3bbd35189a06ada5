import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { ARTIFACTS, useSampleInChromium } from './chromium.js';
import { waitFor } from '../support/wait-for.js';

/*
 * The gateway version of the sample chat (/gateway.html, hub gateway_chat) in Debian's Chromium,
 * driven by playwright-core, as three users. Everything is real: the page's WebSocket
 * (json.webpubsub.azure.v1, sendEvent frames) to the embedded emulator, the module's event route,
 * WebPubSubAdapter and the sample's ChatGateway (join, say, handleConnection, its pipes), and the
 * REST calls the gateway makes back. Screenshots go to test/artifacts/browser/.
 */

describe('the gateway version of the sample chat in Chromium', () => {
  const stage = useSampleInChromium();

  /** Opens the page in its own browser context (another person) and joins a room: the gateway answers `joined`. */
  async function join(user: string, room: string): Promise<Page> {
    const page = await (await stage.browser.newContext()).newPage();
    await page.goto(`${stage.app.url}/gateway.html?user=${user}&room=${room}`);
    await page.click('#join');
    await page.locator('#messages li[data-event="joined"]', { hasText: `You joined #${room}` }).waitFor();
    return page;
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.fill('#text', text);
    await page.click('#send');
  }

  const said = (page: Page) => page.locator('#messages li[data-event="said"]').allTextContents();

  it('delivers what is said in a room to its members and to no one outside it', async () => {
    const alice = await join('alice', 'lobby');
    const bob = await join('bob', 'lobby');
    const carol = await join('carol', 'garden');

    // handleConnection's socket.send reaches each page on its own.
    await alice
      .locator('#messages li[data-event="welcome"]', { hasText: 'Welcome, alice! Join a room to chat.' })
      .waitFor();
    await carol.locator('#messages li[data-event="welcome"]', { hasText: 'Welcome, carol!' }).waitFor();

    await say(alice, 'Hello from Alice');
    await bob.locator('#messages li[data-event="said"]', { hasText: 'Hello from Alice' }).waitFor();
    await alice.locator('#messages li[data-event="said"]', { hasText: 'Hello from Alice' }).waitFor();
    // The page clears the input once the service acknowledged the event.
    await expect(alice.waitForFunction("document.getElementById('text').value === ''").then(() => true)).resolves.toBe(
      true,
    );

    // Carol's own message is the marker: once she has it, the lobby's message, sent before it by
    // the same app through the same emulator, would have reached her too if it were going to.
    await say(carol, 'Carol in the garden');
    await carol.locator('#messages li[data-event="said"]', { hasText: 'Carol in the garden' }).waitFor();

    expect(await said(bob)).toEqual(['#lobbyaliceHello from Alice']);
    expect(await said(carol)).toEqual(['#gardencarolCarol in the garden']);
    expect(await said(alice)).toEqual(['#lobbyaliceHello from Alice']);

    // Alice joins the garden too, on the same connection: now she hears it, Bob still does not.
    await alice.fill('#room', 'garden');
    await alice.click('#join');
    await alice.locator('#messages li[data-event="joined"]', { hasText: 'You joined #garden' }).waitFor();
    await say(carol, 'Welcome to the garden, Alice');
    await alice.locator('#messages li[data-event="said"]', { hasText: 'Welcome to the garden, Alice' }).waitFor();
    await say(bob, 'Bob marker');
    await bob.locator('#messages li[data-event="said"]', { hasText: 'Bob marker' }).waitFor();
    expect(await said(bob)).not.toContainEqual(expect.stringContaining('garden'));

    for (const [name, page] of Object.entries({ alice, bob, carol })) {
      const file = path.join(ARTIFACTS, `gateway-chat-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      // A PNG signature: the screenshot was really written.
      expect(readFileSync(file).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    }
  }, 60_000);

  it("shows the pipe's WsException on the page, and nothing reaches the room", async () => {
    const dave = await join('dave', 'patio');
    const erin = await join('erin', 'patio');
    // Only spaces: the input's `required` lets it through, SayMessagePipe refuses it.
    await say(dave, '   ');
    await dave
      .locator('#messages li[data-event="exception"]', { hasText: 'A message is 1-500 characters, not only spaces.' })
      .waitFor();
    await dave.locator('#status', { hasText: 'Refused: A message is 1-500 characters, not only spaces.' }).waitFor();
    // A refused message stays in the input, so it can be fixed.
    await expect(dave.inputValue('#text')).resolves.toBe('   ');

    await say(dave, 'now with words');
    await erin.locator('#messages li[data-event="said"]', { hasText: 'now with words' }).waitFor();
    expect(await said(erin)).toEqual(['#patiodavenow with words']);
    await dave.locator('#status', { hasText: 'saying things in #patio' }).waitFor();
    await expect(dave.locator('#messages li[data-event="exception"]').count()).resolves.toBe(1);
    await expect(erin.locator('#messages li[data-event="exception"]').count()).resolves.toBe(0);

    const file = path.join(ARTIFACTS, 'gateway-chat-refused.png');
    await dave.screenshot({ path: file, fullPage: true });
    expect(readFileSync(file).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  }, 60_000);

  it('logs handleDisconnect when a page goes away', async () => {
    const frank = await join('frank', 'lobby');
    await frank.context().close();
    // The emulator sends `disconnected`; the gateway's handleDisconnect logs it.
    await waitFor(
      () =>
        stage.app.lines().some((line) => line.includes('ChatGateway') && line.includes('frank left the gateway chat')),
      'the handleDisconnect log line',
      10_000,
    );
  });
});
