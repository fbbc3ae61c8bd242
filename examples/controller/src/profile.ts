import type { Profile } from './config.js';

/** What the controller does with a module that arrives without a signature. */
export interface SigningRequirement {
  /** `true`: a module must carry a signature that verifies (fail-closed). */
  readonly enforced: boolean;
  /** `true` when unsigned modules are accepted only with a WARN in the audit log. */
  readonly warn: boolean;
  /** Which rule of the profile table decided, for logs and the docs. */
  readonly because: string;
}

/**
 * The profile defaults table of the module-signing spec, as a pure function.
 *
 * | profile     | required not set | required=false            | required=true                                        |
 * | ----------- | ---------------- | ------------------------- | ---------------------------------------------------- |
 * | development | unsigned allowed | unsigned allowed          | unsigned allowed while `allowUnsignedDevelopment` (default true) |
 * | production  | fail-closed      | unsigned allowed (warned) | fail-closed                                          |
 *
 * `allowUnsignedDevelopment` only relaxes `required: true` in development; setting it to
 * `false` there makes a development controller enforce signatures like production. It has no
 * effect in production, nor when `required` is unset or false (nothing to relax).
 */
export function resolveSigningRequirement(
  profile: Profile,
  required?: boolean,
  allowUnsignedDevelopment?: boolean,
): SigningRequirement {
  if (profile === 'development') {
    if (required === true) {
      return (allowUnsignedDevelopment ?? true)
        ? {
            enforced: false,
            warn: false,
            because:
              'development + required=true: allowUnsignedDevelopment (default true) allows unsigned modules',
          }
        : {
            enforced: true,
            warn: false,
            because: 'development + required=true + allowUnsignedDevelopment=false: fail-closed',
          };
    }
    return {
      enforced: false,
      warn: false,
      because: `development + required ${required === undefined ? 'not set' : '=false'}: unsigned modules allowed`,
    };
  }
  if (required === false) {
    return {
      enforced: false,
      warn: true,
      because: 'production + required=false: unsigned modules allowed, warned in the audit log',
    };
  }
  return {
    enforced: true,
    warn: false,
    because: `production + required ${required === undefined ? 'not set' : '=true'}: fail-closed`,
  };
}
