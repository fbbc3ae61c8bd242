import {
  children,
  DerError,
  encodingOf,
  isStringTag,
  readOid,
  readString,
  type Tlv,
  toHex,
} from '../der/reader.js';

/** Short names of the attribute types printed by name (RFC 4514 §3 plus common ones). */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/**
 * A value {@link escapeValue} changes: a character it escapes anywhere, `#` or a space first,
 * or a space last.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds
const NEEDS_ESCAPE = /[\\"+,;<>\x00-\x1f\x7f]|^[# ]| $/;

/** RFC 4514 §2.4 escaping of an attribute value. */
function escapeValue(text: string): string {
  // Most values need no escape at all: one pattern test instead of a loop per character.
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if ('\\"+,;<>'.includes(c)) out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1 && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/**
 * A Name as text in the RFC 4514 style: relative distinguished names most specific first
 * (the reverse of their encoded order), joined by `, `; the attributes of a multi-valued RDN
 * joined by `+`; known types by short name (`CN`, `O`, ...), others by dotted OID with the
 * value as `#` and the hex of its DER. For example `CN=sigstore-intermediate, O=sigstore.dev`.
 * This is the one printable form of names across the Flareo packages.
 */
export function formatName(buf: Uint8Array, name: Tlv): string {
  const rdns: string[] = [];
  for (const rdn of children(buf, name)) {
    if (rdn.tag !== 0x31) throw new DerError('expected RelativeDistinguishedName SET', rdn.start);
    const parts: string[] = [];
    for (const atv of children(buf, rdn)) {
      if (atv.tag !== 0x30) throw new DerError('expected AttributeTypeAndValue', atv.start);
      const [type, value, ...rest] = children(buf, atv);
      if (!value || rest.length > 0) throw new DerError('bad AttributeTypeAndValue', atv.start);
      const oid = readOid(buf, type, 'attribute type');
      const short = ATTRIBUTE_NAMES[oid];
      parts.push(
        short !== undefined && isStringTag(value.tag)
          ? `${short}=${escapeValue(readString(buf, value, `${short} value`))}`
          : `${short ?? oid}=#${toHex(encodingOf(buf, value))}`,
      );
    }
    if (parts.length === 0) throw new DerError('empty RelativeDistinguishedName', rdn.start);
    rdns.push(parts.join('+'));
  }
  return rdns.reverse().join(', ');
}
