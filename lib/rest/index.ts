/**
 * nestjs-web-pubsub/rest: the low-level layer, as the Python SDK's `rest` module. One builder per
 * REST operation (`build<Op>Request`) returns a `WebPubSubRequest`, which
 * `WebPubSubRestClient.sendRequest` (or `WebPubSubService.sendRequest`) runs through the pipeline.
 *
 * @example
 * const response = await client.sendRequest(buildSendToGroupRequest({ hub: 'chat' }, 'room 1', { text: 'hi' }));
 */
export {
  buildGetServiceStatusRequest,
  buildSendToAllRequest,
  buildSendToGroupRequest,
  buildSendToUserRequest,
  buildSendToConnectionRequest,
  buildConnectionExistsRequest,
  buildGroupExistsRequest,
  buildUserExistsRequest,
  buildCloseConnectionRequest,
  buildCloseAllConnectionsRequest,
  buildCloseGroupConnectionsRequest,
  buildCloseUserConnectionsRequest,
  buildAddConnectionToGroupRequest,
  buildRemoveConnectionFromGroupRequest,
  buildRemoveConnectionFromAllGroupsRequest,
  buildAddUserToGroupRequest,
  buildRemoveUserFromGroupRequest,
  buildRemoveUserFromAllGroupsRequest,
  buildAddConnectionsToGroupsRequest,
  buildRemoveConnectionsFromGroupsRequest,
  buildGrantPermissionRequest,
  buildRevokePermissionRequest,
  buildCheckPermissionRequest,
  buildListConnectionsInGroupRequest,
  buildGenerateClientTokenRequest,
} from '../client/request-builders.js';
export type {
  SendOptions,
  FilteredSendOptions,
  BroadcastSendOptions,
  CloseOptions,
  PermissionOptions,
  ListConnectionsOptions,
  GenerateTokenQuery,
} from '../client/request-builders.js';
export type { WebPubSubRequest } from '../client/web-pubsub-request.js';
export type { RequestContext } from '../client/request-context.js';
