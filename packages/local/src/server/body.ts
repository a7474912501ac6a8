/**
 * The API server's request bodies: read with the platform's one reader
 * (`readBody.ts`: a body over the limit is 413, declared or counted as it arrives),
 * then parsed as JSON (bad JSON is 400).
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { ERROR_CODES } from 'modelmaker';
import { HttpProblem, invalid } from './problem.js';
import { BodyIncompleteError, BodyTooLargeError, readBody } from './readBody.js';

/** 413 with errorCode 4000: the body is larger than `limit` bytes. */
export function tooLarge(limit: number): HttpProblem {
  return new HttpProblem(413, ERROR_CODES.VALIDATION, `body: larger than ${limit} bytes`);
}

/**
 * Reads the body and parses it. An empty body gives `undefined` (the codec then
 * names what is missing).
 *
 * @throws HttpProblem 413 over `limit`, 400 when the body is not JSON or ends early.
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  let text: string;
  try {
    text = (await readBody(request, limit)).toString('utf8');
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw tooLarge(limit);
    if (error instanceof BodyIncompleteError) throw invalid(error.message);
    throw error;
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('body: expected JSON');
  }
}
