/**
 * The exit statuses of `modelmaker`, and how job and service outcomes map to them.
 * Documented in docs/cli.md; scripts may rely on them.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success; a watched job ended FINISH; a deployed service is RUNNING |
 * | 1 | an error: the platform refused, network, timeout, authentication, storage |
 * | 2 | usage: bad arguments or options, a spec file that is not valid, invalid parameters |
 * | 3 | a watched job failed (STARTING_FAIL, TRAINING_FAIL); a service FAILED |
 * | 4 | a watched job was STOPPED |
 * | 130 | interrupted (Ctrl-C, SIGINT); a job is left running unless `--stop` was given |
 * @module
 */
import { isTerminalTrainStatus } from 'modelmaker';

/** The exit statuses by name. */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  FAILED: 3,
  STOPPED: 4,
  INTERRUPTED: 130,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The exit status mirroring a training status: 0 for FINISH, 4 for STOPPED, 3 for the
 * other terminal statuses (STARTING_FAIL, TRAINING_FAIL), 1 for a status that is not
 * terminal (the watch ended without an outcome).
 */
export function exitCodeOfTrainStatus(status: string): ExitCode {
  if (status === 'FINISH') return EXIT.OK;
  if (status === 'STOPPED') return EXIT.STOPPED;
  if (isTerminalTrainStatus(status)) return EXIT.FAILED;
  return EXIT.ERROR;
}

/** The exit status of a service that settled in `status` when `wanted` was asked for: 0, 3 for FAILED, 1 otherwise. */
export function exitCodeOfServiceStatus(status: string, wanted: string): ExitCode {
  if (status === wanted) return EXIT.OK;
  if (status === 'FAILED') return EXIT.FAILED;
  return EXIT.ERROR;
}
