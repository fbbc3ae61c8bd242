// A fast path for the simplest RE2 patterns, the kind most identity policies use
// (`^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*$`): a pattern of
// that kind is run as a JavaScript RegExp with the same meaning, so that checking an identity
// neither loads nor compiles an RE2 engine (re2js: some 270 KB of code and ~6 ms to compile a
// pattern in a fresh process, about 14 ms of a `flareo verify-image`). Hand-written: a
// recognizer of a small sublanguage, not a regexp translator.
//
// The sublanguage, where RE2 (Go's `regexp`, which cosign uses) and JavaScript agree:
// - an optional `^` first and an optional `$` last (text anchors in both without the `m`
//   flag: JavaScript's `$`, like Go's, does not match before a final newline);
// - literal characters: printable ASCII other than `\ . + * ? ( ) | [ ] { } ^ $`;
// - an escaped syntax character, `\` then one of `\ . + * ? ( ) | [ ] { } ^ $ /`: the same
//   literal in both;
// - `.`: any character but `\n` in Go, written `[^\n]` here because JavaScript's `.` also
//   refuses `\r`, U+2028 and U+2029; the `u` flag makes it one code point, as in Go;
// - at most one quantifier in the whole pattern, `*` or `+`, after one of those atoms.
// With one quantifier and no alternation, a backtracking engine tries at most one length of
// the repeated atom per start position, so matching stays polynomial (quadratic at worst, in
// a search); `SIMPLE_MAX_VALUE` bounds the values it sees, and longer ones go to RE2.

/** Values longer than this are matched with RE2 even when the pattern is simple. */
export const SIMPLE_MAX_VALUE = 1024;

const LITERAL = /[\x20-\x7e]/;
const META = new Set(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);
const ESCAPABLE = new Set([...META, '/']);

/**
 * The JavaScript source (for `new RegExp(source, 'u')`) of an RE2 pattern of the simple
 * sublanguage above, or `undefined` when the pattern is anything else (it is then RE2's).
 */
export function simpleRegexpSource(pattern: string): string | undefined {
  let out = '';
  let i = 0;
  let end = pattern.length;
  if (pattern.startsWith('^')) {
    out += '^';
    i = 1;
  }
  let anchoredEnd = false;
  // A final `$`, unless it is escaped (`\$` is a literal dollar).
  if (end > i && pattern[end - 1] === '$' && !escapedAt(pattern, end - 1, i)) {
    anchoredEnd = true;
    end -= 1;
  }
  let quantified = false;
  let atom = false; // whether the previous token is an atom a quantifier may follow
  while (i < end) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1] as string;
      if (i + 1 >= end || !ESCAPABLE.has(next)) return undefined;
      out += `\\${next}`;
      i += 2;
      atom = true;
    } else if (c === '.') {
      out += '[^\\n]';
      i += 1;
      atom = true;
    } else if (c === '*' || c === '+') {
      if (!atom || quantified) return undefined;
      out += c;
      quantified = true;
      i += 1;
      atom = false;
    } else if (META.has(c) || !LITERAL.test(c)) {
      return undefined;
    } else {
      out += c;
      i += 1;
      atom = true;
    }
  }
  return anchoredEnd ? `${out}$` : out;
}

/** Whether the character at `at` is escaped: preceded by an odd number of backslashes. */
function escapedAt(pattern: string, at: number, from: number): boolean {
  let n = 0;
  for (let j = at - 1; j >= from && pattern[j] === '\\'; j--) n++;
  return n % 2 === 1;
}
