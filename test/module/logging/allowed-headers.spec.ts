import { describe, expect, it } from '@jest/globals';
import { startEmulatorApp } from '../../support/emulator-app.js';
import { useEmulator } from '../../support/emulator-stage.js';

/*
 * `httpLogging: 'verbose'` shows header values by allowlist, as the Azure SDK's log sanitizer does:
 * standard and Azure headers in clear, every other value REDACTED (custom headers such as
 * `x-api-secret` were logged in clear by the old blocklist), and `httpLoggingAllowedHeaderNames`
 * allows more, never a credential-like name.
 */

const CUSTOM = {
  'x-api-secret': 'api-secret-value-6d1',
  'x-session-id': 'session-value-8b2',
  'x-request-source': 'nightly-job',
};

describe('verbose HTTP logging shows header values by allowlist', () => {
  const stage = useEmulator();

  async function headerLines(options: { httpLoggingAllowedHeaderNames?: string[] } = {}) {
    const stack = await startEmulatorApp(stage.emulator, [], { httpLogging: 'verbose', ...options });
    stage.defer(() => stack.app.close());
    await stack.service.sendToAll({ text: 'hi' }, { requestOptions: { customHeaders: CUSTOM } });
    const parse = (kind: string) => {
      const line = stack.logs.lines.find(
        (entry) => entry.level === 'verbose' && entry.message.includes(` attempt 1 ${kind} headers {`),
      );
      return {
        line: line!.message,
        headers: JSON.parse(line!.message.slice(line!.message.indexOf('{'))) as Record<string, string>,
      };
    };
    return { request: parse('request'), response: parse('response'), text: stack.logs.text() };
  }

  it('redacts headers it does not know, and shows the standard and Azure ones', async () => {
    const { request, response, text } = await headerLines();

    expect(request.headers).toMatchObject({
      'x-api-secret': 'REDACTED',
      'x-session-id': 'REDACTED',
      'x-request-source': 'REDACTED',
      authorization: 'REDACTED',
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(request.headers['x-ms-client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.headers['User-Agent']).toMatch(/^nestjs-web-pubsub\//);
    expect(response.headers).toMatchObject({
      connection: 'keep-alive',
      'keep-alive': expect.stringMatching(/^timeout=\d+$/),
      'transfer-encoding': 'chunked',
    });
    expect(new Date(response.headers.date).getTime()).not.toBeNaN();
    expect(text).not.toContain(CUSTOM['x-api-secret']);
    expect(text).not.toContain(CUSTOM['x-session-id']);
  });

  it('shows the headers named in httpLoggingAllowedHeaderNames (any case), never a credential', async () => {
    const { request } = await headerLines({ httpLoggingAllowedHeaderNames: ['X-Request-Source', 'Authorization'] });

    expect(request.headers['x-request-source']).toBe('nightly-job');
    expect(request.headers.authorization).toBe('REDACTED');
    expect(request.headers['x-api-secret']).toBe('REDACTED');
  });

  it('refuses an httpLoggingAllowedHeaderNames that is not a list of names, at startup', async () => {
    await expect(
      startEmulatorApp(stage.emulator, [], { httpLoggingAllowedHeaderNames: 'x-request-source' as never }),
    ).rejects.toThrow(
      /^WebPubSubModule: `httpLoggingAllowedHeaderNames` must be an array of header names\. Pass e\.g\. \["x-request-source"\], or leave it out\.$/,
    );
  });
});
