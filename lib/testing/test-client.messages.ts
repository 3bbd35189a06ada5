/** Texts of the test client's errors; none includes the access URL (it holds a token). */
export const TestClientMessages = {
  notConnected: () =>
    'The test client is not connected: await WebPubSubTestClient.connect(...) first, or connect again after close().',
  connectFailed: (reason: string) =>
    `The test client could not connect to Web PubSub: ${reason}. Check the URL comes from getClientAccessToken() of the same service and hub.`,
  closedBeforeConnected: (code: number, reason: string) =>
    `Web PubSub closed the test client's connection before it was connected (code ${code}${reason ? `: ${reason}` : ''}). A connect event handler may have refused it.`,
  ackFailed: (action: string, name: string, message: string) =>
    `${action} was refused by Web PubSub: ${name}: ${message}`,
  closedBeforeAck: (action: string) => `${action} got no answer: the connection closed first.`,
  timedOut: (what: string, ms: number) =>
    `Timed out after ${ms} ms waiting for ${what}. Messages received so far are in client.messages.`,
  closedWhileWaiting: (what: string) =>
    `The connection closed while waiting for ${what}, so it will not arrive. Messages received so far are in client.messages; the emulator's or your handlers' logs say why it closed.`,
  binaryNeedsBytes: () => 'dataType "binary" needs a Buffer or Uint8Array as data.',
  textNeedsString: () => 'dataType "text" needs a string as data.',
} as const;
