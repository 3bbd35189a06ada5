import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { getWebPubSubClientToken } from '../core/web-pubsub.constants.js';
import type { WebPubSubRestClient } from '../client/index.js';

export interface WebPubSubHealthCheckOptions {
  /** The named module instance to check (the default instance when omitted). */
  instance?: string;
  /** How long to wait for the service's health endpoint, in ms (default 3000). */
  timeoutMs?: number;
}

/**
 * A `@nestjs/terminus` health indicator (from `nestjs-web-pubsub/health`) that calls the service's
 * health endpoint (`HEAD /api/health`) through the instance's REST client. Provide it in a module
 * that imports `TerminusModule`.
 *
 * @example
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.webPubSub.isHealthy('webpubsub')]); }
 */
@Injectable()
export class WebPubSubHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async isHealthy<const Key extends string>(
    key: Key,
    options: WebPubSubHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    const client = this.moduleRef.get<WebPubSubRestClient>(getWebPubSubClientToken(options.instance), {
      strict: false,
    });
    const details = { endpoint: client.endpoint, hub: client.hubName };
    try {
      const healthy = await client.getServiceStatus({ abortSignal: AbortSignal.timeout(options.timeoutMs ?? 3000) });
      return healthy
        ? indicator.up(details)
        : indicator.down({ ...details, message: 'The service did not answer its health endpoint with 200.' });
    } catch (error) {
      return indicator.down({ ...details, message: (error as Error).message });
    }
  }
}
