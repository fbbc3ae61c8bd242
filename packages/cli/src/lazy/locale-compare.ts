// Stand-in for packageurl-js's `localeCompare` in the bundled command (see tsup.config.ts).
// packageurl-js makes an `Intl.Collator` when its module is loaded, and the first `Intl`
// object of a process initializes ICU: some 8 ms of every `flareo vex` start (about a tenth
// of `vex apply`'s own time on 10,000 findings), although parsing a purl never compares
// strings. Its one load-time use sorts the purl component names by their fixed positions,
// the numbers 0 to 7, which compare as the strings "0" to "7": the same order as the numbers
// themselves, in every locale. This compares such single digits directly, and makes the same
// collator (`new Intl.Collator()`, default locale and options) on first use for anything
// else. Hand-written: a few lines for a packaging concern no library covers.

let collator: Intl.Collator | undefined;

/** One of the numbers 0 to 9: compared as its one-digit string, in numeric order. */
const isDigit = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 9;

/** `new Intl.Collator().compare(a, b)`, with the collator made on first use. */
export function localeCompare(a: unknown, b: unknown): number {
  if (isDigit(a) && isDigit(b)) return a < b ? -1 : a > b ? 1 : 0;
  collator ??= new Intl.Collator();
  return collator.compare(a as string, b as string);
}
