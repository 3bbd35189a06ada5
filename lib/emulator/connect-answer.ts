import { connectAnswerProblem, type ConnectResponse } from '../protocol/connect-answer.js';

/**
 * Reads the connect handler's JSON answer (no body: nothing to change) and checks it with the
 * service's rule. Returns what is wrong as text when the answer is invalid.
 */
export function readConnectAnswer(body: Buffer): ConnectResponse | { invalid: string } {
  let answer: unknown;
  try {
    answer = JSON.parse(body.toString('utf8') || 'null');
  } catch {
    return { invalid: 'it is not JSON' };
  }
  const problem = connectAnswerProblem(answer);
  if (problem)
    return {
      invalid:
        problem.field === '(the answer)' ? 'it is not a JSON object' : `"${problem.field}" must be ${problem.expected}`,
    };
  const { userId, groups, roles, subprotocol } = (answer ?? {}) as Record<string, unknown>;
  return {
    userId: (userId as string | null) || undefined,
    groups: (groups as string[] | null) ?? undefined,
    roles: (roles as string[] | null) ?? undefined,
    subprotocol: (subprotocol as string | null) || undefined,
  };
}
