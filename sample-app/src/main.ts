import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WebPubSubAdapter } from 'nestjs-web-pubsub/gateway';
import { fileURLToPath } from 'node:url';
import { AppModule } from './app.module.js';

/** The static chat page (sample-app/public), next to the compiled sample-app/dist. */
const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule);
  app.useStaticAssets(PUBLIC_DIR);
  // @WebSocketGateway classes (ChatGateway) run on Web PubSub: their clients connect to the service.
  app.useWebSocketAdapter(new WebPubSubAdapter(app));
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  new Logger('ChatSample').log(
    `Chat sample ready: open http://localhost:${port} (the gateway version: http://localhost:${port}/gateway.html)`,
  );
}

await bootstrap();
