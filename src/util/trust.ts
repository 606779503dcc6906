import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import type { SecureContext } from 'node:tls';

/** One PEM certificate block. */
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates Node trusts by default: its bundled roots and NODE_EXTRA_CA_CERTS (and, on newer Node, the system's when asked for). */
function defaultCertificates(): string[] {
  // Node 22.15 and later tell it whole; before, it is the bundled roots and the extra file, read as Node reads it.
  const all = (tls as { getCACertificates?: (type: 'default') => string[] }).getCACertificates;
  if (all) return all('default');
  const extraFile = process.env['NODE_EXTRA_CA_CERTS'];
  let extra: string[] = [];
  try {
    extra = extraFile ? (readFileSync(extraFile, 'utf8').match(PEM_BLOCK) ?? []) : [];
  } catch {
    // Node has already warned at start that it cannot read the file.
  }
  return [...tls.rootCertificates, ...extra];
}

/**
 * What a connection trusts with `--ca`: Node's default certificates and the PEM's as well, in one secure
 * context made once. Given as `ca` alone, a PEM would replace them, and a public server (an S3 bucket, a
 * file host) would no longer be trusted where the endpoint's private CA is. Undefined without `--ca`:
 * Node's default then applies as it is.
 */
export function trustedContext(ca: string | undefined): SecureContext | undefined {
  return ca === undefined ? undefined : tls.createSecureContext({ ca: [...defaultCertificates(), ca] });
}
