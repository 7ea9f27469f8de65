/**
 * A minimal Protocol Buffers writer: just what an ONNX file needs.
 *
 * A message is a sequence of fields, each a key varint (field number << 3 | wire type)
 * followed by its value: wire type 0 is a varint (integers, enums), 2 is length-delimited
 * (strings, bytes, nested messages). Varints hold 7 bits per byte, low bits first, the high
 * bit saying "more follows"; negative int64 values are written as their 64-bit two's
 * complement (10 bytes).
 */
import { encodeUtf8 } from '../io/utf8.js';

/** Builds one message; nested messages are built first and added as bytes. */
export class Message {
  private readonly parts: Uint8Array[] = [];

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.parts.push(Uint8Array.from(out));
  }

  private key(field: number, wire: 0 | 2): void {
    this.varint((field << 3) | wire);
  }

  /** An integer field (int32, int64, enum), written even when zero. */
  int(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.varint(value);
    return this;
  }

  /** A bytes field (or an already encoded nested message). */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(value.length);
    this.parts.push(value);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, encodeUtf8(value));
  }

  /** A nested message field. */
  message(field: number, value: Message): this {
    return this.bytes(field, value.finish());
  }

  /** The encoded message. */
  finish(): Uint8Array {
    let length = 0;
    for (const p of this.parts) length += p.length;
    const out = new Uint8Array(length);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}
