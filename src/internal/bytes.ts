/**
 * The one canonical byte writer and validating reader of medshare. The consensus, ledger and
 * protocol formats (`medshare/pbft`, `medshare/ledger`, `medshare/protocol`) use them as they are;
 * the pre / sign object format of ./codec.ts extends them with a header and group elements.
 * Integers are big-endian; a u64 holds a JavaScript safe integer; byte strings and UTF-8 strings
 * carry a u32 length prefix ({@link ByteWriter.string}), or a u16 one where a format keeps its
 * strings short ({@link ByteWriter.shortString}: the pre / sign objects, whose byte layout the
 * known-answer vectors fix). Strings are written and read with the exact UTF-8 of ./text.ts: one
 * encoding per string, a leading U+FEFF kept.
 * @module
 */
import { ArgumentValueError, EncodingError } from './errors.js';
import { utf8Decode, utf8Encode } from './text.js';

/** Appends fields to a growing buffer (doubling as needed). */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buffer.buffer);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + n) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  /** One byte; refuses anything but an integer in [0, 255]. */
  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff)
      throw new ArgumentValueError('u8', `${value} is not an integer in [0, 255]`);
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  u16(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff)
      throw new ArgumentValueError('u16', `${value} is not an integer in [0, 65535]`);
    this.reserve(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
    return this;
  }

  u32(value: number): this {
    this.reserve(4);
    this.view.setUint32(this.length, value >>> 0);
    this.length += 4;
    return this;
  }

  /** A non-negative safe integer as 8 bytes. */
  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new ArgumentValueError('u64', `${value} is not a non-negative safe integer`);
    this.reserve(8);
    this.view.setUint32(this.length, Math.floor(value / 2 ** 32));
    this.view.setUint32(this.length + 4, value >>> 0);
    this.length += 8;
    return this;
  }

  /** Raw bytes, no length prefix (for fixed-width fields such as digests). */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** u32 length, then the bytes. */
  bytes(bytes: Uint8Array): this {
    return this.u32(bytes.length).raw(bytes);
  }

  /** u32 byte length, then UTF-8; refuses a string with a lone surrogate (it would not round-trip). */
  string(value: string, field = 'string'): this {
    return this.bytes(utf8Encode(value, field));
  }

  /** u16 byte length, then UTF-8: at most 65,535 bytes; refuses a lone surrogate as {@link string} does. */
  shortString(value: string, field = 'string'): this {
    const bytes = utf8Encode(value, field);
    if (bytes.length > 0xffff) throw new ArgumentValueError(field, `${bytes.length} bytes exceeds 65535`);
    return this.u16(bytes.length).raw(bytes);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Reads fields written by {@link ByteWriter}; every defect is a RangeError naming `what`. */
export class ByteReader {
  protected offset = 0;
  private readonly view: DataView;

  constructor(
    protected readonly input: Uint8Array,
    protected readonly what: string,
  ) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  /** An {@link EncodingError} naming this reader's object and `field`. */
  protected fail(field: string, problem: string): EncodingError {
    return new EncodingError(this.what, field, problem);
  }

  private need(n: number, field: string): void {
    if (this.offset + n > this.input.length) {
      throw this.fail(field, `truncated: need ${n} bytes at offset ${this.offset}, have ${this.input.length - this.offset}`);
    }
  }

  /** The next `n` bytes, not copied (for fields parsed at once). */
  protected take(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.input.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** One byte, an integer in [min, max]. */
  u8(field: string, min = 0, max = 0xff): number {
    this.need(1, field);
    const n = this.input[this.offset++] as number;
    if (n < min || n > max) throw this.fail(field, `${n} is outside [${min}, ${max}]`);
    return n;
  }

  u16(field: string): number {
    this.need(2, field);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  u64(field: string): number {
    this.need(8, field);
    const high = this.view.getUint32(this.offset);
    const low = this.view.getUint32(this.offset + 4);
    if (high >= 2 ** 21) throw new EncodingError(this.what, field, 'exceeds the safe integer range');
    this.offset += 8;
    return high * 2 ** 32 + low;
  }

  raw(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.input.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  bytes(field: string, maxLength = 1 << 24): Uint8Array {
    const n = this.u32(field);
    if (n > maxLength) throw new EncodingError(this.what, field, `length ${n} exceeds ${maxLength}`);
    return this.raw(n, field);
  }

  /** A u32-length string of well-formed UTF-8 of at most `maxLength` bytes, decoded exactly. */
  string(field: string, maxLength = 1 << 16): string {
    return this.utf8(this.bytes(field, maxLength), field);
  }

  /** A u16-length string of well-formed UTF-8 ({@link ByteWriter.shortString}), decoded exactly. */
  shortString(field: string): string {
    return this.utf8(this.take(this.u16(field), field), field);
  }

  private utf8(bytes: Uint8Array, field: string): string {
    const value = utf8Decode(bytes);
    if (value === undefined) throw this.fail(field, 'not well-formed UTF-8');
    return value;
  }

  get remaining(): number {
    return this.input.length - this.offset;
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.offset !== this.input.length) {
      throw this.fail('trailing bytes', `${this.input.length - this.offset} trailing bytes after the last field`);
    }
  }
}

/**
 * Byte equality that returns at the first difference: for public data only (digests, signatures,
 * chain heads). Where the time taken must not depend on the bytes, use noble's `equalBytes`
 * (constant time), as the point decoder does.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte order: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
