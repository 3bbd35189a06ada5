import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { WebPubSubHealthIndicator } from 'nestjs-web-pubsub/health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [WebPubSubHealthIndicator],
})
export class HealthModule {}
