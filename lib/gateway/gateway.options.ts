/** What `@WebSocketGateway({ … })` takes on Web PubSub. */
export interface WebPubSubGatewayOptions {
  /** The hub whose connections this gateway serves (required). */
  hub: string;
  /** The WebPubSubModule instance (its keys, its event route); the default instance when omitted. */
  instance?: string;
  /** Only tells gateways apart (Nest shares one server between gateways with the same port and path). */
  path?: string;
  /**
   * How many connections' socket objects this process keeps for the hub (10000 by default; the
   * largest value among the hub's gateways counts). Beyond it the connection quiet for longest is
   * dropped: its next event gets a new socket object (handleDisconnect included), so identity holds
   * only within the bound. Raise it if more connections than that are active per process.
   */
  maxSockets?: number;
}
