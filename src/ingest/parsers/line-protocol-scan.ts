// InfluxDB line protocol, tokenised by hand (the npm parsers get escaping wrong):
//
//   measurement[,tag=value…] field=value[,field=value…] [timestamp]
//
// Escaping: in the measurement "\," and "\ "; in tag keys, tag values and field keys "\,", "\="
// and "\ "; "\\" is a backslash everywhere; any other backslash is literal. String field values
// are double-quoted with "\"" and "\\" escapes and may span lines. Field values: floats (1, 1.5,
// -1e3), integers (1i), unsigned (1u), strings and booleans (t, T, true, True, TRUE, f …).
// Timestamps stay BigInt so nanoseconds are exact; the caller applies the precision.

export type FieldValue =
  | { kind: 'float'; value: number }
  | { kind: 'int' | 'uint'; value: bigint }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean };

export interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  timestamp: bigint | null;
}

export type ScanItem =
  | { point: Point; index: number; line: number }
  | { error: string; field: string; index: number; line: number };

const NL = 10;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const COMMA = 44;
const EQ = 61;
const QUOTE = 34;
const BACKSLASH = 92;
const HASH = 35;

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT_RE = /^[+-]?\d+i$/;
const UINT_RE = /^\d+u$/;
const TS_RE = /^-?\d{1,25}$/;
const BOOLS: Record<string, boolean> = { t: true, T: true, true: true, True: true, TRUE: true, f: false, F: false, false: false, False: false, FALSE: false }; // prettier-ignore
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

class ScanError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}

  /** An identifier up to an unescaped stop character; `escapable` are the characters "\" may escape. */
  ident(stops: readonly number[], escapable: readonly number[]): string {
    const { s } = this;
    let out = '';
    let start = this.pos;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === BACKSLASH && this.pos + 1 < s.length) {
        const n = s.charCodeAt(this.pos + 1);
        if (n === BACKSLASH || escapable.includes(n)) {
          out += s.slice(start, this.pos) + s[this.pos + 1];
          this.pos += 2;
          start = this.pos;
          continue;
        }
      }
      if (c === NL || c === CR || stops.includes(c)) break;
      this.pos++;
    }
    return out + s.slice(start, this.pos);
  }

  quoted(): string {
    const { s } = this;
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === BACKSLASH && this.pos + 1 < s.length) {
        const n = s.charCodeAt(this.pos + 1);
        if (n === QUOTE || n === BACKSLASH) {
          out += s.slice(start, this.pos) + s[this.pos + 1];
          this.pos += 2;
          start = this.pos;
          continue;
        }
      }
      if (c === QUOTE) {
        out += s.slice(start, this.pos);
        this.pos++;
        return out;
      }
      this.pos++;
    }
    throw new ScanError('fields', 'unterminated string field value');
  }

  peek(): number {
    return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : NL;
  }

  spaces(): number {
    const from = this.pos;
    while (this.peek() === SPACE || this.peek() === TAB) this.pos++;
    return this.pos - from;
  }

  atLineEnd(): boolean {
    const c = this.peek();
    return c === NL || c === CR;
  }
}

const ID_MEASUREMENT = [COMMA, SPACE];
const ID_TAG = [COMMA, EQ, SPACE];

function fieldValue(sc: Scanner, key: string): FieldValue {
  if (sc.peek() === QUOTE) return { kind: 'string', value: sc.quoted() };
  const start = sc.pos;
  while (!sc.atLineEnd() && sc.peek() !== COMMA && sc.peek() !== SPACE) sc.pos++;
  const tok = sc.s.slice(start, sc.pos);
  const f = `fields.${key}`;
  if (tok === '') throw new ScanError(f, 'missing field value');
  if (tok in BOOLS) return { kind: 'bool', value: BOOLS[tok] as boolean };
  if (INT_RE.test(tok)) {
    const v = BigInt(tok.slice(0, -1));
    if (v < INT64_MIN || v > INT64_MAX) throw new ScanError(f, 'integer out of int64 range');
    return { kind: 'int', value: v };
  }
  if (UINT_RE.test(tok)) {
    const v = BigInt(tok.slice(0, -1));
    if (v > UINT64_MAX) throw new ScanError(f, 'unsigned integer out of uint64 range');
    return { kind: 'uint', value: v };
  }
  if (FLOAT_RE.test(tok)) {
    const v = Number(tok);
    if (!Number.isFinite(v)) throw new ScanError(f, 'float out of range');
    return { kind: 'float', value: v };
  }
  throw new ScanError(f, `invalid field value ${JSON.stringify(tok.slice(0, 40))}`);
}

function point(sc: Scanner): Point {
  const measurement = sc.ident(ID_MEASUREMENT, ID_MEASUREMENT);
  if (measurement === '') throw new ScanError('measurement', 'missing measurement');
  const tags: Record<string, string> = {};
  while (sc.peek() === COMMA) {
    sc.pos++;
    const key = sc.ident(ID_TAG, ID_TAG);
    if (key === '' || sc.peek() !== EQ) throw new ScanError('tags', 'tag must be key=value');
    sc.pos++;
    const value = sc.ident(ID_TAG, ID_TAG);
    if (value === '') throw new ScanError(`tags.${key}`, 'empty tag value');
    tags[key] = value;
  }
  if (sc.spaces() === 0 || sc.atLineEnd()) throw new ScanError('fields', 'missing field set');
  const fields: Record<string, FieldValue> = {};
  for (;;) {
    const key = sc.ident(ID_TAG, ID_TAG);
    if (key === '' || sc.peek() !== EQ) throw new ScanError('fields', 'field must be key=value');
    sc.pos++;
    fields[key] = fieldValue(sc, key);
    if (sc.peek() !== COMMA) break;
    sc.pos++;
  }
  let timestamp: bigint | null = null;
  if (sc.spaces() > 0 && !sc.atLineEnd()) {
    const start = sc.pos;
    while (!sc.atLineEnd() && sc.peek() !== SPACE && sc.peek() !== TAB) sc.pos++;
    const tok = sc.s.slice(start, sc.pos);
    if (!TS_RE.test(tok))
      throw new ScanError('timestamp', `invalid timestamp ${JSON.stringify(tok.slice(0, 40))}`);
    timestamp = BigInt(tok);
    sc.spaces();
  }
  if (!sc.atLineEnd()) throw new ScanError('timestamp', 'unexpected text after the timestamp');
  return { measurement, tags, fields, timestamp };
}

/** Every point of a body, or the reason it could not be read; never throws on bad input. */
export function scanLines(text: string): ScanItem[] {
  const sc = new Scanner(text);
  const out: ScanItem[] = [];
  let line = 1;
  let lineCountedTo = 0;
  const lineAt = (pos: number) => {
    for (let i = lineCountedTo; i < pos; i++) if (text.charCodeAt(i) === NL) line++;
    lineCountedTo = pos;
    return line;
  };
  while (sc.pos < text.length) {
    sc.spaces();
    const c = sc.peek();
    if (c === NL || c === CR) {
      sc.pos++;
      continue;
    }
    if (c === HASH) {
      while (sc.pos < text.length && sc.peek() !== NL) sc.pos++;
      continue;
    }
    const start = sc.pos;
    const index = out.length;
    try {
      out.push({ point: point(sc), index, line: lineAt(start) });
    } catch (e) {
      if (!(e instanceof ScanError)) throw e;
      out.push({ error: e.message, field: e.field, index, line: lineAt(start) });
      // Resume after the line the point started on (a broken string must not swallow the body).
      const nl = text.indexOf('\n', start);
      sc.pos = nl === -1 ? text.length : nl + 1;
    }
  }
  return out;
}
