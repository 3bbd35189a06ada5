import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { ARTIFACTS, useSampleInChromium } from './chromium.js';

/*
 * The sample chat in a real browser: Debian's Chromium, driven by playwright-core, opens the page as
 * three users. Alice and Bob share a room, Carol is in another. Everything between them is real:
 * the page's WebSocket (json.webpubsub.azure.v1) to the embedded emulator, the app's upstream event
 * handlers, and the @BroadcastToGroup route. Screenshots go to test/artifacts/browser/.
 */

describe('the sample chat in Chromium', () => {
  const stage = useSampleInChromium();

  /** Opens the page in its own browser context (its own storage, like another person) and joins a room. */
  async function join(user: string, room: string): Promise<Page> {
    const page = await (await stage.browser.newContext()).newPage();
    await page.goto(`${stage.app.url}/?user=${user}&room=${room}`);
    await page.click('#join');
    await page.locator('#status', { hasText: `Connected as ${user}.` }).waitFor();
    return page;
  }

  const messages = (page: Page) => page.locator('#messages li').allTextContents();

  it('says in its first log lines that it runs on the embedded emulator', () => {
    const startup = stage.app.lines().slice(
      0,
      stage.app.lines().findIndex((line) => line.includes('Nest application successfully started')),
    );
    expect(
      startup.some((line) =>
        line.includes('WEBPUBSUB_CONNECTION_STRING is not set: running on the embedded Web PubSub emulator'),
      ),
    ).toBe(true);
    expect(
      startup.some((line) => /Started an embedded Web PubSub emulator at http:\/\/127\.0\.0\.1:\d+/.test(line)),
    ).toBe(true);
  });

  it('delivers a message to everyone in the room and to no one outside it', async () => {
    const alice = await join('alice', 'lobby');
    const bob = await join('bob', 'lobby');
    const carol = await join('carol', 'garden');

    // The @OnUserEvent('hello') answer reaches each page; the @OnConnected notice reaches the room.
    await alice
      .locator('#messages li[data-kind="welcome"]', { hasText: 'Welcome, alice! You are in #lobby.' })
      .waitFor();
    await carol.locator('#messages li[data-kind="welcome"]', { hasText: 'You are in #garden.' }).waitFor();
    await alice.locator('#messages li[data-kind="joined"]', { hasText: 'bob joined #lobby' }).waitFor();

    await alice.fill('#text', 'Hello from Alice');
    await alice.click('#send');
    await bob.locator('#messages li[data-kind="message"]', { hasText: 'Hello from Alice' }).waitFor();
    await alice.locator('#messages li[data-kind="message"]', { hasText: 'Hello from Alice' }).waitFor();
    await expect(alice.inputValue('#text')).resolves.toBe('');

    // Carol's own message is the marker: once she has it, anything for the lobby sent before it
    // would have arrived too (one emulator, one ordered group of sends).
    await carol.fill('#text', 'Carol in the garden');
    await carol.click('#send');
    await carol.locator('#messages li[data-kind="message"]', { hasText: 'Carol in the garden' }).waitFor();

    expect((await messages(bob)).filter((text) => text.includes('Hello from Alice'))).toEqual([
      'aliceHello from Alice',
    ]);
    expect(await messages(carol)).not.toContainEqual(expect.stringContaining('Alice'));
    expect(await messages(carol)).not.toContainEqual(expect.stringContaining('joined #lobby'));
    expect(await messages(bob)).not.toContainEqual(expect.stringContaining('Carol'));

    for (const [name, page] of Object.entries({ alice, bob, carol })) {
      const file = path.join(ARTIFACTS, `chat-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      // A PNG signature: the screenshot was really written.
      expect(readFileSync(file).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    }
  }, 60_000);

  it('tells a signed-out visitor what to do instead of connecting', async () => {
    const page = await (await stage.browser.newContext()).newPage();
    await page.goto(`${stage.app.url}/?room=lobby`);
    // Bypass the form's `required` check to reach the server's answer.
    await page.evaluate("document.getElementById('name').removeAttribute('required')");
    await page.click('#join');
    await page.locator('#status', { hasText: 'Sign in first' }).waitFor();
    await expect(page.locator('#send-form').isHidden()).resolves.toBe(true);
  });
});
