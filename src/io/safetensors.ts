/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * header {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}},
 * then the tensor bytes (little-endian). wasmnn writes and reads F32 tensors and I64 tensors
 * (integers such as BatchNorm's num_batches_tracked, exact up to 2^53).
 *
 * Files are untrusted input: the reader checks the whole header — JSON without duplicate or
 * prototype keys, dtypes, shapes, offsets inside the file, contiguous and non-overlapping — before
 * it allocates anything, and every size it allocates is bounded by the file's own length.
 */
import { ValueError } from '../errors.js';
import { sizeOf } from '../shape.js';
import { parseStrictJson, type JsonValue } from './strict-json.js';

/** Element types wasmnn reads and writes. */
export type SafetensorsDtype = 'F32' | 'I64';

/** One tensor of a safetensors file: F32 values (the default) or I64 integers (as a Float64Array of exact integers). */
export interface NamedArray {
  shape: number[];
  data: Float32Array | Float64Array | ArrayLike<number>;
  /** Default 'F32'. */
  dtype?: SafetensorsDtype;
}

/** A tensor read from a file. */
export type DecodedArray =
  | { shape: number[]; data: Float32Array; dtype: 'F32' }
  | { shape: number[]; data: Float64Array; dtype: 'I64' };

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, I64: 8 };
const MAX_HEADER = 100 * 1024 * 1024;
const MAX_DIMS = 16;

/** Encodes tensors (in key order) and optional string metadata; every value is checked first. */
export function encodeSafetensors(tensors: Record<string, NamedArray>, metadata?: Record<string, string>): Uint8Array {
  const where = 'encodeSafetensors';
  if (!tensors || typeof tensors !== 'object') throw new ValueError(`${where}: tensors must be an object of { shape, data }`);
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) {
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) throw new ValueError(`${where}: metadata must be an object of strings`);
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new ValueError(`${where}: metadata.${k} must be a string, got ${typeof v}`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === '__metadata__' || name === '__proto__' || name === '') throw new ValueError(`${where}: ${JSON.stringify(name)} cannot name a tensor`);
    if (!t || typeof t !== 'object' || !Array.isArray(t.shape) || !t.data || typeof t.data.length !== 'number') {
      throw new ValueError(`${where}: '${name}' must be { shape, data }`);
    }
    const dtype = t.dtype ?? 'F32';
    if (dtype !== 'F32' && dtype !== 'I64') throw new ValueError(`${where}: '${name}' has dtype ${JSON.stringify(dtype)}; wasmnn writes F32 and I64`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ValueError(`${where}: '${name}' has an invalid shape ${JSON.stringify(t.shape)}`);
    const size = sizeOf(t.shape);
    if (size !== t.data.length) throw new ValueError(`${where}: '${name}' has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    for (let i = 0; i < size; i++) {
      const v = t.data[i]!;
      const ok = dtype === 'F32' ? typeof v === 'number' && (Number.isNaN(v) || Number.isFinite(Math.fround(v)) || !Number.isFinite(v))
        : Number.isSafeInteger(v);
      if (!ok) throw new ValueError(`${where}: '${name}' has ${String(v)} at index ${i}, which ${dtype === 'F32' ? 'is not a float32 (it would become Infinity)' : 'is not an integer within ±2^53'}`);
    }
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
  for (const [, t] of entries) {
    if ((t.dtype ?? 'F32') === 'I64') {
      for (let i = 0; i < t.data.length; i++, at += 8) view.setBigInt64(at, BigInt(t.data[i]!), true);
    } else {
      for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true);
    }
  }
  return out;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Checks one header entry against the data length; allocates nothing. */
function checkEntry(name: string, entry: JsonValue, dataLength: number): Entry {
  const w = 'safetensors';
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new ValueError(`${w}: '${name}' must be an object { dtype, shape, data_offsets }`);
  for (const key of Object.keys(entry)) {
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') throw new ValueError(`${w}: '${name}' has an unknown field '${key}'`);
  }
  const { dtype, shape, data_offsets: offsets } = entry as { dtype?: JsonValue; shape?: JsonValue; data_offsets?: JsonValue };
  if (dtype !== 'F32' && dtype !== 'I64') throw new ValueError(`${w}: '${name}' has dtype ${JSON.stringify(dtype)}; wasmnn reads F32 and I64`);
  if (!Array.isArray(shape) || shape.length > MAX_DIMS || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new ValueError(`${w}: '${name}' has an invalid shape ${JSON.stringify(shape)} (at most ${MAX_DIMS} non-negative integer dimensions)`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
    throw new ValueError(`${w}: '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new ValueError(`${w}: '${name}' has data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes of the file (truncated or corrupt)`);
  }
  // The element count, bounded by the bytes it must occupy (no overflow, no huge number).
  let size = 1;
  for (const d of shape as number[]) {
    size *= d;
    if (size > dataLength) break;
  }
  if (size * BYTES[dtype] !== end - begin) {
    throw new ValueError(`${w}: '${name}' has ${end - begin} bytes for shape [${(shape as number[]).join(', ')}] of ${dtype} (needs ${size > dataLength ? 'more than the file holds' : size * BYTES[dtype]})`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** Decodes and validates a safetensors file; throws ValueError naming what is wrong. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Record<string, DecodedArray>; metadata: Record<string, string> } {
  const w = 'safetensors';
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`${w}: expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 8) throw new ValueError(`${w}: file too short (${bytes.length} bytes): no header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    throw new ValueError(`${w}: header length ${n} does not fit in a file of ${bytes.length} bytes (truncated or not safetensors)`);
  }
  const headerLength = Number(n);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new ValueError(`${w}: the header is not valid UTF-8`);
  }
  const header = parseStrictJson(`${w}: header`, text);
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new ValueError(`${w}: the header is not a JSON object`);
  const dataStart = 8 + headerLength, dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = Object.create(null);
  const entries: Entry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new ValueError(`${w}: __metadata__ must be an object of strings, got ${Array.isArray(entry) ? 'an array' : JSON.stringify(entry)}`);
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new ValueError(`${w}: __metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(checkEntry(name, entry, dataLength));
  }
  // The data must be covered exactly once, in some order: no overlap (which would let a small
  // file decode into many copies of its data), no gaps, no trailing bytes.
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of ordered) {
    if (e.begin !== covered) throw new ValueError(`${w}: '${e.name}' starts at byte ${e.begin}, expected ${covered} (overlapping or gapped data)`);
    covered = e.end;
  }
  if (covered !== dataLength) throw new ValueError(`${w}: ${dataLength - covered} trailing bytes after the last tensor`);
  // Everything checked; the allocations below add up to at most the file's data length.
  const tensors: Record<string, DecodedArray> = Object.create(null);
  for (const e of entries) {
    const at = dataStart + e.begin;
    if (e.dtype === 'F32') {
      const data = new Float32Array((e.end - e.begin) / 4);
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(at + 4 * i, true);
      tensors[e.name] = { shape: e.shape, data, dtype: 'F32' };
    } else {
      const data = new Float64Array((e.end - e.begin) / 8);
      for (let i = 0; i < data.length; i++) {
        const v = view.getBigInt64(at + 8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new ValueError(`${w}: '${e.name}' holds ${v} at index ${i}, beyond the integers a number holds exactly (±2^53)`);
        }
        data[i] = Number(v);
      }
      tensors[e.name] = { shape: e.shape, data, dtype: 'I64' };
    }
  }
  return { tensors, metadata };
}
