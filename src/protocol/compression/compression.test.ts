import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CompressionType, getCodec } from './index.js';
import { createGzipCodec } from './gzip.js';
import { createSnappyCodec } from './snappy.js';
import { createLz4Codec, lz4DeclaredSize } from './lz4.js';
import { createZstdCodec, zstdDeclaredSize } from './zstd.js';
import { isXerialFramed, snappyDeclaredLength, XERIAL_MAGIC, xerialBlocks, xerialFrame } from './snappy-framing.js';
import { ProtocolError } from '../protocol-error.js';

// Full batches written by librdkafka (raw snappy, zstd without a content size, lz4 and gzip) are
// decoded in record-batch.test.ts. The fixtures below come from the reference command-line tools
// (zstd 1.5.4, lz4 1.9.4, gzip), reading the text from stdin, so none of them was made by the
// libraries under test.
const TEXT = 'The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.';
const CLI_FIXTURES: [CompressionType, string][] = [
  // zstd from stdin: streaming, so the frame has no content size, and a content checksum.
  [CompressionType.Zstd, '28b52ffd0458ad0100d40254686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e2001000d9aaa0c9db4cd6c'],
  // lz4 frame with a content checksum (FLG 0x64).
  [CompressionType.Lz4, '04224d186440a738000000ff1e54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e202d00145020646f672e0000000087752026'],
  [CompressionType.Gzip, '1f8b08000000000000030bc94855282ccd4cce56482aca2fcf5348cbaf50c82acd2d2856c82f4b2d5228014ae72456552aa4e4a7eb298490a01800a70ae99a59000000'],
];
/** `head -c 2000000 /dev/zero | zstd -c`: 2 MB behind a frame with no content size. */
const ZSTD_2MB_ZEROS_UNKNOWN_SIZE =
  '28b52ffd04585400001000000100fbff39c0020200100002001000020010000200100002001000020010000200100002001000020010000200100002001000020010000200100002001000032404000ec974d7';

const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

function samples(): Buffer[] {
  return [
    Buffer.alloc(0),
    Buffer.from('x'),
    randomBytes(100_000), // incompressible
    Buffer.from('abcdefgh'.repeat(150_000)), // 1.2 MB, very compressible, many xerial blocks
  ];
}

test('every codec round-trips empty, tiny, incompressible and large inputs', async () => {
  for (const type of CODECS) {
    const codec = await getCodec(type);
    for (const data of samples()) {
      const compressed = await codec.compress(data);
      assert.deepEqual(await codec.decompress(compressed), data, `${CompressionType[type]} ${data.length} bytes`);
    }
  }
});

test('getCodec loads each codec once; None passes bytes through; unknown types are refused', async () => {
  assert.equal(await getCodec(CompressionType.Snappy), await getCodec(CompressionType.Snappy));
  const none = await getCodec(CompressionType.None);
  const data = Buffer.from('as is');
  assert.equal(await none.compress(data), data);
  assert.equal(await none.decompress(data), data);
  await assert.rejects(getCodec(5 as CompressionType), (err: unknown) => err instanceof ProtocolError && /unknown compression type 5/.test(err.message));
});

test('data made by the reference command-line tools decompresses', async () => {
  for (const [type, hex] of CLI_FIXTURES) {
    const codec = await getCodec(type);
    assert.equal((await codec.decompress(Buffer.from(hex, 'hex'))).toString(), TEXT, CompressionType[type]);
  }
  const concatenatedMembers = Buffer.concat([gzipSync('first '), gzipSync('second')]);
  assert.equal((await (await getCodec(CompressionType.Gzip)).decompress(concatenatedMembers)).toString(), 'first second');
});

test('snappy compression writes the xerial framing in 32 KiB blocks, as the Java client does', async () => {
  const codec = await getCodec(CompressionType.Snappy);
  const data = randomBytes(100_000);
  const framed = await codec.compress(data);
  assert.ok(isXerialFramed(framed));
  assert.deepEqual(framed.subarray(0, 8), XERIAL_MAGIC);
  assert.equal(framed.readInt32BE(8), 1, 'version');
  assert.equal(framed.readInt32BE(12), 1, 'compatible version');
  const blocks = xerialBlocks(framed);
  assert.deepEqual(blocks.map(snappyDeclaredLength), [32768, 32768, 32768, 1696]);
});

test('snappy decompression accepts a raw block (librdkafka) as well as xerial framing', async () => {
  const snappy = await import('snappy');
  const codec = await getCodec(CompressionType.Snappy);
  const data = Buffer.from('raw snappy block '.repeat(100));
  const raw = await snappy.compress(data);
  assert.equal(isXerialFramed(raw), false);
  assert.deepEqual(await codec.decompress(raw), data);
  const hand = xerialFrame([await snappy.compress(data.subarray(0, 700)), await snappy.compress(data.subarray(700))]);
  assert.deepEqual(await codec.decompress(hand), data);
  assert.deepEqual(await codec.decompress(xerialFrame([])), Buffer.alloc(0));
});

test('snappy rejects truncated framing and oversize declared lengths before decompressing', async () => {
  const codec = await createSnappyCodec({ maxDecompressedBytes: 1000 });
  const truncated = Buffer.concat([xerialFrame([]), Buffer.from([0, 0, 0, 9, 1, 2])]);
  await assert.rejects(codec.decompress(truncated), /xerial block of 9 bytes/);
  const negative = Buffer.concat([xerialFrame([]), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
  await assert.rejects(codec.decompress(negative), /xerial block of -1 bytes/);
  await assert.rejects(codec.decompress(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])), /declares 4294967295 uncompressed bytes/);
  await assert.rejects(codec.decompress(Buffer.from([0xe9, 0x07, 0x00])), /declares 1001 uncompressed bytes, above the 1000-byte limit/);
  await assert.rejects(codec.decompress(Buffer.from([0x05, 0xff, 0xff])), ProtocolError);
  await assert.rejects(codec.decompress(Buffer.alloc(0)), ProtocolError);
});

test('zstd frames without a content size decompress by growing the output buffer', async () => {
  const codec = await getCodec(CompressionType.Zstd);
  const input = Buffer.from(ZSTD_2MB_ZEROS_UNKNOWN_SIZE, 'hex');
  assert.equal(zstdDeclaredSize(input), null);
  const out = await codec.decompress(input);
  assert.equal(out.length, 2_000_000);
  assert.ok(out.every((b) => b === 0));
  const small = await createZstdCodec({ maxDecompressedBytes: 1_000_000 });
  await assert.rejects(small.decompress(input), ProtocolError);
});

test('zstd reads the declared content size and refuses one above the limit', async () => {
  const codec = await createZstdCodec({ maxDecompressedBytes: 4096 });
  const compressed = await codec.compress(Buffer.alloc(3000, 1));
  assert.equal(zstdDeclaredSize(compressed), 3000);
  // Single-segment frame with an 8-byte content size of 2^40.
  const huge = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0, 0x01, 0x00, 0x00]);
  assert.equal(zstdDeclaredSize(huge), 2 ** 40);
  await assert.rejects(codec.decompress(huge), /declares 1099511627776 bytes, above the 4096-byte limit/);
  await assert.rejects(codec.decompress(Buffer.from('not zstd at all')), /does not start with a zstd frame/);
  await assert.rejects(codec.decompress(compressed.subarray(0, compressed.length - 3)), ProtocolError);
});

test('lz4 reads a declared content size, enforces the limit and reports corrupt frames', async () => {
  const codec = await createLz4Codec({ maxDecompressedBytes: 1000 });
  const frame = await codec.compress(Buffer.alloc(5000, 3));
  assert.equal(lz4DeclaredSize(frame), null, 'like the Java client, no content size');
  await assert.rejects(codec.decompress(frame), /expands to 5000 bytes, above the 1000-byte limit/);
  const declared = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]);
  assert.equal(lz4DeclaredSize(declared), 2 ** 32);
  await assert.rejects(codec.decompress(declared), /declares 4294967296 bytes/);
  await assert.rejects(codec.decompress(Buffer.from('not an lz4 frame')), /does not start with an LZ4 frame/);
  await assert.rejects(codec.decompress(frame.subarray(0, frame.length - 4)), ProtocolError);
});

test('gzip stops at the output limit and reports corrupt streams as ProtocolError', async () => {
  const codec = createGzipCodec({ maxDecompressedBytes: 10_000 });
  await assert.rejects(codec.decompress(gzipSync(Buffer.alloc(20_000))), ProtocolError);
  assert.equal((await codec.decompress(gzipSync(Buffer.alloc(10_000)))).length, 10_000);
  await assert.rejects(codec.decompress(Buffer.from('not gzip')), /gzip: cannot decompress/);
});
