import { type AwsErrorContext, isServiceAnswer } from './aws-error.js';

const BEFORE_ANY_ANSWER: AwsErrorContext = Object.freeze({ credentialsResolvedBefore: false });
const AFTER_AN_ANSWER: AwsErrorContext = Object.freeze({ credentialsResolvedBefore: true });

/**
 * What a caller has seen of its SDK client: whether the service has answered any of its calls yet.
 * Until then a credentials error means the client has none (fatal); after it, credentials that
 * worked failed to refresh (an instance-metadata or container endpoint that did not answer in time),
 * which passes, so the call is retried like any transient fault (see `AwsErrorContext`). The
 * producer fails every waiting record at once only before an answer; `KinesisDeadLetterSink` likewise.
 */
export class ClientHistory {
  private answered = false;

  /** A call succeeded: the service answered it. */
  succeeded(): void {
    this.answered = true;
  }

  /** A call failed with `error`: an error the service sent is an answer too. */
  failed(error: unknown): void {
    if (isServiceAnswer(error)) this.answered = true;
  }

  /** How errors of this client's calls are to be classified (`classifyAwsError`'s context). */
  get errorContext(): AwsErrorContext {
    return this.answered ? AFTER_AN_ANSWER : BEFORE_ANY_ANSWER;
  }
}
