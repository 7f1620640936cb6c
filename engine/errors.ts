import type { AcmeProblem } from '../shared/acme/index.js';

/**
 * Errors of the local engine. Names are literals (ARCHITECTURE.md, "Error model"): the CLI and
 * tests match on them.
 */

/**
 * A Task state of a definition has no local handler. aws-local-stepfunctions would invoke the
 * real Lambda (or service integration) named by its `Resource` with whatever AWS credentials the
 * machine has, so the engine refuses to start instead.
 *
 * @example
 * ```ts
 * try { bindTaskStates(definition, {}); } catch (err) {
 *   if (err instanceof UnboundTaskError) console.error(err.states); // ['PrepareOrder', ...]
 * }
 * ```
 */
export class UnboundTaskError extends Error {
  /** The Task states without a handler, in definition order. */
  readonly states: readonly string[];

  constructor(states: readonly string[], options: { definition?: string } = {}) {
    super(
      `${options.definition ? `The ${options.definition} definition has` : 'The definition has'} Task state(s) with no local handler: ` +
        `${states.join(', ')}. Every Task must be bound to a local handler; an unbound Task would call AWS.`,
    );
    this.name = 'UnboundTaskError';
    this.states = [...states];
  }
}

/**
 * A state the local runner cannot run and the engine did not substitute (a Distributed Map, an
 * `ItemReader`/`ResultWriter`, a JSONata state), or a definition that is not what the engine expects.
 */
export class UnsupportedDefinitionError extends Error {
  readonly state?: string;

  constructor(message: string, options: { state?: string } = {}) {
    super(message);
    this.name = 'UnsupportedDefinitionError';
    if (options.state !== undefined) this.state = options.state;
  }
}

/** The acme-dns registrations file is missing or not certbot's `acmedns.json` format. Never quotes a password. */
export class AcmeDnsCredentialsError extends Error {
  readonly path: string;

  constructor(path: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      `The acme-dns registrations file ${path} ${reason}. It must hold certbot's acmedns.json format: ` +
        '{ "example.com": { "username": "...", "password": "...", "fulldomain": "...", "subdomain": "...", "server_url": "..." } }.',
      { ...(options.cause === undefined ? {} : { cause: options.cause }) },
    );
    this.name = 'AcmeDnsCredentialsError';
    this.path = path;
  }
}

/**
 * A handler module exists but does not export `makeHandler` (or could not be loaded). The Task
 * states of that step stay unbound, so the run stops with {@link UnboundTaskError} listing them.
 */
export class HandlerModuleError extends Error {
  readonly folder: string;

  constructor(folder: string, reason: string, options: { cause?: unknown } = {}) {
    super(`functions/${folder}/handler: ${reason}`, { ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.name = 'HandlerModuleError';
    this.folder = folder;
  }
}

/** What failed, as outcomes and the errors below report it (never a secret: the CA's problem is public). */
export interface EngineFailure {
  /** The error's literal name (`AcmeProblemError`, `DnsPropagationTimeoutError`, ...). */
  readonly name: string;
  readonly message: string;
  /** The ACME problem document (RFC 8555 §6.7), subproblems included, when the CA sent one. */
  readonly problem?: AcmeProblem;
  /** What to do about the problem, in English and Japanese (`explainProblem`). */
  readonly explanation?: { readonly en: string; readonly ja: string };
  /** The state machine step that failed (`PrepareOrder`, `PollAuthorizations`, ...), when known. */
  readonly step?: string;
}

/** The sweep execution itself failed (planning or completing it; a failed lineage does not fail the sweep). */
export class SweepFailedError extends Error {
  readonly failure: EngineFailure;
  readonly executionName: string;

  constructor(executionName: string, failure: EngineFailure) {
    super(`The renewal sweep ${executionName} failed: ${failure.name}: ${failure.message}`);
    this.name = 'SweepFailedError';
    this.failure = failure;
    this.executionName = executionName;
  }
}

/** The revocation execution failed (the CA refused, the lineage has no certificate, ...). */
export class RevocationFailedError extends Error {
  readonly failure: EngineFailure;
  readonly executionName: string;

  constructor(executionName: string, failure: EngineFailure) {
    super(`The revocation ${executionName} failed: ${failure.name}: ${failure.message}`);
    this.name = 'RevocationFailedError';
    this.failure = failure;
    this.executionName = executionName;
  }
}

/** The RenewDue stand-in found no plan for its sweep (PlanRenewals said something was due but wrote none). */
export class SweepPlanMissingError extends Error {
  readonly sweepId: string;

  constructor(sweepId: string) {
    super(`No renewal plan was written for the sweep ${sweepId}, though PlanRenewals reported due lineages.`);
    this.name = 'SweepPlanMissingError';
    this.sweepId = sweepId;
  }
}
