/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * header {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}},
 * then the tensor bytes (little-endian). wasmnn writes and reads F32 tensors, and I64 for integer
 * buffers (torch's int64 num_batches_tracked), held as numbers in a Float32Array (exact up to
 * 2²⁴). The reader checks everything the format promises before returning anything.
 */
import { ValueError } from '../errors.js';
import { sizeOf } from '../shape.js';

/** One tensor of a safetensors file. */
export interface NamedArray {
  shape: number[];
  data: Float32Array;
  /** Stored element type: 'F32' (default) or 'I64' (integers). */
  dtype?: 'F32' | 'I64';
}

const BYTES = { F32: 4, I64: 8 } as const;

const MAX_HEADER = 100 * 1024 * 1024;

/** Encodes float32 arrays (in key order) and optional string metadata. */
export function encodeSafetensors(tensors: Record<string, NamedArray>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const size = sizeOf(t.shape);
    if (size !== t.data.length) throw new ValueError(`safetensors: '${name}' has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    const dtype = t.dtype ?? 'F32';
    if (dtype === 'I64' && !t.data.every((v) => Number.isInteger(v))) throw new ValueError(`safetensors: '${name}' is I64 but holds a non-integer`);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + BYTES[dtype] * size] };
    offset += BYTES[dtype] * size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // align the data to 8 bytes
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of Object.values(tensors)) {
    const i64 = t.dtype === 'I64';
    const bytes = new Uint8Array(t.data.length * (i64 ? 8 : 4));
    const dv = new DataView(bytes.buffer);
    t.data.forEach((v, i) => (i64 ? dv.setBigInt64(8 * i, BigInt(v), true) : dv.setFloat32(4 * i, v, true)));
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** Decodes and validates a safetensors file; throws ValueError naming what is wrong. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Record<string, NamedArray>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`safetensors: expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < 8) throw new ValueError(`safetensors: file too short (${bytes.length} bytes): no header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.length) {
    throw new ValueError(`safetensors: header length ${n} does not fit in a file of ${bytes.length} bytes (truncated or not safetensors)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new ValueError(`safetensors: the header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new ValueError('safetensors: the header is not a JSON object');
  const dataStart = 8 + n, dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: Record<string, NamedArray> = {};
  const ranges: Array<[number, number, string]> = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!entry || typeof entry !== 'object') throw new ValueError('safetensors: __metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new ValueError(`safetensors: __metadata__.${k} must be a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e?.dtype !== 'F32' && e?.dtype !== 'I64') throw new ValueError(`safetensors: '${name}' has dtype ${JSON.stringify(e?.dtype)}; wasmnn reads F32 and I64`);
    const dtype = e.dtype, width = BYTES[dtype];
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ValueError(`safetensors: '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw new ValueError(`safetensors: '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const size = sizeOf(e.shape as number[]);
    if (end - begin !== width * size) throw new ValueError(`safetensors: '${name}' has ${end - begin} bytes for shape [${(e.shape as number[]).join(', ')}] (needs ${width * size})`);
    if (end > dataLength) throw new ValueError(`safetensors: '${name}' ends at byte ${end} but the data has ${dataLength} bytes (truncated file)`);
    ranges.push([begin, end, name]);
    const data = new Float32Array(size);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    if (dtype === 'I64') {
      for (let i = 0; i < size; i++) {
        const v = dv.getBigInt64(8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new ValueError(`safetensors: '${name}' holds ${v}, outside the safe integer range`);
        data[i] = Number(v);
      }
      tensors[name] = { shape: e.shape as number[], data, dtype };
    } else {
      for (let i = 0; i < size; i++) data[i] = dv.getFloat32(4 * i, true);
      tensors[name] = { shape: e.shape as number[], data };
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [begin, end, name] of ranges) {
    if (begin !== covered) throw new ValueError(`safetensors: '${name}' starts at byte ${begin}, expected ${covered} (overlapping or gapped data)`);
    covered = end;
  }
  if (covered !== dataLength) throw new ValueError(`safetensors: ${dataLength - covered} trailing bytes after the last tensor`);
  return { tensors, metadata };
}
