import { describe, expect, it } from '@jest/globals';
import { ceHeaderValue, decodeHeaderText } from '../../lib/protocol/upstream-event.js';
import { clientText, redactUrl, UpstreamError } from '../../lib/emulator/upstream-request.js';
import { UpstreamLimiter } from '../../lib/emulator/upstream-limiter.js';
import { GatewayMessages } from '../../lib/gateway/gateway.messages.js';

/* The small pure parts of issue 23's fixes: what they do at their edges. */
describe('ce-* header text, both ways', () => {
  it.each([
    ['名前', '%E5%90%8D%E5%89%8D'],
    ['a b%', 'a%20b%25'],
    ['say "hi"', 'say%20%22hi%22'],
    ['plain.ascii-name_1', 'plain.ascii-name_1'],
  ])('%j is sent as %j and read back as it was', (text, header) => {
    expect(ceHeaderValue(text)).toBe(header);
    expect(decodeHeaderText(header)).toBe(text);
  });

  it('keeps a value that is not valid percent-encoding as it was sent', () => {
    expect(decodeHeaderText('100%')).toBe('100%');
    // Bytes that are no UTF-8 sequence: decodeURIComponent throws, the text is kept.
    expect(decodeHeaderText('%E5%90')).toBe('%E5%90');
  });
});

describe('what the emulator tells about a handler URL', () => {
  it('redacts user info and the query, and keeps the rest recognisable', () => {
    expect(redactUrl('https://user:pass@fn.example/api/events?code=SECRET#x')).toBe(
      'https://(redacted)@fn.example/api/events?(redacted)',
    );
    expect(redactUrl('http://127.0.0.1:3000/eventhandler/{event}')).toBe('http://127.0.0.1:3000/eventhandler/{event}');
    expect(redactUrl('not a url?code=SECRET')).toBe('(an unreadable URL)');
  });

  it('gives clients the client text of an UpstreamError, else the fallback, never the log text', () => {
    const error = new UpstreamError('to http://x/?code=SECRET failed', 'The event handler of "a" failed');
    expect(clientText(error, 'fallback')).toBe('The event handler of "a" failed');
    expect(clientText(new Error('http://x/?code=SECRET'), 'fallback')).toBe('fallback');
  });
});

describe('UpstreamLimiter', () => {
  it('runs a storm of 3,000 tasks one at a time, in call order, and ends with nothing held', async () => {
    const limiter = new UpstreamLimiter(1);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 3000 }, (_, i) => limiter.run(async () => void order.push(i))));
    expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(limiter.peak).toBe(1);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new UpstreamLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });
});

describe('the shutdown line of a gateway', () => {
  it('counts in words that fit the number', () => {
    expect(GatewayMessages.undeliveredAtShutdown('chat', 1, 500)).toMatch(
      /^1 gateway send was not delivered .* aborted it\./,
    );
    expect(GatewayMessages.undeliveredAtShutdown('chat', 3, 500)).toMatch(
      /^3 gateway sends were not delivered .* aborted them\./,
    );
  });
});
