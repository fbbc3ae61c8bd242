import { createHmac } from 'node:crypto';

/**
 * Deterministic byte stream derived from a seed and a label (HMAC-SHA256 in counter mode).
 * Every piece of minted material takes its randomness from here, so the same seed always
 * yields the same keys, serial numbers and certificates.
 */
export function seededBytes(seed: string, label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (let counter = 0; offset < length; counter++) {
    const block = createHmac('sha256', seed).update(`${label}\u0000${counter}`).digest();
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset);
    offset += block.length;
  }
  return out;
}

/** A deterministic random-bytes source for algorithms that draw repeatedly (RSA primes). */
export class SeededStream {
  private counter = 0;
  constructor(
    private readonly seed: string,
    private readonly label: string,
  ) {}
  next(length: number): Uint8Array {
    this.counter += 1;
    return seededBytes(this.seed, `${this.label}#${this.counter}`, length);
  }
}
