import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export interface StaticAsset {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** Gzipped body, when smaller. */
  readonly gzip: Buffer | null;
  /** Strong ETag from the content hash. */
  readonly etag: string;
  /** The first hex digits of the hash, for cache-busting URLs. */
  readonly version: string;
}

/**
 * The dashboard's files (built into dist next to this module, uPlot copied in from its npm
 * package at build time: nothing is fetched from a CDN), read once at start, hashed for ETags and
 * versioned URLs, and gzipped.
 */
export function loadStaticAssets(dir = fileURLToPath(new URL('./web/', import.meta.url))): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    const body = readFileSync(join(dir, name));
    const hash = createHash('sha256').update(body).digest('hex');
    const zipped = contentType.startsWith('image/png') ? null : gzipSync(body, { level: 9 });
    assets.set(name, {
      name, contentType, body,
      gzip: zipped !== null && zipped.length < body.length ? zipped : null,
      etag: `"${hash.slice(0, 32)}"`,
      version: hash.slice(0, 12),
    });
  }
  return assets;
}
