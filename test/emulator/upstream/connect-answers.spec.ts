import { describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { JsonClient } from '../../support/json-client.js';
import { JSON_PROTOCOL, refusalStatus } from '../../support/raw-client.js';
import { allowAnyOrigin, useUpstreamStage } from './upstream-helpers.js';

/**
 * The connect handler's answer is checked as token claims are (issue item 9): a string userId,
 * valid group names, string roles, an offered subprotocol. Anything else fails the connect with
 * 500, as the service does for an invalid answer, and no connection is made.
 */
describe('connect answers', () => {
  const stage = useUpstreamStage(
    (request, response) => {
      if (request.method === 'OPTIONS') return allowAnyOrigin(response);
      // The test puts the answer in the client URL's `answer` query parameter.
      const answer = (JSON.parse(request.body.toString('utf8')) as { query: Record<string, string[]> }).query
        .answer?.[0];
      response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    },
    (port) => ({
      hubs: {
        answers: { eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/{event}`, systemEvents: ['connect'] }] },
      },
    }),
  );
  const rest = () => new WebPubSubRestClient(stage.emulator.connectionString, 'answers');
  const urlAnswering = async (answer: string) =>
    `${(await rest().getClientAccessToken({ userId: 'token-user' })).url}&answer=${encodeURIComponent(answer)}`;

  it.each([
    ['a number userId', '{"userId":123}'],
    ['a boolean userId', '{"userId":true}'],
    ['userId ".."', '{"userId":".."}'],
    ['an empty group', '{"groups":[""]}'],
    ['a group of 2,000 characters', JSON.stringify({ groups: ['g'.repeat(2000)] })],
    ['group 5', '{"groups":[5]}'],
    ['group null', '{"groups":[null]}'],
    ['group {}', '{"groups":[{}]}'],
    ['group ".."', '{"groups":[".."]}'],
    ['groups as a string', '{"groups":"room"}'],
    ['a number role', '{"roles":[1]}'],
    ['roles as a string', '{"roles":"webpubsub.joinLeaveGroup"}'],
    ['a number subprotocol', '{"subprotocol":5}'],
    ['an array', '[]'],
    ['a JSON string', '"user"'],
    ['text that is not JSON', 'not json'],
  ])('%s fails the connect with 500', async (_case, answer) => {
    expect(await refusalStatus(await urlAnswering(answer), JSON_PROTOCOL)).toBe(500);
    expect(stage.emulator.connections('answers')).toEqual([]);
  });

  it('a valid answer sets the user, groups and roles', async () => {
    const answer = JSON.stringify({
      userId: 'answered',
      groups: ['room'],
      roles: ['webpubsub.sendToGroup'],
      subprotocol: null,
    });
    const client = await JsonClient.connect(await urlAnswering(answer), 'answered');
    stage.defer(() => client.close());
    expect(client.frames[0]).toMatchObject({ event: 'connected', userId: 'answered' });
    expect(stage.emulator.connections('answers')).toEqual([
      expect.objectContaining({ userId: 'answered', groups: ['room'] }),
    ]);
    expect(await rest().hasPermission(client.connectionId, 'sendToGroup')).toBe(true);
  });

  it('pattern roles in an answer apply; an invalid pattern is skipped, not a failed connect', async () => {
    // The service reads roles the same way from a token and from a connect answer.
    const answer = JSON.stringify({ roles: ['webpubsub.joinLeaveGroups.team.?', 'webpubsub.joinLeaveGroups.bad\\x'] });
    const client = await JsonClient.connect(await urlAnswering(answer), 'patterned');
    stage.defer(() => client.close());
    expect((await client.request({ type: 'joinGroup', group: 'team.a' }, 1)).success).toBe(true);
    expect((await client.request({ type: 'joinGroup', group: 'team.ab' }, 2)).error?.name).toBe('Forbidden');
    expect((await client.request({ type: 'joinGroup', group: 'badx' }, 3)).error?.name).toBe('Forbidden');
  });
});
