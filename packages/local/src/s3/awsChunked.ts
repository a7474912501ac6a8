/**
 * Decodes `Content-Encoding: aws-chunked` bodies — what `@aws-sdk/client-s3` sends for
 * a streamed PutObject (`STREAMING-UNSIGNED-PAYLOAD-TRAILER` with a checksum trailer),
 * and the signed variants (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`) other clients
 * send. s3rver 3.7.1 stores such bodies framing and all; the guard decodes them first.
 *
 * Framing: `hex-size[;chunk-signature=sig]\r\n` data `\r\n` …, then a zero-size chunk,
 * optional trailer lines `name:value\r\n`, and an empty line.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type Checksum, checksumFor, isChecksumHeader } from './checksum.js';
import { S3RequestError } from './s3Error.js';
import { chunkSignature, signaturesMatch, trailerSignature, type VerifiedSignature } from './sigv4.js';

/** `x-amz-content-sha256` values of aws-chunked bodies. */
export const STREAMING_PAYLOADS = {
  unsignedTrailer: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  signed: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  signedTrailer: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
} as const;

/** True when `payloadHash` announces an aws-chunked body. */
export function isStreamingPayload(payloadHash: string): boolean {
  return payloadHash.startsWith('STREAMING-');
}

/** Options of {@link awsChunkedDecoder}. */
export interface AwsChunkedOptions {
  /** The request's verified signature, when the chunks are signed (their chain is checked). */
  readonly signed?: VerifiedSignature | undefined;
  /** `x-amz-trailer`: the checksum header the trailer carries, checked against the decoded bytes. */
  readonly trailer?: string | undefined;
  /** `x-amz-decoded-content-length`: the decoded size, checked at the end. */
  readonly decodedLength?: number | undefined;
}

/** A size line or trailer line longer than this is not aws-chunked framing. */
const MAX_LINE_BYTES = 4096;

type State = 'size' | 'data' | 'crlf' | 'trailer' | 'done';

const bad = (message: string) => new S3RequestError(400, 'IncompleteBody', message);

/**
 * A Transform from an aws-chunked body to its decoded bytes. Fails (with an
 * {@link S3RequestError}) on broken framing, a chunk or trailer signature that does not
 * chain, a checksum that does not match (`BadDigest`), or a decoded length that differs.
 */
export function awsChunkedDecoder(options: AwsChunkedOptions = {}): Transform {
  let state: State = 'size';
  let line = Buffer.alloc(0);
  let remaining = 0;
  let declaredSignature: string | undefined;
  let previousSignature = options.signed?.signature ?? '';
  let chunkHash: Hash | undefined;
  let total = 0;
  const trailerName = options.trailer?.trim().toLowerCase() || undefined;
  // An announced trailer the store cannot check is refused here, before any byte is stored.
  const checksum: Checksum | undefined = trailerName ? checksumFor(trailerName) : undefined;
  const trailers = new Map<string, string>();
  const trailerLines: string[] = [];

  const checkChunkSignature = (hashHex: string) => {
    if (!options.signed) return;
    if (declaredSignature === undefined)
      throw bad('a signed aws-chunked body needs chunk-signature on every chunk');
    const expected = chunkSignature(options.signed, previousSignature, hashHex);
    if (!signaturesMatch(expected, declaredSignature)) {
      throw new S3RequestError(403, 'SignatureDoesNotMatch', 'a chunk signature does not match');
    }
    previousSignature = expected;
  };

  const onSizeLine = (text: string) => {
    const [sizeText = '', ...extensions] = text.split(';');
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw bad(`malformed chunk size ${JSON.stringify(sizeText)}`);
    remaining = Number.parseInt(sizeText, 16);
    declaredSignature = extensions
      .find((e) => e.startsWith('chunk-signature='))
      ?.slice('chunk-signature='.length);
    if (remaining === 0) {
      checkChunkSignature(createHash('sha256').digest('hex'));
      state = 'trailer';
    } else {
      chunkHash = options.signed ? createHash('sha256') : undefined;
      state = 'data';
    }
  };

  const onTrailerLine = (text: string) => {
    if (text === '') {
      state = 'done';
      return;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) throw bad(`malformed trailer line ${JSON.stringify(text)}`);
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      if (options.signed) {
        const expected = trailerSignature(options.signed, previousSignature, trailerLines.join(''));
        if (!signaturesMatch(expected, value)) {
          throw new S3RequestError(403, 'SignatureDoesNotMatch', 'the trailer signature does not match');
        }
      }
      return;
    }
    if (isChecksumHeader(name) && name !== trailerName) {
      // A checksum the request did not announce in x-amz-trailer is not silently ignored.
      throw new S3RequestError(
        400,
        'InvalidRequest',
        `the trailer carries ${name}, not announced in x-amz-trailer`,
      );
    }
    trailers.set(name, value);
    trailerLines.push(`${name}:${value}\n`);
  };

  /** Checks the announced trailer checksum against the decoded bytes (at the end of the body). */
  const finishTrailer = async () => {
    if (trailerName && checksum) {
      const sent = trailers.get(trailerName);
      if (sent === undefined) throw bad(`the trailer announced ${trailerName} but did not carry it`);
      const actual = await checksum.digest();
      if (sent !== actual) {
        throw new S3RequestError(
          400,
          'BadDigest',
          `the ${trailerName} you specified did not match the calculated checksum`,
        );
      }
    }
  };

  function readLine(data: Buffer, offset: number): [string | undefined, number] {
    const end = data.indexOf('\r\n', offset);
    const piece = data.subarray(offset, end < 0 ? data.length : end);
    // A "\r\n" split across two writes: the "\r" ends the kept line, the "\n" starts this one.
    if (line.length > 0 && line[line.length - 1] === 0x0d && data[offset] === 0x0a) {
      const text = line.subarray(0, line.length - 1).toString('utf8');
      line = Buffer.alloc(0);
      return [text, offset + 1];
    }
    if (end < 0) {
      line = Buffer.concat([line, piece]);
      if (line.length > MAX_LINE_BYTES) throw bad('aws-chunked framing line too long');
      return [undefined, data.length];
    }
    const text = Buffer.concat([line, piece]).toString('utf8');
    line = Buffer.alloc(0);
    return [text, end + 2];
  }

  return new Transform({
    transform(data: Buffer, _encoding, callback: TransformCallback) {
      try {
        let offset = 0;
        while (offset < data.length) {
          if (state === 'size' || state === 'trailer') {
            const [text, next] = readLine(data, offset);
            offset = next;
            if (text === undefined) break;
            if (state === 'size') onSizeLine(text);
            else onTrailerLine(text);
          } else if (state === 'data') {
            const take = Math.min(remaining, data.length - offset);
            const piece = data.subarray(offset, offset + take);
            offset += take;
            remaining -= take;
            total += take;
            chunkHash?.update(piece);
            checksum?.update(piece);
            this.push(piece);
            if (remaining === 0) {
              checkChunkSignature(chunkHash?.digest('hex') ?? '');
              state = 'crlf';
              remaining = 2;
            }
          } else if (state === 'crlf') {
            const expected = remaining === 2 ? 0x0d : 0x0a;
            if (data[offset] !== expected) throw bad('chunk data is not followed by CRLF');
            offset += 1;
            remaining -= 1;
            if (remaining === 0) state = 'size';
          } else {
            // After the final empty line only stray line breaks may follow.
            if (data[offset] !== 0x0d && data[offset] !== 0x0a) throw bad('data after the final chunk');
            offset += 1;
          }
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      const finish = async () => {
        // Some clients end the body right after the trailer lines, without the empty line.
        if (state === 'trailer' && line.length === 0) state = 'done';
        if (state !== 'done') throw bad('the aws-chunked body ended before its final chunk');
        await finishTrailer();
        if (options.decodedLength !== undefined && options.decodedLength !== total) {
          throw bad(
            `x-amz-decoded-content-length says ${options.decodedLength} bytes, the body had ${total}`,
          );
        }
      };
      finish().then(() => callback(), callback);
    },
  });
}
