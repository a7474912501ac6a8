/**
 * Reads a request body as JSON with a size limit: a declared `Content-Length`
 * over the limit is refused before reading; a chunked body is counted as it
 * arrives and refused at the limit. Refusals are 413; bad JSON is 400.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { ERROR_CODES } from 'modelmaker';
import { HttpProblem, invalid } from './problem.js';

/** 413 with errorCode 4000: the body is larger than `limit` bytes. */
export function tooLarge(limit: number): HttpProblem {
  return new HttpProblem(413, ERROR_CODES.VALIDATION, `body: larger than ${limit} bytes`);
}

/**
 * Reads the body and parses it. An empty body gives `undefined` (the codec then
 * names what is missing).
 *
 * @throws HttpProblem 413 over `limit`, 400 when the body is not JSON.
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    // Let the client finish sending (discarded) so it can read the 413 answer.
    request.resume();
    throw tooLarge(limit);
  }
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Keep the stream flowing (discarding) rather than destroying the socket the answer goes out on.
        request.off('data', onData);
        request.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('body: expected JSON');
  }
}
