/** What the gateway adapter tells developers and clients; each message ends with the fix. */
export const GatewayMessages = {
  noModule: () =>
    'WebPubSubAdapter found no WebPubSubModule in this app. Import WebPubSubModule.forRoot({ hub, … }) (or forRootAsync) in the app module before app.useWebSocketAdapter(new WebPubSubAdapter(app)).',
  noHub: (gateway: string) =>
    `${gateway} is a @WebSocketGateway without a hub: on Web PubSub every gateway serves one hub. Name it: @WebSocketGateway({ hub: 'chat' }).`,
  invalidHub: (gateway: string, hub: unknown) =>
    `${gateway} names hub ${JSON.stringify(hub)}, which Web PubSub does not accept: a hub name is a letter, then up to 127 letters, digits or \`_\`,.[]. Rename it in @WebSocketGateway({ hub }).`,
  unknownInstance: (gateway: string, instance: string) =>
    `${gateway} runs on WebPubSubModule instance "${instance}", which is not registered. Register it with WebPubSubModule.forRoot({ name: '${instance}', … }), or fix \`instance\` in @WebSocketGateway.`,
  noEventRoute: (gateway: string, instance: string) =>
    `${gateway} runs on WebPubSubModule instance "${instance}", which serves no event route, so its clients' events would never reach it. Give the instance one: WebPubSubModule.forRoot({ name: '${instance}', eventsPath: '/${instance}/eventhandler', … }) (the default instance serves /eventhandler unless eventsPath is false).`,
  portIgnored: (gateway: string, port: number) =>
    `${gateway} asks for port ${port}, which Web PubSub ignores: clients connect to the service, and its events reach this app through the event route. Remove the port, or keep it only for another adapter.`,
  sharedServer: (first: string, second: string, firstHub: string, secondHub: string) =>
    `${first} (hub '${firstHub}') and ${second} (hub '${secondHub}') have the same port and path, so Nest gives them one socket server and one of them would serve the other's hub. Give one of them its own \`path\` in @WebSocketGateway (on Web PubSub the path only tells gateways apart).`,
  twoConnectHandlers: (hub: string, first: string, second: string) =>
    `Gateways ${first} and ${second} both have @OnConnect() for hub '${hub}': the service takes one answer per connect. Keep it on one of them.`,
  requestScopedConnection: (gateway: string) =>
    `${gateway} is request-scoped and has handleConnection: on Web PubSub the events of one connection may reach any app process, and a request-scoped handleConnection cannot be kept to the one process that receives \`connected\`. Make the gateway a singleton (no request-scoped dependencies), or move that code to an @OnConnected() method of a @WebPubSubEventHandler class.`,
  unknownMessage: (hub: string, event: string) =>
    `No @SubscribeMessage('${event}') on the gateways of hub '${hub}'. Add one, or send an event the gateway handles.`,
  broadcastFailed: (target: string, reason: string) =>
    `Gateway emit to ${target} failed: ${reason}. Check the connection to Web PubSub; set broadcast.onError: 'log' on WebPubSubModule to only log these.`,
  stateOutsideEvent: () =>
    "socket.state.set() works only while the app answers one of this connection's user events (the service takes state from that answer). Call it inside a @SubscribeMessage handler.",
  callbackFailed: (gateway: string, method: string, connectionId: string, reason: string) =>
    `${gateway}.${method} failed for connection ${connectionId}: ${reason}.${method === 'handleConnection' ? ' The connection is closed, as the app could not set it up.' : ''} Catch errors in ${method} (an awaited send rejects with broadcast.onError 'throw'), or set broadcast.onError: 'log' on WebPubSubModule.`,
  /** The close reason a client gets when handleConnection failed (no detail: it reaches the client). */
  connectionSetupFailed: () => 'handleConnection failed on the server; connect again later.',
  notDeliveredAtShutdown: (target: string) =>
    `Gateway send to ${target} was not delivered: app.close() stopped waiting for it. Raise broadcast.shutdownTimeoutInMs, or check that the service answers.`,
  undeliveredAtShutdown: (hub: string, count: number, ms: number) =>
    `${count} gateway ${count === 1 ? 'send was' : 'sends were'} not delivered (hub '${hub}'): app.close() waited ${ms} ms (broadcast.shutdownTimeoutInMs) and aborted ${count === 1 ? 'it' : 'them'}. Check that the service answers, or raise broadcast.shutdownTimeoutInMs.`,
  sendAfterClose: (target: string) =>
    `Gateway send to ${target} refused: the app is closed (later refusals are not logged). Stop timers and streams that send in onApplicationShutdown, or send before app.close().`,
  invalidMaxSockets: (gateway: string, value: unknown) =>
    `${gateway} sets maxSockets to ${JSON.stringify(value)}: it must be a whole number of at least 1 (the socket objects kept per hub in this process; 10000 by default). Fix maxSockets in @WebSocketGateway.`,
  tooManyExcluded: (count: number, chars: number, limit: number) =>
    `except() names ${count} connections, ${chars} characters of URL, over the ${limit} a request URL may carry: the service would refuse it. Exclude fewer connections (put them in a group and send to the others' groups instead).`,
} as const;
