import { sanitizeProblem, type AcmeProblem } from '../acme/errors.js';
import { sanitizeDisplayText } from '../text/index.js';

/** Characters kept of a failed step's message: it may quote a CA or DNS API, and Step Functions caps a Cause at 32 KB. */
const STEP_MESSAGE_MAX_LENGTH = 4000;

/**
 * What crosses from a failed step to the state machine's failure path. Step Functions keeps only
 * the error's name (`Error`, matched by Retry/Catch) and a text `Cause`; Lambda's Node.js runtime
 * puts just `errorType`, `errorMessage` and `trace` in it. To keep the ACME problem document (with
 * subproblems) for the failed event, the Lambda shells rethrow errors through {@link toStepError},
 * whose message is this JSON.
 */
export interface StepErrorPayload {
  readonly message: string;
  readonly problem?: AcmeProblem;
  readonly retryAfterSeconds?: number;
}

/** An error with the same literal name, whose message carries the problem as JSON. */
export function toStepError(err: unknown): Error {
  if (!(err instanceof Error)) return Object.assign(new Error(String(err)), { name: 'Error' });
  const problem = (err as { problem?: AcmeProblem }).problem;
  const retryAfterSeconds = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
  const payload: StepErrorPayload = {
    // The failure state, the failed event and the printed outcome all read this: sanitised once, here.
    message: sanitizeDisplayText(err.message, STEP_MESSAGE_MAX_LENGTH),
    ...(problem ? { problem: sanitizeProblem(problem) } : {}),
    ...(typeof retryAfterSeconds === 'number' ? { retryAfterSeconds } : {}),
  };
  const wrapped = new Error(JSON.stringify(payload));
  wrapped.name = err.name;
  return wrapped;
}

/** Reads a {@link StepErrorPayload} back from a message, or treats the message as plain text. */
export function parseStepErrorMessage(message: string): StepErrorPayload {
  try {
    const parsed = JSON.parse(message) as Partial<StepErrorPayload>;
    if (parsed && typeof parsed === 'object' && typeof parsed.message === 'string') return parsed as StepErrorPayload;
  } catch {
    // plain text
  }
  return { message };
}
