/**
 * A Backend that answers with the outcomes a test gives and records every call: a verb run against
 * it shows the verb's whole conversation with wherever it acts.
 */
import type {
  Backend,
  CertificateListing,
  IssueOutcome,
  IssueRequest,
  ListCertificatesRequest,
  RegisterOutcome,
  RegisterRequest,
  RenewOutcome,
  RenewRequest,
  RevokeOutcome,
  RevokeRequest,
} from '../../../../cli/backend/index.js';
import type { DnsChoice } from '../../../../cli/dns-flags.js';

export interface FakeAnswers {
  /** @default route53 without credentials */
  readonly dns?: DnsChoice;
  readonly register?: RegisterOutcome;
  readonly issue?: IssueOutcome;
  readonly renew?: RenewOutcome;
  readonly revoke?: RevokeOutcome;
  readonly listCertificates?: CertificateListing;
}

export class FakeBackend implements Backend {
  readonly calls: { readonly method: keyof Backend; readonly request: unknown }[] = [];
  readonly #answers: FakeAnswers;

  constructor(answers: FakeAnswers) {
    this.#answers = answers;
  }

  #answer<T>(method: keyof Backend, request: unknown, answer: T | undefined): T {
    this.calls.push({ method, request });
    if (answer === undefined) throw new Error(`FakeBackend: the test gave no answer for ${method}`);
    return answer;
  }

  async dnsFromFlags(values: Record<string, unknown>): Promise<DnsChoice> {
    return this.#answer('dnsFromFlags', values, this.#answers.dns ?? { provider: 'route53', config: {} });
  }
  async register(request: RegisterRequest): Promise<RegisterOutcome> {
    return this.#answer('register', request, this.#answers.register);
  }
  async issue(request: IssueRequest): Promise<IssueOutcome> {
    return this.#answer('issue', request, this.#answers.issue);
  }
  async renew(request: RenewRequest): Promise<RenewOutcome> {
    return this.#answer('renew', request, this.#answers.renew);
  }
  async revoke(request: RevokeRequest): Promise<RevokeOutcome> {
    return this.#answer('revoke', request, this.#answers.revoke);
  }
  async listCertificates(request: ListCertificatesRequest): Promise<CertificateListing> {
    return this.#answer('listCertificates', request, this.#answers.listCertificates);
  }
}
