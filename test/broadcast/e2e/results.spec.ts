import { describe, expect, it } from '@jest/globals';
import {
  Controller,
  ForbiddenException,
  Get,
  Header,
  HttpCode,
  Post,
  Sse,
  StreamableFile,
  type MessageEvent,
} from '@nestjs/common';
import { Readable } from 'node:stream';
import { concatMap, from, Observable } from 'rxjs';
import { BroadcastToHub } from '../../../lib/index.js';
import { DEFAULT_ADAPTER, type AdapterName } from '../../support/http-adapters.js';
import { dataAt, inbox, readBytes, readText, useBroadcastApp } from './broadcast-harness.js';

/*
 * What a handler returns decides what is broadcast: values and promises once, each Observable
 * emission in order (also on @Sse routes), nothing for null/undefined, streams or a thrown error.
 * Content types reach the official client as its dataType.
 */

/** Emits each value after a macrotask, so the emissions are really spread out in time. */
const spread = <T>(values: T[]): Observable<T> =>
  from(values).pipe(concatMap((value) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 5))));

/** A fresh controller per app: the stream warning is once per route handler. */
function resultsController() {
  @Controller('results')
  @BroadcastToHub()
  class ResultsController {
    @Post('value')
    value() {
      return { kind: 'value' };
    }

    @Post('promise')
    async promise() {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { kind: 'promise' };
    }

    @Get('null')
    nothing() {
      return null;
    }

    @Get('undefined')
    @HttpCode(204)
    undefinedResult() {
      return undefined;
    }

    @Get('observable')
    observable() {
      return spread([{ n: 1 }, { n: 2 }, { n: 3 }]);
    }

    @Sse('sse')
    @BroadcastToHub({ map: (event: MessageEvent) => event.data })
    sse(): Observable<MessageEvent> {
      return spread([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]).pipe(concatMap(async (data) => ({ data })));
    }

    @Get('file')
    @Header('content-type', 'application/octet-stream')
    file() {
      return new StreamableFile(Buffer.from('file bytes'));
    }

    @Get('other-file')
    otherFile() {
      return new StreamableFile(Buffer.from('other bytes'));
    }

    @Get('node-stream')
    nodeStream() {
      return Readable.from([Buffer.from('streamed bytes')]);
    }

    @Get('web-response')
    webResponse() {
      return new Response('web body', { headers: { 'content-type': 'text/plain' } });
    }

    @Get('async-iterable')
    async *asyncIterable() {
      yield 'chunk one;';
      yield 'chunk two';
    }

    @Post('throws')
    throws() {
      throw new ForbiddenException('not yours');
    }

    @Post('rejects')
    async rejects() {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new ForbiddenException('not yours either');
    }

    @Post('string')
    string() {
      return 'hello';
    }

    @Post('text')
    @BroadcastToHub({ contentType: 'text/plain' })
    text() {
      return 'plain hello';
    }

    @Post('binary')
    binary() {
      return Buffer.from([0, 1, 2, 250]);
    }
  }
  return ResultsController;
}

describe.each(DEFAULT_ADAPTER)('broadcast results on %s', (adapter: AdapterName) => {
  const harness = useBroadcastApp(adapter, () => ({ controllers: [resultsController()] }));

  it('a plain value and a promise are each broadcast once', async () => {
    const receiver = await harness.receiver('receiver');
    const calls = await harness.restCallsDuring(async () => {
      await harness.http().post('/results/value').expect(201, { kind: 'value' });
      await harness.http().post('/results/promise').expect(201, { kind: 'promise' });
    });
    expect(calls).toEqual(['sendToAll 202', 'sendToAll 202']);
    expect(await dataAt(receiver)).toEqual([[{ kind: 'value' }, { kind: 'promise' }]]);
  });

  it('null and undefined results send nothing', async () => {
    const receiver = await harness.receiver('receiver');
    await harness.http().get('/results/null').expect(200);
    await harness.http().get('/results/undefined').expect(204);
    expect(await inbox(receiver)).toEqual([[]]);
  });

  it('each Observable emission is broadcast, in order; the response is the last one', async () => {
    const receiver = await harness.receiver('receiver');
    await harness.http().get('/results/observable').expect(200, { n: 3 });
    expect(await dataAt(receiver)).toEqual([[{ n: 1 }, { n: 2 }, { n: 3 }]]);
  });

  it('an @Sse route broadcasts each event in order while the client reads the same stream', async () => {
    const receiver = await harness.receiver('receiver');
    const response = await harness.http().get('/results/sse').buffer(true).parse(readText).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = [...(response.body as string).matchAll(/^data: (.*)$/gm)].map(
      (match) => JSON.parse(match[1]!) as unknown,
    );
    expect(events).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(await dataAt(receiver)).toEqual([[{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]]);
  });

  it('a StreamableFile is served but never broadcast, with one warning per route', async () => {
    const receiver = await harness.receiver('receiver');
    const warningsBefore = harness.warnings().length;
    for (let i = 0; i < 2; i++) {
      const response = await harness.http().get('/results/file').buffer(true).parse(readBytes).expect(200);
      expect((response.body as Buffer).toString('utf8')).toBe('file bytes');
    }
    await harness.http().get('/results/other-file').buffer(true).parse(readBytes).expect(200);
    expect(await inbox(receiver)).toEqual([[]]);
    const warnings = harness.warnings().slice(warningsBefore);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('ResultsController.file returns a stream or a StreamableFile');
    expect(warnings[1]).toContain('ResultsController.otherFile');
  });

  it.each([
    ['node-stream', 'nodeStream', 'streamed bytes'],
    ['web-response', 'webResponse', 'web body'],
    ['async-iterable', 'asyncIterable', 'chunk one;chunk two'],
  ])('a streamed result (%s) is served but never broadcast, with one warning', async (path, handler, body) => {
    const receiver = await harness.receiver('receiver');
    const warningsBefore = harness.warnings().length;
    for (let i = 0; i < 2; i++) {
      const response = await harness.http().get(`/results/${path}`).buffer(true).parse(readText).expect(200);
      expect(response.body).toBe(body);
    }
    expect(await inbox(receiver)).toEqual([[]]);
    expect(harness.warnings().slice(warningsBefore)).toEqual([
      expect.stringContaining(`ResultsController.${handler} returns a stream`),
    ]);
  });

  it('a handler that throws (or rejects) sends nothing and its own error is the response', async () => {
    const receiver = await harness.receiver('receiver');
    const thrown = await harness.http().post('/results/throws').expect(403);
    expect(thrown.body).toMatchObject({ statusCode: 403, message: 'not yours' });
    const rejected = await harness.http().post('/results/rejects').expect(403);
    expect(rejected.body).toMatchObject({ statusCode: 403, message: 'not yours either' });
    expect(await inbox(receiver)).toEqual([[]]);
  });

  it('content types arrive as sent: object and string as JSON, text/plain as text, a Buffer as binary', async () => {
    const receiver = await harness.receiver('receiver');
    await harness.http().post('/results/value').expect(201);
    await harness.http().post('/results/string').expect(201);
    await harness.http().post('/results/text').expect(201);
    await harness.http().post('/results/binary').expect(201);
    expect(await inbox(receiver)).toEqual([
      [
        { dataType: 'json', data: { kind: 'value' } },
        { dataType: 'json', data: 'hello' },
        { dataType: 'text', data: 'plain hello' },
        { dataType: 'binary', data: Buffer.from([0, 1, 2, 250]) },
      ],
    ]);
  });
});
