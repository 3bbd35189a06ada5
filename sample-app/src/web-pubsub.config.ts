import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import { WebPubSubRestClient, type WebPubSubModuleOptions } from 'nestjs-web-pubsub';
import { CHAT_HUB } from './chat/chat.constants.js';
import { GATEWAY_CHAT_HUB } from './gateway-chat/gateway-chat.constants.js';

/**
 * With WEBPUBSUB_CONNECTION_STRING, the app talks to that Azure Web PubSub resource. Without it, the
 * module starts an embedded emulator whose event handlers point back at this app, so the whole chat
 * (both versions: hub `chat` and the gateway's hub `gateway_chat`) runs on one machine with no Azure account.
 */
export function webPubSubOptions(config: ConfigService): WebPubSubModuleOptions {
  const logger = new Logger('ChatSample');
  const connectionString = config.get<string>('WEBPUBSUB_CONNECTION_STRING');
  if (connectionString) {
    logger.log(`Using the Web PubSub service at ${endpointOf(connectionString)} (from WEBPUBSUB_CONNECTION_STRING).`);
    return { connectionString, hub: CHAT_HUB };
  }
  const port = config.get<string>('PORT') ?? '3000';
  logger.log('WEBPUBSUB_CONNECTION_STRING is not set: running on the embedded Web PubSub emulator (local only).');
  return {
    hub: CHAT_HUB,
    emulator: {
      hubs: {
        [CHAT_HUB]: {
          eventHandlers: [
            {
              urlTemplate: `http://127.0.0.1:${port}/eventhandler/{event}`,
              userEventPattern: '*',
              systemEvents: ['connect', 'connected', 'disconnected'],
            },
          ],
        },
        // The gateway: its @SubscribeMessage events, and connected/disconnected for handleConnection/handleDisconnect.
        [GATEWAY_CHAT_HUB]: {
          eventHandlers: [
            {
              urlTemplate: `http://127.0.0.1:${port}/eventhandler/{event}`,
              userEventPattern: '*',
              systemEvents: ['connected', 'disconnected'],
            },
          ],
        },
      },
    },
  };
}

/** The endpoint, for the log (never the key). A malformed string is reported by the module at startup. */
function endpointOf(connectionString: string): string {
  try {
    return new WebPubSubRestClient(connectionString, CHAT_HUB).endpoint;
  } catch {
    return 'an unreadable endpoint';
  }
}
