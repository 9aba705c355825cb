import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const CODEC_LIBRARIES = /[\\/]node_modules[\\/](snappy|lz4-napi|@bokuweb[\\/]zstd-wasm)[\\/]/;

function loadedCodecLibraries(): string[] {
  const cache = createRequire(import.meta.url).cache;
  return Object.keys(cache).filter((path) => CODEC_LIBRARIES.test(path));
}

// Runs in its own process (one per test file), so nothing else has loaded a codec yet.
test('the protocol layer loads no codec library until a codec is asked for', async () => {
  const protocol = await import('../index.js');
  const batch = await protocol.encodeRecordBatch({ records: [{ value: Buffer.from('plain') }] });
  await protocol.decodeRecordBatches(batch);
  assert.deepEqual(loadedCodecLibraries(), []);
  await protocol.getCodec(protocol.CompressionType.Snappy);
  assert.ok(loadedCodecLibraries().some((p) => p.includes('snappy')));
  assert.ok(!loadedCodecLibraries().some((p) => p.includes('lz4-napi')));
});
