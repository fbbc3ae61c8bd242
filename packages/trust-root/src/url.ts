import { requireString } from './arguments.js';

/** The host of a log base URL without scheme or path: `https://rekor.sigstore.dev/` → `rekor.sigstore.dev`. */
export function hostOf(baseUrl: string): string {
  requireString('hostOf', 'baseUrl', baseUrl);
  const withoutScheme = baseUrl.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, '');
  return withoutScheme.split('/')[0] ?? withoutScheme;
}
