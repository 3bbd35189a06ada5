// Never run: the app's own tsc checks that every entry point of nestjs-web-pubsub resolves with its types.
import { BroadcastToGroup, WebPubSubModule, WebPubSubService, type WebPubSubModuleOptions } from 'nestjs-web-pubsub';
import { WebPubSubEmulator } from 'nestjs-web-pubsub/emulator';
import { WebPubSubAdapter, type WebPubSubServer, type WebPubSubSocket } from 'nestjs-web-pubsub/gateway';
import { WebPubSubHealthIndicator } from 'nestjs-web-pubsub/health';
import { buildSendToGroupRequest, type WebPubSubRequest } from 'nestjs-web-pubsub/rest';
import { WebPubSubTestClient, type ReceivedMessage } from 'nestjs-web-pubsub/testing';

export const options: WebPubSubModuleOptions = { connectionString: 'Endpoint=http://127.0.0.1:8080;AccessKey=a2V5;Version=1.0;', hub: 'chat' };
export const entryPoints = [BroadcastToGroup, WebPubSubModule, WebPubSubService, WebPubSubHealthIndicator, WebPubSubTestClient, WebPubSubAdapter];
export const request: WebPubSubRequest = buildSendToGroupRequest({ hub: 'chat' }, 'lobby', { text: 'hi' });

export async function usage(service: WebPubSubService, health: WebPubSubHealthIndicator): Promise<string[]> {
  const emulator = await WebPubSubEmulator.start();
  const client = await WebPubSubTestClient.connect(service, { userId: 'bob', groups: ['lobby'] });
  const message: ReceivedMessage = await client.waitForMessage((received) => received.group === 'lobby');
  const result = await health.isHealthy('webpubsub');
  await client.close();
  await emulator.stop();
  return [emulator.connectionString, String(message.data), result.webpubsub.status];
}

export async function gatewayUsage(server: WebPubSubServer, socket: WebPubSubSocket): Promise<string> {
  await socket.join('lobby');
  await server.to('lobby').except(socket.id).emit('joined', { id: socket.id });
  return server.hub;
}
