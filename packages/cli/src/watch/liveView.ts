/**
 * Drawing frames in place on a terminal (cursor up, clear down), the cursor hidden
 * meanwhile and shown again on close or exit.
 * @module
 */
import type { Output } from '../output.js';

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_DOWN = '\x1b[J';
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

/** Draws frames in place on a terminal: each frame replaces the one before. */
export class LiveView {
  #height = 0;
  #cursorHidden = false;
  readonly #out: Output;
  readonly #restore = () => this.#out.write(SHOW_CURSOR);

  constructor(out: Output) {
    this.#out = out;
  }

  /** Replaces the previous frame with `lines` (one write, so the terminal never shows half a frame). */
  draw(lines: readonly string[]): void {
    let text = '';
    if (!this.#cursorHidden) {
      text += HIDE_CURSOR;
      this.#cursorHidden = true;
      process.once('exit', this.#restore);
    }
    if (this.#height > 0) text += `\x1b[${this.#height}A\r`;
    text += CLEAR_DOWN;
    text += lines.map((line) => `${line}\n`).join('');
    this.#out.write(text);
    this.#height = lines.length;
  }

  /**
   * After a terminal resize the previous frame may have re-wrapped, so moving up over
   * it is no longer exact: the screen is cleared and the next frame drawn from the top.
   */
  reset(): void {
    this.#out.write(CLEAR_SCREEN);
    this.#height = 0;
  }

  /** Leaves the last frame on screen and shows the cursor again. */
  close(): void {
    if (!this.#cursorHidden) return;
    this.#out.write(SHOW_CURSOR);
    process.removeListener('exit', this.#restore);
    this.#cursorHidden = false;
  }
}
