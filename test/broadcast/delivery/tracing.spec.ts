import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { BroadcastToHub, WebPubSubModule } from '../../../lib/index.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { installOtelCapture, type OtelCapture } from '../../support/otel-capture.js';
import { waitFor } from '../../support/wait-for.js';

/*
 * Tracing of broadcasts (OpenTelemetry through @azure/opentelemetry-instrumentation-azure-sdk): an
 * awaited broadcast's send span is a child of the request's span; a background one, sent after the
 * response, is a root span linked to it. The request's span is made by a middleware here, as HTTP
 * instrumentation would make it.
 */

@Controller('news')
class NewsController {
  @Post('awaited')
  @BroadcastToHub({ delivery: 'await' })
  awaited(@Body() body: { text: string }) {
    return body;
  }

  @Post('background')
  @BroadcastToHub({ delivery: 'background' })
  background(@Body() body: { text: string }) {
    return body;
  }
}

describe('broadcast tracing', () => {
  const stage = useEmulator();
  let otel: OtelCapture;
  let app: INestApplication;

  beforeAll(async () => {
    otel = installOtelCapture();
    const moduleRef = await Test.createTestingModule({
      imports: [
        WebPubSubModule.forRoot({ connectionString: stage.emulator.connectionString, hub: 'chat', httpLogging: 'off' }),
      ],
      controllers: [NewsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.use((req: Request, res: Response, next: NextFunction) =>
      trace.getTracer('app').startActiveSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER }, (span) => {
        res.on('finish', () => span.end());
        next();
      }),
    );
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await otel?.uninstall();
  });

  const named = (name: string) => otel.spans().find((span) => span.name === name);

  async function post(path: string): Promise<{ server: ReadableSpan; send: ReadableSpan; http: ReadableSpan }> {
    otel.exporter.reset();
    await request(app.getHttpServer()).post(path).send({ text: 'hi' }).expect(201);
    const server = await waitFor(() => named(`POST ${path}`), 'the request span');
    const send = await waitFor(() => named('WebPubSubServiceClient.sendToAll'), 'the send span');
    const http = await waitFor(() => named('HTTP POST'), 'the HTTP span');
    return { server, send, http };
  }

  it('await: the send span is a child of the request span, the HTTP span a child of the send', async () => {
    const { server, send, http } = await post('/news/awaited');
    expect(send.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(send.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(send.links).toEqual([]);
    expect(http.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
  });

  it('background: the send span starts its own trace, linked to the request span', async () => {
    const { server, send, http } = await post('/news/background');
    expect(send.parentSpanContext).toBeUndefined();
    expect(send.spanContext().traceId).not.toBe(server.spanContext().traceId);
    expect(send.links.map((link) => link.context.spanId)).toEqual([server.spanContext().spanId]);
    expect(http.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
  });
});
