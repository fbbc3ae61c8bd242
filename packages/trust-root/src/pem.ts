import { fromBase64, toBase64 } from '@flareo/internal/bytes';
import { optionalString, requireString } from './arguments.js';
import { TrustRootError, where } from './errors.js';

/**
 * PEM block labels a trust bundle may hold. `EC PUBLIC KEY` bodies are SubjectPublicKeyInfo
 * (as some tools label them); `RSA PUBLIC KEY` bodies are PKCS#1 RSAPublicKey.
 */
export type PemLabel = 'CERTIFICATE' | 'PUBLIC KEY' | 'EC PUBLIC KEY' | 'RSA PUBLIC KEY';

const SUPPORTED: ReadonlySet<string> = new Set<PemLabel>([
  'CERTIFICATE',
  'PUBLIC KEY',
  'EC PUBLIC KEY',
  'RSA PUBLIC KEY',
]);

/** One decoded PEM block. */
export interface PemBlock {
  readonly label: PemLabel;
  readonly der: Uint8Array;
  /** 1-based line of the BEGIN line. */
  readonly line: number;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;
const END = /^-----END ([A-Z0-9 ]+)-----$/;
const BOUNDARY = /(-----(?:BEGIN|END) [A-Z0-9 ]+-----)/;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strip a `#` comment (base64 never contains `#`) and surrounding whitespace. */
function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash === -1 ? line : line.slice(0, hash)).trim();
}

/**
 * Split a PEM trust bundle into blocks.
 *
 * Hand-written on purpose: the libraries we know either drop unknown text silently or stop
 * at the first block, and none reports line numbers; a trust bundle needs all three.
 *
 * Accepted: any number of blocks in any order, blank lines, CRLF, `#` comments on their own
 * line or after a base64 line, and free text between blocks. Rejected, with the line: an
 * unterminated block, END without BEGIN or with another label, RFC 1421 headers (encrypted
 * PEM), non-base64 text inside a block, non-canonical base64, unsupported block types, and
 * an input without any block.
 */
export function parsePemBlocks(text: string, source?: string): PemBlock[] {
  requireString('parsePemBlocks', 'text', text);
  optionalString('parsePemBlocks', 'source', source);
  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  let open: { label: string; line: number; body: string[]; padded: boolean } | undefined;
  const fail = (code: 'PEM_MALFORMED' | 'PEM_BASE64_INVALID', line: number, message: string) => {
    throw new TrustRootError(code, `${where({ source, line })}${message}`, {
      ...(source === undefined ? {} : { source }),
      line,
    });
  };

  lines.forEach((rawLine, index) => {
    // Files concatenated without a final newline put `-----END X----------BEGIN Y-----` on
    // one line: boundaries are split out wherever they stand, keeping the line number.
    for (const segment of stripComment(rawLine).split(BOUNDARY)) {
      handle(segment.trim(), index + 1);
    }
  });

  function handle(content: string, lineNo: number): void {
    if (open === undefined) {
      if (content === '') return;
      const begin = BEGIN.exec(content);
      if (begin) {
        open = { label: begin[1] ?? '', line: lineNo, body: [], padded: false };
        return;
      }
      if (END.test(content)) fail('PEM_MALFORMED', lineNo, 'END line without a BEGIN line');
      if (content.includes('-----BEGIN') || content.includes('-----END')) {
        fail('PEM_MALFORMED', lineNo, `malformed PEM boundary: ${JSON.stringify(content)}`);
      }
      return; // free text between blocks (e.g. "subject=..." lines from openssl)
    }
    if (content === '') return;
    const end = END.exec(content);
    if (end) {
      if (end[1] !== open.label) {
        fail(
          'PEM_MALFORMED',
          lineNo,
          `END label "${end[1]}" does not match BEGIN label "${open.label}" (line ${open.line})`,
        );
      }
      blocks.push(finishBlock(open.label, open.body.join(''), open.line, source));
      open = undefined;
      return;
    }
    if (BEGIN.test(content)) {
      fail('PEM_MALFORMED', lineNo, `BEGIN line inside the block opened at line ${open.line}`);
    }
    if (/^[A-Za-z-]+:/.test(content)) {
      fail(
        'PEM_MALFORMED',
        lineNo,
        'PEM headers are not supported in a trust bundle (encrypted or annotated block)',
      );
    }
    if (!BASE64_LINE.test(content)) {
      fail('PEM_BASE64_INVALID', lineNo, `not base64: ${JSON.stringify(content.slice(0, 40))}`);
    }
    if (open.padded) fail('PEM_BASE64_INVALID', lineNo, 'base64 continues after padding');
    if (content.endsWith('=')) open.padded = true;
    open.body.push(content);
  }

  if (open !== undefined) {
    const unterminated: { label: string; line: number } = open;
    fail(
      'PEM_MALFORMED',
      unterminated.line,
      `block "${unterminated.label}" opened here is never closed`,
    );
  }
  if (blocks.length === 0) {
    throw new TrustRootError(
      'PEM_EMPTY',
      `${where({ source })}no PEM block found (expected PUBLIC KEY or CERTIFICATE blocks)`,
      {
        ...(source === undefined ? {} : { source }),
        expected: 'at least one PEM block',
        actual: 0,
      },
    );
  }
  return blocks;
}

function finishBlock(label: string, body: string, line: number, source?: string): PemBlock {
  const detail = { ...(source === undefined ? {} : { source }), line };
  if (!SUPPORTED.has(label)) {
    const why = label.includes('PRIVATE')
      ? 'private key material does not belong in a trust bundle'
      : 'a trust bundle holds only PUBLIC KEY and CERTIFICATE blocks';
    throw new TrustRootError(
      'PEM_UNSUPPORTED_BLOCK',
      `${where(detail)}unsupported PEM block "${label}": ${why}`,
      { ...detail, expected: [...SUPPORTED], actual: label },
    );
  }
  if (body.length === 0 || body.length % 4 !== 0) {
    throw new TrustRootError(
      'PEM_BASE64_INVALID',
      `${where(detail)}block "${label}" has ${body.length === 0 ? 'an empty body' : 'a base64 body whose length is not a multiple of 4'}`,
      detail,
    );
  }
  const der = fromBase64(body);
  if (toBase64(der) !== body) {
    throw new TrustRootError(
      'PEM_BASE64_INVALID',
      `${where(detail)}block "${label}" is not canonical base64`,
      detail,
    );
  }
  return { label: label as PemLabel, der, line };
}
