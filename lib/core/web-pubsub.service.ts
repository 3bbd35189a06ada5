import { Injectable } from '@nestjs/common';
import { transportOf, WebPubSubRestClient } from '../client/rest-client.js';

/**
 * The injectable Web PubSub service of one module instance. It is a `WebPubSubRestClient` for the
 * configured hub (every method, with its docs: `sendToAll`, `group(name)`, `getClientAccessToken`, …),
 * sending through the instance's pipeline (its logging, retries and credential); `hub(name)` gives
 * a client for another hub on the same pipeline.
 *
 * @example
 * constructor(private readonly webPubSub: WebPubSubService) {}
 * await this.webPubSub.group('room1').sendToAll({ text: 'hi' });
 */
@Injectable()
export class WebPubSubService extends WebPubSubRestClient {
  /**
   * Built by `WebPubSubModule` for each instance, on that instance's client: inject it rather than
   * constructing it.
   */
  constructor(
    client: WebPubSubRestClient,
    /** The module instance this service belongs to (`default` unless registered with a `name`). */
    readonly instanceName: string,
  ) {
    super(transportOf(client), client.hubName);
  }

  /**
   * The service itself: it is its instance's client. Kept so code written as
   * `service.client.sendToAll(…)` keeps working.
   *
   * @deprecated The service is a `WebPubSubRestClient`: call `service.sendToAll(…)` directly.
   */
  get client(): WebPubSubRestClient {
    return this;
  }
}
