/**
 * Zstandard for record batches, with no native build step: compression runs in zstd's own C
 * code compiled to WebAssembly (@bokuweb/zstd-wasm), decompression in fzstd, a pure-JS decoder
 * that also reads the frames without a content size that Java's streaming encoder writes.
 *
 * WebAssembly compiles asynchronously, so the encoder is loaded once when this module is first
 * imported; anything that may produce zstd batches awaits `compressionReady()` once at start-up
 * (the client on connect, the broker on start) and compresses synchronously from then on.
 */
import { compress as wasmCompress, init as loadWasmEncoder } from '@bokuweb/zstd-wasm';
import { decompress as jsDecompress } from 'fzstd';
import { TributaryError } from './errors';

/** Kafka's default zstd level. */
const ZSTD_LEVEL = 3;

let encoderLoaded = false;
const encoderLoading: Promise<void> = loadWasmEncoder().then(() => {
  encoderLoaded = true;
});

/** Resolves once every codec can compress synchronously. */
export function compressionReady(): Promise<void> {
  return encoderLoading;
}

export function zstdCompress(data: Buffer): Buffer {
  if (!encoderLoaded) {
    throw new TributaryError(
      'UNSUPPORTED_COMPRESSION_TYPE',
      'the zstd encoder is still loading; await compressionReady() before compressing with zstd',
    );
  }
  const out = wasmCompress(data, ZSTD_LEVEL);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export function zstdDecompress(data: Buffer): Buffer {
  const out = jsDecompress(data);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
