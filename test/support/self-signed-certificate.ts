import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A PEM key pair for an HTTPS loopback peer; clients trust `cert` through `tlsOptions: { ca: cert }`. */
export interface LoopbackCertificate {
  key: string;
  cert: string;
}

let cached: LoopbackCertificate | undefined;

/**
 * A throwaway self-signed certificate for 127.0.0.1, made once per test file with the system's
 * `openssl`. core-rest-pipeline sends bearer tokens only over https, so every TokenCredential test
 * needs a real TLS peer.
 */
export function loopbackCertificate(): LoopbackCertificate {
  if (cached) return cached;
  const dir = mkdtempSync(path.join(tmpdir(), 'wps-loopback-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
    cached = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
