import type { RequestBodyType } from '@azure/core-rest-pipeline';
import type {
  GroupCloseAllConnectionsOptions, GroupListConnectionsOptions, GroupSendTextToAllOptions, GroupSendToAllOptions,
  OperationOptions, SendWithContentTypeOptions, WebPubSubGroupMember,
} from './client.options.js';
import { WebPubSubRestError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';
import type { JSONTypes } from './message-payload.js';
import { pagedIterator, type Page, type PagedAsyncIterableIterator } from './paging.js';
import {
  buildAddConnectionToGroupRequest, buildAddUserToGroupRequest, buildCloseGroupConnectionsRequest, buildListConnectionsInGroupRequest,
  buildRemoveConnectionFromGroupRequest, buildRemoveUserFromGroupRequest, buildSendToGroupRequest,
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

  async addConnection(connectionId: string, options?: OperationOptions): Promise<void> {
    await this.transport.call(buildAddConnectionToGroupRequest(this.context, this.groupName, connectionId), options);
  }

  async removeConnection(connectionId: string, options?: OperationOptions): Promise<void> {
    await this.transport.call(buildRemoveConnectionFromGroupRequest(this.context, this.groupName, connectionId), options);
  }

  async addUser(userId: string, options?: OperationOptions): Promise<void> {
    await this.transport.call(buildAddUserToGroupRequest(this.context, this.groupName, userId), options);
  }

  async removeUser(userId: string, options?: OperationOptions): Promise<void> {
    await this.transport.call(buildRemoveUserFromGroupRequest(this.context, this.groupName, userId), options);
  }

  async closeAllConnections(options?: GroupCloseAllConnectionsOptions): Promise<void> {
    await this.transport.call(buildCloseGroupConnectionsRequest(this.context, this.groupName, options), options);
  }

  /** Sends to every connection in the group (strings as JSON unless `contentType: 'text/plain'`). */
  sendToAll(message: string, options: GroupSendTextToAllOptions): Promise<void>;
  sendToAll(message: JSONTypes | RequestBodyType, options?: GroupSendToAllOptions | SendWithContentTypeOptions): Promise<void>;
  async sendToAll(message: unknown, options?: SendWithContentTypeOptions): Promise<void> {
    await this.transport.call(buildSendToGroupRequest(this.context, this.groupName, message, options), options);
  }

  /**
   * Lists the group's connections, following `nextLink` page by page. As in the official SDK, the
   * options are checked (and the promise rejects) before anything is sent.
   */
  async listConnections(options: GroupListConnectionsOptions = {}): Promise<PagedAsyncIterableIterator<WebPubSubGroupMember>> {
    const first = buildListConnectionsInGroupRequest(this.context, this.groupName, options);
    return pagedIterator((nextLink) => this.fetchPage(nextLink ? this.nextPageRequest(first, nextLink) : first, options));
  }

  private async fetchPage(request: WebPubSubRequest, options: OperationOptions): Promise<Page<WebPubSubGroupMember>> {
    const response = await this.transport.call(request, options);
    const body = JSON.parse(response.bodyAsText || '{}') as { value?: WebPubSubGroupMember[]; nextLink?: string | null };
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
