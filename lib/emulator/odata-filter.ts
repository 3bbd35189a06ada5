/**
 * The OData filter language of Web PubSub's send and add/remove-to-groups APIs: identifiers
 * `userId`, `connectionId`, `protocol` (strings) and `groups` (a collection); `eq ne gt ge lt le`,
 * `and or not`, `in` (`'g1' in groups`, `userId in ('a','b')`), parentheses, `null`, `true/false`,
 * integers and quoted strings (`''` escapes a quote), and the functions `tolower toupper trim length
 * substring indexof concat startswith endswith contains`. Precedence: not > comparison/in > and > or.
 */
export interface FilterSubject {
  userId: string | null;
  connectionId: string;
  protocol: string;
  groups: readonly string[];
}

export type FilterPredicate = (subject: FilterSubject) => boolean;

export class ODataFilterError extends Error {
  override readonly name = 'ODataFilterError';
}

type Value = string | number | boolean | null | readonly string[] | Value[];
type Node = (subject: FilterSubject) => Value;
type Token = { kind: 'string' | 'number' | 'word' | 'punct'; text: string; value?: string | number };

const IDENTIFIERS = new Set(['userid', 'connectionid', 'protocol', 'groups']);
const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS: Record<string, { arity: number[]; run: (args: Value[]) => Value }> = {
  tolower: { arity: [1], run: ([s]) => (typeof s === 'string' ? s.toLowerCase() : null) },
  toupper: { arity: [1], run: ([s]) => (typeof s === 'string' ? s.toUpperCase() : null) },
  trim: { arity: [1], run: ([s]) => (typeof s === 'string' ? s.trim() : null) },
  length: { arity: [1], run: ([s]) => (typeof s === 'string' || Array.isArray(s) ? s.length : null) },
  concat: { arity: [2], run: ([a, b]) => (typeof a === 'string' && typeof b === 'string' ? a + b : null) },
  indexof: { arity: [2], run: ([s, t]) => (typeof s === 'string' && typeof t === 'string' ? s.indexOf(t) : null) },
  substring: {
    arity: [2, 3],
    run: ([s, start, length]) =>
      typeof s === 'string' && typeof start === 'number'
        ? s.substr(start, typeof length === 'number' ? length : undefined)
        : null,
  },
  startswith: { arity: [2], run: ([s, t]) => typeof s === 'string' && typeof t === 'string' && s.startsWith(t) },
  endswith: { arity: [2], run: ([s, t]) => typeof s === 'string' && typeof t === 'string' && s.endsWith(t) },
  contains: {
    arity: [2],
    run: ([s, t]) =>
      Array.isArray(s) ? s.includes(t as string) : typeof s === 'string' && typeof t === 'string' && s.includes(t),
  },
};

/** Parses a filter once; the predicate is then cheap to run per connection. Throws ODataFilterError. */
export function parseODataFilter(filter: string): FilterPredicate {
  const parser = new Parser(tokenize(filter));
  const node = parser.parseOr();
  parser.expectEnd();
  return (subject) => {
    const value = node(subject);
    if (typeof value !== 'boolean' && value !== null)
      throw new ODataFilterError("The filter must be a condition (true or false), e.g. userId eq 'a'.");
    return value === true;
  };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (/\s/.test(char)) {
      i++;
    } else if (char === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ODataFilterError('A string literal is not closed with a quote.');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ kind: 'string', text: `'${value}'`, value });
    } else if (/[0-9-]/.test(char)) {
      const match = /^-?\d+/.exec(text.slice(i));
      if (!match) throw new ODataFilterError(`Unexpected "${char}" at position ${i}.`);
      tokens.push({ kind: 'number', text: match[0], value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'word', text: word.toLowerCase() });
      i += word.length;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: 'punct', text: char });
      i++;
    } else {
      throw new ODataFilterError(`Unexpected "${char}" at position ${i}.`);
    }
  }
  return tokens;
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  expectEnd(): void {
    if (this.position < this.tokens.length)
      throw new ODataFilterError(`Unexpected "${this.tokens[this.position].text}".`);
  }

  parseOr(): Node {
    let left = this.parseAnd();
    while (this.acceptWord('or')) {
      const [a, b] = [left, this.parseAnd()];
      // Both sides always run (no short circuit), so one dry run finds every type error up front.
      left = (s) => {
        const [x, y] = [a(s), b(s)];
        return x === true || y === true;
      };
    }
    return left;
  }

  private parseAnd(): Node {
    let left = this.parseNot();
    while (this.acceptWord('and')) {
      const [a, b] = [left, this.parseNot()];
      left = (s) => {
        const [x, y] = [a(s), b(s)];
        return x === true && y === true;
      };
    }
    return left;
  }

  private parseNot(): Node {
    if (this.acceptWord('not')) {
      const operand = this.parsePrimaryOperand();
      return (s) => operand(s) !== true;
    }
    return this.parseComparison();
  }

  /** `not` binds tighter than comparisons, so it takes a parenthesised expression or a boolean term. */
  private parsePrimaryOperand(): Node {
    const operand = this.parseValue();
    const next = this.peek();
    if (next?.kind === 'word' && (COMPARISONS.has(next.text) || next.text === 'in')) {
      throw new ODataFilterError('"not" applies to the term right after it; write not (...) around a comparison.');
    }
    return operand;
  }

  private parseComparison(): Node {
    const left = this.parseValue();
    const next = this.peek();
    if (next?.kind === 'word' && COMPARISONS.has(next.text)) {
      this.position++;
      const right = this.parseValue();
      return compare(next.text, left, right);
    }
    if (next?.kind === 'word' && next.text === 'in') {
      this.position++;
      // `x in ('a')` is a one-item list, not a parenthesised string.
      const collection =
        this.peek()?.text === '(' && this.peek()?.kind === 'punct' ? this.parseList() : this.parseValue();
      return (s) => {
        const items = collection(s);
        if (!Array.isArray(items)) throw new ODataFilterError('The right side of "in" must be a collection.');
        return items.includes(left(s) as string);
      };
    }
    return left;
  }

  private parseValue(): Node {
    const token = this.tokens[this.position++];
    if (!token) throw new ODataFilterError('The filter ends where a value was expected.');
    if (token.kind === 'string' || token.kind === 'number') {
      const value = token.value as Value;
      return () => value;
    }
    if (token.kind === 'punct' && token.text === '(') return this.parseParenthesised();
    if (token.kind === 'word') {
      if (token.text === 'null') return () => null;
      if (token.text === 'true' || token.text === 'false') {
        const value = token.text === 'true';
        return () => value;
      }
      if (IDENTIFIERS.has(token.text)) return identifier(token.text);
      // Own keys only: a filter may name `constructor` or `toString`, which every object has.
      const fn = Object.hasOwn(FUNCTIONS, token.text) ? FUNCTIONS[token.text] : undefined;
      if (fn && this.peek()?.text === '(') return this.parseCall(token.text, fn);
    }
    throw new ODataFilterError(
      `Unknown term "${token.text}". Use userId, connectionId, groups, literals or functions.`,
    );
  }

  /** `( expr )` or a literal list `( 'a', 'b' )` for `in`. */
  private parseParenthesised(): Node {
    const first = this.parseOr();
    if (this.peek()?.text !== ',') {
      this.expectPunct(')');
      return first;
    }
    const items = [first];
    while (this.acceptPunct(',')) items.push(this.parseOr());
    this.expectPunct(')');
    return (s) => items.map((item) => item(s));
  }

  /** `( value, value, … )` after `in`. */
  private parseList(): Node {
    this.expectPunct('(');
    const items = [this.parseOr()];
    while (this.acceptPunct(',')) items.push(this.parseOr());
    this.expectPunct(')');
    return (s) => items.map((item) => item(s));
  }

  private parseCall(name: string, fn: (typeof FUNCTIONS)[string]): Node {
    this.expectPunct('(');
    const args: Node[] = [this.parseOr()];
    while (this.acceptPunct(',')) args.push(this.parseOr());
    this.expectPunct(')');
    if (!fn.arity.includes(args.length))
      throw new ODataFilterError(`${name}() takes ${fn.arity.join(' or ')} arguments.`);
    return (s) => fn.run(args.map((arg) => arg(s)));
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private acceptWord(word: string): boolean {
    const token = this.peek();
    if (token?.kind === 'word' && token.text === word) {
      this.position++;
      return true;
    }
    return false;
  }

  private acceptPunct(punct: string): boolean {
    if (this.peek()?.text === punct && this.peek()?.kind === 'punct') {
      this.position++;
      return true;
    }
    return false;
  }

  private expectPunct(punct: string): void {
    if (!this.acceptPunct(punct)) throw new ODataFilterError(`Expected "${punct}".`);
  }
}

function identifier(name: string): Node {
  switch (name) {
    case 'userid':
      return (s) => s.userId;
    case 'connectionid':
      return (s) => s.connectionId;
    case 'protocol':
      return (s) => s.protocol;
    default:
      return (s) => s.groups;
  }
}

function compare(operator: string, left: Node, right: Node): Node {
  return (s) => {
    const a = left(s);
    const b = right(s);
    if (Array.isArray(a) || Array.isArray(b))
      throw new ODataFilterError(`"${operator}" cannot compare a collection; use "in".`);
    switch (operator) {
      case 'eq':
        return a === b;
      case 'ne':
        return a !== b;
      default: {
        if (a === null || b === null || typeof a !== typeof b) return false;
        const [x, y] = [a as string | number, b as string | number];
        return operator === 'gt' ? x > y : operator === 'ge' ? x >= y : operator === 'lt' ? x < y : x <= y;
      }
    }
  };
}
