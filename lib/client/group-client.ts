import type { RequestBodyType } from '@azure/core-rest-pipeline';
import type {
  GroupCloseAllConnectionsOptions,
  GroupListConnectionsOptions,
  GroupSendTextToAllOptions,
  GroupSendToAllOptions,
  OperationOptions,
  SendWithContentTypeOptions,
  WebPubSubGroupMember,
} from './client.options.js';
import { WebPubSubRestError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';
import type { JSONTypes } from './message-payload.js';
import { pagedIterator, type Page, type PagedAsyncIterableIterator } from './paging.js';
import {
  buildAddConnectionToGroupRequest,
  buildAddUserToGroupRequest,
  buildCloseGroupConnectionsRequest,
  buildListConnectionsInGroupRequest,
  buildRemoveConnectionFromGroupRequest,
  buildRemoveUserFromGroupRequest,
  buildSendToGroupRequest,
} from './request-builders.js';
import type { RequestContext } from './request-context.js';
import type { WebPubSubTransport } from './rest-transport.js';
import { assertGroup } from './validation.js';
import { parseQuery, type WebPubSubRequest } from './web-pubsub-request.js';

/** Operations on one group of one hub, as `@azure/web-pubsub`'s `WebPubSubGroup`. */
export class WebPubSubGroupClient {
  readonly hubName: string;
  readonly apiVersion: string;
  readonly endpoint: string;

  /** Made by `WebPubSubRestClient.group(name)`, which passes its transport and its request context. */
  constructor(
    private readonly transport: WebPubSubTransport,
    private readonly context: Required<RequestContext>,
    readonly groupName: string,
  ) {
    assertGroup(groupName, 'groupName');
    this.hubName = context.hub;
    this.apiVersion = context.apiVersion;
    this.endpoint = transport.endpoint;
  }

  /** Runs an operation in its span, `WebPubSubGroupClient.<operation>` as the official client names it. */
  private traced<O extends OperationOptions, T>(
    operation: string,
    options: O | undefined,
    run: (options: O) => Promise<T>,
  ): Promise<T> {
    return this.transport.traced(`WebPubSubGroupClient.${operation}`, options, run);
  }

  /** Adds a connection to the group. */
  async addConnection(connectionId: string, options?: OperationOptions): Promise<void> {
    await this.traced('addConnection', options, (o) =>
      this.transport.call(buildAddConnectionToGroupRequest(this.context, this.groupName, connectionId), o),
    );
  }

  /** Removes a connection from the group. */
  async removeConnection(connectionId: string, options?: OperationOptions): Promise<void> {
    await this.traced('removeConnection', options, (o) =>
      this.transport.call(buildRemoveConnectionFromGroupRequest(this.context, this.groupName, connectionId), o),
    );
  }

  /** Adds a user's connections to the group. */
  async addUser(userId: string, options?: OperationOptions): Promise<void> {
    await this.traced('addUser', options, (o) =>
      this.transport.call(buildAddUserToGroupRequest(this.context, this.groupName, userId), o),
    );
  }

  /** Removes a user's connections from the group. */
  async removeUser(userId: string, options?: OperationOptions): Promise<void> {
    await this.traced('removeUser', options, (o) =>
      this.transport.call(buildRemoveUserFromGroupRequest(this.context, this.groupName, userId), o),
    );
  }

  /** Closes every connection in the group, except the `excluded` ones. */
  async closeAllConnections(options?: GroupCloseAllConnectionsOptions): Promise<void> {
    await this.traced('closeAllConnections', options, (o) =>
      this.transport.call(buildCloseGroupConnectionsRequest(this.context, this.groupName, o), o),
    );
  }

  /** Sends to every connection in the group (strings as JSON unless `contentType: 'text/plain'`). */
  sendToAll(message: string, options: GroupSendTextToAllOptions): Promise<void>;
  sendToAll(
    message: JSONTypes | RequestBodyType,
    options?: GroupSendToAllOptions | SendWithContentTypeOptions,
  ): Promise<void>;
  async sendToAll(message: unknown, options?: SendWithContentTypeOptions): Promise<void> {
    await this.traced('sendToAll', options, (o) =>
      this.transport.call(buildSendToGroupRequest(this.context, this.groupName, message, o), o),
    );
  }

  /**
   * Lists the group's connections, following `nextLink` page by page. As in the official SDK, the
   * options are checked (and the promise rejects) before anything is sent.
   */
  listConnections(
    options: GroupListConnectionsOptions = {},
  ): Promise<PagedAsyncIterableIterator<WebPubSubGroupMember>> {
    // As the official client: the span covers checking the options and making the iterator, and the
    // pages, fetched later, carry its context, so their HTTP spans are its children.
    return this.traced('listConnections', options, async (o) => {
      const first = buildListConnectionsInGroupRequest(this.context, this.groupName, o);
      return pagedIterator((nextLink) => this.fetchPage(nextLink ? this.nextPageRequest(first, nextLink) : first, o));
    });
  }

  private async fetchPage(request: WebPubSubRequest, options: OperationOptions): Promise<Page<WebPubSubGroupMember>> {
    const response = await this.transport.call(request, options);
    const body = JSON.parse(response.bodyAsText || '{}') as {
      value?: WebPubSubGroupMember[];
      nextLink?: string | null;
    };
    return { items: body.value ?? [], nextLink: body.nextLink ?? undefined };
  }

  /**
   * Follows a nextLink on our own endpoint: only its path and query are taken, with our
   * api-version, so a signed token is never sent to a host the service named.
   */
  private nextPageRequest(first: WebPubSubRequest, nextLink: string): WebPubSubRequest {
    let url: URL;
    try {
      url = new URL(nextLink, `${this.endpoint}/`);
    } catch {
      throw new WebPubSubRestError(200, ClientMessages.nextLinkHost(), { operation: first.operation });
    }
    const query = parseQuery(url.search).filter(([name]) => name !== 'api-version');
    return { ...first, path: url.pathname, query: [['api-version', this.apiVersion], ...query] };
  }
}
