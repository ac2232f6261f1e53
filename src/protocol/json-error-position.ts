/**
 * Locating a JSON syntax error. Node's JSON.parse messages do not always say
 * where the problem is (Node 20 prints only a snippet), so when parsing a trace
 * fails the codec runs this small validating scanner over the text to find the
 * first offending character, and reports its line and column.
 */

/** Position of the first syntax error: 0-based offset, 1-based line and column. */
export interface JsonErrorPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/**
 * Scans `text` as RFC 8259 JSON and returns where it first goes wrong, or null
 * when the text is a valid JSON document. An error "at" `text.length` means the
 * input ended too early.
 */
export function locateJsonError(text: string): JsonErrorPosition | null {
  const offset = new JsonScanner(text).firstErrorOffset();
  if (offset === null) return null;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

class SyntaxFailure {
  constructor(readonly offset: number) {}
}

class JsonScanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  firstErrorOffset(): number | null {
    try {
      this.skipWhitespace();
      this.value(0);
      this.skipWhitespace();
      if (this.pos !== this.text.length) this.fail();
      return null;
    } catch (e) {
      if (e instanceof SyntaxFailure) return e.offset;
      throw e;
    }
  }

  private fail(): never {
    throw new SyntaxFailure(this.pos);
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else break;
    }
  }

  private value(depth: number): void {
    if (depth > 10_000) this.fail();
    const c = this.peek();
    if (c === '{') this.object(depth);
    else if (c === '[') this.array(depth);
    else if (c === '"') this.string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else this.fail();
  }

  private literal(word: string): void {
    for (const ch of word) {
      if (this.peek() !== ch) this.fail();
      this.pos++;
    }
  }

  private object(depth: number): void {
    this.pos++; // '{'
    this.skipWhitespace();
    if (this.peek() === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      if (this.peek() !== '"') this.fail();
      this.string();
      this.skipWhitespace();
      if (this.peek() !== ':') this.fail();
      this.pos++;
      this.skipWhitespace();
      this.value(depth + 1);
      if (!this.more('}')) return;
    }
  }

  private array(depth: number): void {
    this.pos++; // '['
    this.skipWhitespace();
    if (this.peek() === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.value(depth + 1);
      if (!this.more(']')) return;
    }
  }

  /**
   * After a member or element: a comma (true: another one follows, whitespace
   * after it skipped) or `close` (false: the container ended); anything else
   * is the error.
   */
  private more(close: '}' | ']'): boolean {
    this.skipWhitespace();
    const c = this.peek();
    if (c !== ',' && c !== close) this.fail();
    this.pos++;
    if (c === close) return false;
    this.skipWhitespace();
    return true;
  }

  private string(): void {
    this.pos++; // opening quote
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail();
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c.charCodeAt(0) < 0x20) this.fail();
      if (c === '\\') {
        this.pos++;
        const e = this.peek();
        if (e === 'u') {
          this.pos++;
          for (let i = 0; i < 4; i++) {
            const h = this.peek();
            if (h === undefined || !/[0-9a-fA-F]/.test(h)) this.fail();
            this.pos++;
          }
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          this.pos++;
        } else this.fail();
      } else {
        this.pos++;
      }
    }
  }

  private digits(): void {
    const begin = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c !== undefined && c >= '0' && c <= '9') this.pos++;
      else break;
    }
    if (this.pos === begin) this.fail();
  }

  private number(): void {
    if (this.peek() === '-') this.pos++;
    if (this.peek() === '0') this.pos++;
    else this.digits();
    if (this.peek() === '.') {
      this.pos++;
      this.digits();
    }
    const e = this.peek();
    if (e === 'e' || e === 'E') {
      this.pos++;
      const s = this.peek();
      if (s === '+' || s === '-') this.pos++;
      this.digits();
    }
  }
}
