import { MAX_GROUP_NAME_LENGTH } from './rules.js';

/** At most five `*` per pattern, counting both of a `**` (the service's "wildcard group roles" docs). */
export const MAX_PATTERN_WILDCARDS = 5;

/** The role prefixes whose rest is a group pattern rather than a group name. */
export const PATTERN_ROLE_PREFIXES = {
  joinLeaveGroup: 'webpubsub.joinLeaveGroups.',
  sendToGroup: 'webpubsub.sendToGroups.',
} as const;

type Token = { kind: 'literal'; char: string } | { kind: 'one' } | { kind: 'segment' } | { kind: 'any' };

/**
 * A group pattern of a `webpubsub.sendToGroups.{pattern}` / `webpubsub.joinLeaveGroups.{pattern}`
 * role: `?` is one character other than `.`, `*` a run without `.`, `**` any run, `\` escapes
 * `\`, `*` and `?`; everything else is literal and case-sensitive. No regex is built, so nothing
 * in a pattern can act as regex syntax, and matching never backtracks.
 */
export class GroupPattern {
  private constructor(private readonly tokens: readonly Token[]) {}

  /** The pattern, or why the service cannot use it. */
  static parse(pattern: string): GroupPattern | { invalid: string } {
    if (pattern.length === 0) return { invalid: 'the pattern is empty' };
    if (pattern.length > MAX_GROUP_NAME_LENGTH)
      return { invalid: `the pattern is longer than ${MAX_GROUP_NAME_LENGTH} characters` };
    const tokens: Token[] = [];
    let stars = 0;
    for (let i = 0; i < pattern.length; i++) {
      const char = pattern[i];
      if (char === '\\') {
        const next = pattern[i + 1];
        if (next === undefined) return { invalid: 'the pattern ends with a single "\\"' };
        if (next !== '\\' && next !== '*' && next !== '?')
          return { invalid: `"\\${next}" is not an escape (only \\\\, \\* and \\? are)` };
        tokens.push({ kind: 'literal', char: next });
        i++;
      } else if (char === '*') {
        let run = 1;
        while (pattern[i + 1] === '*') {
          run++;
          i++;
        }
        stars += run;
        tokens.push({ kind: run === 1 ? 'segment' : 'any' });
      } else {
        tokens.push(char === '?' ? { kind: 'one' } : { kind: 'literal', char });
      }
    }
    if (stars > MAX_PATTERN_WILDCARDS)
      return { invalid: `the pattern has ${stars} "*", more than ${MAX_PATTERN_WILDCARDS}` };
    return new GroupPattern(tokens);
  }

  /**
   * Runs the pattern as a set of positions over the group name (a Thompson-style NFA): time is
   * tokens × characters, whatever the name, with no backtracking.
   */
  matches(group: string): boolean {
    const count = this.tokens.length;
    let active: Uint8Array = new Uint8Array(count + 1);
    active[0] = 1;
    this.skipWildcards(active);
    // By UTF-16 unit, as the pattern is read (and as .NET, the service's runtime, counts characters).
    for (let at = 0; at < group.length; at++) {
      const char = group[at];
      const next = new Uint8Array(count + 1);
      let alive = false;
      for (let state = 0; state < count; state++) {
        if (!active[state]) continue;
        const target = this.step(this.tokens[state], char, state);
        if (target === undefined) continue;
        next[target] = 1;
        alive = true;
      }
      if (!alive) return false;
      active = this.skipWildcards(next);
    }
    return active[count] === 1;
  }

  /** Where one character takes a position: on past a literal or `?`, staying on a `*` or `**`. */
  private step(token: Token, char: string, state: number): number | undefined {
    switch (token.kind) {
      case 'literal':
        return token.char === char ? state + 1 : undefined;
      case 'one':
        return char !== '.' ? state + 1 : undefined;
      case 'segment':
        return char !== '.' ? state : undefined;
      case 'any':
        return state;
    }
  }

  /** Adds the positions past each active `*` or `**`: they may match nothing. */
  private skipWildcards(states: Uint8Array): Uint8Array {
    for (let state = 0; state < this.tokens.length; state++) {
      const kind = this.tokens[state].kind;
      if (states[state] && (kind === 'segment' || kind === 'any')) states[state + 1] = 1;
    }
    return states;
  }
}
