import { createHash } from 'node:crypto';
import type { VerificationSummary } from '@flareo/bundle-verify';
import { publicGoodTrustRoot } from '@flareo/trust-root';

// Rekor lookups: each transparency-log entry a module's bundles carry, with its entry UUID and,
// for an entry of Sigstore's public-good Rekor log, a link to search.sigstore.dev. Whether a
// log is the public-good one is decided by its log id (the SHA-256 of its public key): the log
// must be the `https://rekor.sigstore.dev` log of the public-good trusted root embedded in
// @flareo/trust-root. A URL in the catalog's own trusted_root.json plays no part, so a private
// log configured with a public-looking URL never gets a public link.

/** The public search UI of Sigstore's public-good Rekor. */
export const PUBLIC_SEARCH_URL = 'https://search.sigstore.dev/';

/** One Rekor entry as the API and the page show it. */
export interface RekorLookup {
  readonly logIndex: string;
  /** The log id: lowercase hex SHA-256 of the log's public key. */
  readonly logId: string;
  /** `kind/version` of the entry body (`hashedrekord/0.0.1`). */
  readonly kind: string;
  readonly integratedTime: string | null;
  /**
   * The entry UUID: lowercase hex of the RFC 6962 leaf hash of the entry body
   * (SHA-256 of 0x00 ‖ body). Rekor accepts it in `/api/v1/log/entries/{uuid}`; the 80-character
   * form prefixes the tree id, which a bundle does not carry. Null when the bundle has no body.
   */
  readonly uuid: string | null;
  /** True when the entry is in Sigstore's public-good Rekor log (decided by log id). */
  readonly publicLog: boolean;
  /** search.sigstore.dev by log index, for public-good entries only; null otherwise. */
  readonly searchUrl: string | null;
  readonly checks: VerificationSummary['tlog']['entries'][number]['checks'];
}

let publicIds: ReadonlySet<string> | undefined;

/** Log ids of the public-good Rekor v1 log (the one search.sigstore.dev indexes). */
export function publicGoodRekorLogIds(): ReadonlySet<string> {
  publicIds ??= new Set(
    publicGoodTrustRoot()
      .tlogs.filter((log) => log.baseUrl === 'https://rekor.sigstore.dev')
      .map((log) => log.logId),
  );
  return publicIds;
}

const hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

/** The bundle's raw tlog entries (`verificationMaterial.tlogEntries`), leniently read. */
function rawEntries(bundle: unknown): { logIndex?: unknown; logId?: unknown; body?: unknown }[] {
  const vm = (bundle as { verificationMaterial?: { tlogEntries?: unknown } } | null)
    ?.verificationMaterial;
  const entries = Array.isArray(vm?.tlogEntries) ? (vm.tlogEntries as unknown[]) : [];
  return entries.map((e) => {
    const entry = (e ?? {}) as {
      logIndex?: unknown;
      logId?: { keyId?: unknown };
      canonicalizedBody?: unknown;
    };
    return {
      logIndex: entry.logIndex,
      logId: typeof entry.logId?.keyId === 'string' ? hex(entry.logId.keyId) : undefined,
      body: entry.canonicalizedBody,
    };
  });
}

/**
 * The verified Rekor entries of a bundle with their UUID and public link. `summary` is what
 * @flareo/bundle-verify verified (its entries' bodies were checked against the bundle); the UUID
 * is computed from the body of the bundle entry with the same log id and index.
 */
export function rekorLookups(summary: VerificationSummary, bundle: unknown): RekorLookup[] {
  const raw = rawEntries(bundle);
  const publicLogs = publicGoodRekorLogIds();
  return summary.tlog.entries.map((entry) => {
    const match = raw.find((r) => String(r.logIndex) === entry.logIndex && r.logId === entry.logId);
    const uuid =
      typeof match?.body === 'string' && match.body.length > 0
        ? createHash('sha256')
            .update(Buffer.from([0]))
            .update(Buffer.from(match.body, 'base64'))
            .digest('hex')
        : null;
    const publicLog = publicLogs.has(entry.logId);
    return {
      logIndex: entry.logIndex,
      logId: entry.logId,
      kind: `${entry.kind}/${entry.version}`,
      integratedTime: entry.integratedTime ?? null,
      uuid,
      publicLog,
      searchUrl: publicLog
        ? `${PUBLIC_SEARCH_URL}?logIndex=${encodeURIComponent(entry.logIndex)}`
        : null,
      checks: entry.checks,
    };
  });
}
