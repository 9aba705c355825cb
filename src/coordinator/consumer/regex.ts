/**
 * Subscription regexes (KIP-848 SubscribedTopicRegex) in the syntax Kafka accepts: Kafka compiles
 * them with RE2/J and a topic matches when the whole name matches (`Matcher.matches()`). RE2
 * syntax is a subset of Java's (no backreferences, no lookaround, no possessive quantifiers), and
 * differs from JavaScript's in places, so a pattern is translated here into an equivalent
 * JavaScript RegExp, and what RE2/J refuses is refused with its reason (answered
 * INVALID_REGULAR_EXPRESSION).
 *
 * Handled: flags `(?imsU)` and `(?flags:...)` (scoped, also turned off with `-`), `\Q...\E`,
 * `\A`, `\z`, `\pN`, `\p{Greek}` and `\PN`, POSIX classes `[[:alpha:]]`, Perl classes `\d \s \w`
 * with RE2's ASCII meaning, `\x{10FFFF}`, octal `\123`, named groups `(?P<n>...)` and `(?<n>...)`,
 * `{` and `]` as literals where RE2 takes them so, and the 1000 repetition limit.
 */

export type CompiledRegex = { readonly ok: true; readonly regexp: RegExp } | { readonly ok: false; readonly error: string };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const PERL: Record<string, string> = { d: '0-9', s: '\\t\\n\\f\\r ', w: '0-9A-Za-z_' };
const MAX_REPEAT = 1000;
const GENERAL_CATEGORY = /^(C|Cc|Cf|Co|Cs|L|Ll|Lm|Lo|Lt|Lu|M|Mc|Me|Mn|N|Nd|Nl|No|P|Pc|Pd|Pe|Pf|Pi|Po|Ps|S|Sc|Sk|Sm|So|Z|Zl|Zp|Zs)$/;

class RegexSyntaxError extends Error {}

/** Compiles a subscription regex, or says why RE2/J would refuse it. */
export function compileTopicRegex(pattern: string): CompiledRegex {
  try {
    const source = new Translator(pattern).translate();
    return { ok: true, regexp: new RegExp(`^(?:${source})$`, 'u') };
  } catch (err) {
    const message = err instanceof RegexSyntaxError ? err.message : `invalid regular expression: ${(err as Error).message}`;
    return { ok: false, error: message };
  }
}

class Translator {
  private i = 0;
  private out = '';
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private readonly stack: { flags: Flags }[] = [];

  constructor(private readonly p: string) {}

  translate(): string {
    while (this.i < this.p.length) this.step();
    if (this.stack.length > 0) throw new RegexSyntaxError('missing closing )');
    return this.out;
  }

  private step(): void {
    const c = this.p[this.i]!;
    switch (c) {
      case '\\':
        this.escape();
        return;
      case '[':
        this.out += this.charClass();
        return;
      case '(':
        this.group();
        return;
      case ')':
        if (this.stack.length === 0) throw new RegexSyntaxError('unexpected )');
        this.flags = this.stack.pop()!.flags;
        this.out += ')';
        this.i++;
        this.quantifier();
        return;
      case '.':
        this.out += this.flags.s ? '[\\s\\S]' : '[^\\n]';
        this.i++;
        this.quantifier();
        return;
      case '^':
        this.out += this.flags.m ? '(?<![^\\n])' : '^';
        this.i++;
        return;
      case '$':
        this.out += this.flags.m ? '(?![^\\n])' : '$';
        this.i++;
        return;
      case '*':
      case '+':
      case '?':
        throw new RegexSyntaxError(`missing argument to repetition operator: ${c}`);
      case '{':
        if (this.repeatAt(this.i) !== null) throw new RegexSyntaxError('missing argument to repetition operator: {');
        this.out += '\\{';
        this.i++;
        this.quantifier();
        return;
      case '}':
      case ']':
        this.out += `\\${c}`;
        this.i++;
        this.quantifier();
        return;
      case '|':
        this.out += '|';
        this.i++;
        return;
      default:
        this.literal(this.codePointAt());
    }
  }

  private codePointAt(): string {
    const cp = this.p.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    return ch;
  }

  private literal(ch: string): void {
    this.out += this.flags.i ? caseClass(ch) : escapeLiteral(ch);
    this.quantifier();
  }

  private escape(): void {
    const next = this.p[this.i + 1];
    if (next === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
    if (next === 'Q') {
      const end = this.p.indexOf('\\E', this.i + 2);
      const text = this.p.slice(this.i + 2, end < 0 ? undefined : end);
      this.i = end < 0 ? this.p.length : end + 2;
      const chars = [...text];
      chars.forEach((ch, k) => {
        this.out += this.flags.i ? caseClass(ch) : escapeLiteral(ch);
        // A quantifier after \E applies to the last quoted character, as in RE2.
        if (k === chars.length - 1) this.quantifier();
      });
      return;
    }
    if (next === 'A') return this.assertion('^', 2);
    if (next === 'z') return this.assertion('$', 2);
    if (next === 'b' || next === 'B') return this.assertion(`\\${next}`, 2);
    const atom = this.escapeAtom(false);
    this.out += atom;
    this.quantifier();
  }

  private assertion(js: string, length: number): void {
    this.out += js;
    this.i += length;
  }

  /** An escape usable inside or outside a class, as JavaScript source; advances past it. */
  private escapeAtom(inClass: boolean): string {
    const next = this.p[this.i + 1]!;
    this.i += 2;
    if (next in PERL) return inClass ? PERL[next]! : `[${PERL[next]!}]`;
    if (next === 'D' || next === 'S' || next === 'W') {
      if (inClass) throw new RegexSyntaxError(`negated Perl class \\${next} inside a character class is not supported here`);
      return `[^${PERL[next.toLowerCase()]!}]`;
    }
    if (next === 'p' || next === 'P') return this.unicodeClass(next === 'P', inClass);
    if (next === 'x') return this.hexEscape();
    if (next >= '0' && next <= '7') {
      if (next !== '0' && !/[0-7]/.test(this.p[this.i] ?? '')) throw new RegexSyntaxError(`invalid escape sequence: \\${next} (backreferences are not supported)`);
      let digits = next;
      while (digits.length < 3 && /[0-7]/.test(this.p[this.i] ?? '')) digits += this.p[this.i++];
      return escapeLiteral(String.fromCodePoint(parseInt(digits, 8)));
    }
    if (next === '8' || next === '9') throw new RegexSyntaxError(`invalid escape sequence: \\${next}`);
    const simple: Record<string, string> = { a: '\\x07', f: '\\f', t: '\\t', n: '\\n', r: '\\r', v: '\\v' };
    if (next in simple) return simple[next]!;
    // RE2 lets any punctuation be escaped; letters and digits not listed above are errors.
    if (/[!-/:-@[-`{-~]/.test(next)) return inClass ? escapeClassChar(next) : escapeLiteral(next);
    throw new RegexSyntaxError(`invalid escape sequence: \\${next}`);
  }

  private hexEscape(): string {
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i);
      const hex = end < 0 ? '' : this.p.slice(this.i + 1, end);
      if (!/^[0-9A-Fa-f]{1,8}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new RegexSyntaxError('invalid escape sequence: \\x{');
      this.i = end + 1;
      return `\\u{${hex}}`;
    }
    const hex = this.p.slice(this.i, this.i + 2);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new RegexSyntaxError('invalid escape sequence: \\x');
    this.i += 2;
    return `\\x${hex}`;
  }

  private unicodeClass(negated: boolean, inClass: boolean): string {
    let name: string;
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i);
      if (end < 0) throw new RegexSyntaxError('invalid character class range: \\p{');
      name = this.p.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      name = this.p[this.i] ?? '';
      this.i++;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const property = name === 'Any' ? 'Any' : GENERAL_CATEGORY.test(name) ? name : `Script=${name}`;
    try {
      new RegExp(`\\p{${property}}`, 'u');
    } catch {
      throw new RegexSyntaxError(`invalid character class range: \\p{${name}}`);
    }
    const js = `\\${negated ? 'P' : 'p'}{${property}}`;
    return inClass ? js : `[${js}]`;
  }

  private charClass(): string {
    this.i++;
    let negated = false;
    if (this.p[this.i] === '^') {
      negated = true;
      this.i++;
    }
    let body = '';
    let first = true;
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined) throw new RegexSyntaxError('missing closing ]');
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.p[this.i + 1] === ':') {
        const end = this.p.indexOf(':]', this.i + 2);
        let name = end < 0 ? '' : this.p.slice(this.i + 2, end);
        const neg = name.startsWith('^');
        if (neg) name = name.slice(1);
        if (!(name in POSIX)) throw new RegexSyntaxError('invalid character class range: [:');
        if (neg) throw new RegexSyntaxError('negated POSIX classes inside a class are not supported here');
        body += POSIX[name];
        this.i = end + 2;
        continue;
      }
      const lo = this.classChar();
      if (this.p[this.i] === '-' && this.p[this.i + 1] !== ']' && this.p[this.i + 1] !== undefined) {
        this.i++;
        const hi = this.classChar();
        if (lo.codePoint === null || hi.codePoint === null || hi.codePoint < lo.codePoint) throw new RegexSyntaxError('invalid character class range');
        body += `${lo.js}-${hi.js}`;
        if (this.flags.i) body += caseRange(lo.codePoint, hi.codePoint);
      } else {
        body += lo.js;
        if (this.flags.i && lo.codePoint !== null) body += caseVariants(lo.codePoint);
      }
    }
    this.i++;
    // Unlike `.`, a negated class matches a newline in RE2 as in Java.
    return this.withQuantifier(`[${negated ? '^' : ''}${body}]`);
  }

  private withQuantifier(atom: string): string {
    const saved = this.out;
    this.out = '';
    this.quantifier();
    const q = this.out;
    this.out = saved;
    return atom + q;
  }

  private classChar(): { js: string; codePoint: number | null } {
    const c = this.p[this.i]!;
    if (c === '\\') {
      const next = this.p[this.i + 1];
      if (next === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
      const js = this.escapeAtom(true);
      return { js, codePoint: singleCodePoint(js) };
    }
    const ch = this.codePointAt();
    return { js: escapeClassChar(ch), codePoint: ch.codePointAt(0)! };
  }

  private group(): void {
    const rest = this.p.slice(this.i);
    this.stack.push({ flags: { ...this.flags } });
    if (rest.startsWith('(?P<') || rest.startsWith('(?<')) {
      if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) throw new RegexSyntaxError('invalid or unsupported Perl syntax: (?<');
      const start = this.i + (rest.startsWith('(?P<') ? 4 : 3);
      const end = this.p.indexOf('>', start);
      const name = end < 0 ? '' : this.p.slice(start, end);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RegexSyntaxError(`invalid named capture: ${name}`);
      this.out += `(?<${name}>`;
      this.i = end + 1;
      return;
    }
    if (!rest.startsWith('(?')) {
      this.out += '(';
      this.i++;
      return;
    }
    const m = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
    if (m === null) throw new RegexSyntaxError(`invalid or unsupported Perl syntax: ${rest.slice(0, 3)}`);
    if (m[2] === '' || (m[1] === '' && m[2] === undefined && m[3] === ')')) throw new RegexSyntaxError(`invalid or unsupported Perl syntax: ${m[0]}`);
    const flags = { ...this.flags };
    for (const f of m[1]!) flags[f as keyof Flags] = true;
    for (const f of m[2] ?? '') flags[f as keyof Flags] = false;
    this.i += m[0].length;
    if (m[3] === ')') {
      // (?flags) sets them until the end of the enclosing group.
      this.stack.pop();
      this.flags = flags;
      return;
    }
    this.flags = flags;
    this.out += '(?:';
  }

  /** A repetition after an atom: `* + ? {n} {n,} {n,m}`, lazy with `?` (swapped under U). */
  private quantifier(): void {
    const c = this.p[this.i];
    let q: string | null = null;
    if (c === '*' || c === '+' || c === '?') {
      q = c;
      this.i++;
    } else if (c === '{') {
      const rep = this.repeatAt(this.i);
      if (rep === null) return;
      q = rep.text;
      this.i += rep.text.length;
    } else {
      return;
    }
    let lazy = false;
    if (this.p[this.i] === '?') {
      lazy = true;
      this.i++;
    }
    const after = this.p[this.i];
    if (after === '*' || after === '+' || after === '?' || (after === '{' && this.repeatAt(this.i) !== null)) {
      throw new RegexSyntaxError(`bad repetition operator: ${q}${lazy ? '?' : ''}${after}`);
    }
    // (?U) swaps greedy and lazy.
    this.out += q + (lazy !== this.flags.U ? '?' : '');
  }

  private repeatAt(at: number): { text: string } | null {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(at));
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[3] === undefined || m[3] === '' ? min : Number(m[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (m[3] !== undefined && m[3] !== '' && max < min)) throw new RegexSyntaxError(`invalid repeat count: ${m[0]}`);
    return { text: m[0] };
  }
}

function escapeLiteral(ch: string): string {
  return /[\\^$.|?*+()[\]{}/]/.test(ch) ? `\\${ch}` : ch;
}

function escapeClassChar(ch: string): string {
  return /[\\\]\[^-]/.test(ch) ? `\\${ch}` : ch;
}

function caseClass(ch: string): string {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  if (lower === upper || [...lower].length !== 1 || [...upper].length !== 1) return escapeLiteral(ch);
  return `[${escapeClassChar(lower)}${escapeClassChar(upper)}]`;
}

function caseVariants(cp: number): string {
  const ch = String.fromCodePoint(cp);
  return [ch.toLowerCase(), ch.toUpperCase()].filter((v) => v !== ch && [...v].length === 1).map(escapeClassChar).join('');
}

/** Under (?i), the other case of the ASCII letters a range covers. */
function caseRange(lo: number, hi: number): string {
  let extra = '';
  const overlap = (a: number, b: number): [number, number] | null => (Math.max(lo, a) <= Math.min(hi, b) ? [Math.max(lo, a), Math.min(hi, b)] : null);
  const upper = overlap(0x41, 0x5a);
  if (upper !== null) extra += `${String.fromCharCode(upper[0] + 32)}-${String.fromCharCode(upper[1] + 32)}`;
  const lower = overlap(0x61, 0x7a);
  if (lower !== null) extra += `${String.fromCharCode(lower[0] - 32)}-${String.fromCharCode(lower[1] - 32)}`;
  return extra;
}

/** The character a translated escape stands for, or null for a class escape such as \\d or \\p{L}. */
function singleCodePoint(js: string): number | null {
  if (js.startsWith('\\u{')) return parseInt(js.slice(3, -1), 16);
  if (/^\\x[0-9A-Fa-f]{2}$/.test(js)) return parseInt(js.slice(2), 16);
  const named: Record<string, number> = { '\\t': 9, '\\n': 10, '\\r': 13, '\\f': 12, '\\v': 11 };
  if (js in named) return named[js]!;
  const chars = [...js];
  if (chars.length === 2 && chars[0] === '\\' && !/[A-Za-z0-9]/.test(chars[1]!)) return chars[1]!.codePointAt(0)!;
  if (chars.length === 1) return js.codePointAt(0)!;
  return null;
}
