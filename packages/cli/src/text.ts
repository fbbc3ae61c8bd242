// Values shown in messages, on one line. Its own module, without commander: the verify-batch
// worker threads need it and should not load the command-line parser.

const escapeControl = (c: string): string =>
  c === '\n'
    ? '\\n'
    : c === '\r'
      ? '\\r'
      : c === '\t'
        ? '\\t'
        : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Text shown on one line: control characters (a newline in a value) escaped. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, escapeControl);
}

/** A value as shown in an error: on one line, and at most `max` characters. */
export function shown(value: string, max = 80): string {
  const line = oneLine(value);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
