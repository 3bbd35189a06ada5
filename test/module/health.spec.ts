import { beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { WebPubSubModule } from '../../lib/index.js';
import type { WebPubSubEmulator } from '../../lib/emulator/index.js';
import { WebPubSubHealthIndicator } from '../../lib/health/web-pubsub.health.js';
import { useEmulator } from '../support/emulator-stage.js';

/* The terminus health indicator against the emulator: up while it answers, down (503) while it fails. */

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly webPubSub: WebPubSubHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.webPubSub.isHealthy('webpubsub'),
      () => this.webPubSub.isHealthy('alerts', { instance: 'alerts', timeoutMs: 500 }),
    ]);
  }
}

describe('WebPubSubHealthIndicator', () => {
  const mainStage = useEmulator({ accessKey: 'health-spec-key' });
  const alertsStage = useEmulator();
  let main: WebPubSubEmulator;
  let alerts: WebPubSubEmulator;
  let app: INestApplication;

  beforeAll(async () => {
    [main, alerts] = [mainStage.emulator, alertsStage.emulator];
    const moduleRef = await Test.createTestingModule({
      imports: [
        TerminusModule,
        WebPubSubModule.forRoot({ connectionString: main.connectionString, hub: 'chat', logger: false }),
        WebPubSubModule.forRoot({
          name: 'alerts',
          connectionString: alerts.connectionString,
          hub: 'alerts',
          logger: false,
          retryOptions: { maxRetries: 0 },
        }),
      ],
      controllers: [HealthController],
      providers: [WebPubSubHealthIndicator],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    mainStage.defer(() => app.close());
    await app.init();
  });

  it('reports both instances up while their services answer', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body.details).toEqual({
      webpubsub: { status: 'up', endpoint: main.endpoint, hub: 'chat' },
      alerts: { status: 'up', endpoint: alerts.endpoint, hub: 'alerts' },
    });
    expect(JSON.stringify(response.body)).not.toContain('health-spec-key');
  });

  it('reports the failing instance down with 503, and the other still up', async () => {
    alerts.faults.serviceDown({ status: 500 });
    try {
      const response = await request(app.getHttpServer()).get('/health').expect(503);
      expect(response.body.details.webpubsub.status).toBe('up');
      expect(response.body.details.alerts).toMatchObject({ status: 'down', endpoint: alerts.endpoint, hub: 'alerts' });
    } finally {
      alerts.faults.serviceUp();
    }
  });
});
