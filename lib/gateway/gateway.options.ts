/** What `@WebSocketGateway({ … })` takes on Web PubSub. */
export interface WebPubSubGatewayOptions {
  /** The hub whose connections this gateway serves (required). */
  hub: string;
  /** The WebPubSubModule instance (its keys, its event route); the default instance when omitted. */
  instance?: string;
  /** Only tells gateways apart (Nest shares one server between gateways with the same port and path). */
  path?: string;
}
