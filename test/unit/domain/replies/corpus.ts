import { readFileSync } from 'node:fs';
import type { ReplyIntentKind, ScoreScale } from '../../../../shared/domain/replies';

/** One phrasing of test/corpus/replies.jsonl and the intent it must get. */
export interface ReplyCorpusEntry {
  text: string;
  intent: ReplyIntentKind;
  /** For survey-score: the score. */
  score?: number;
  /** For opt-out: what staff must also see. */
  alsoForStaff?: 'cancel-request' | 'reschedule';
  /** For unreadable: why. */
  reason?: string;
  /** Present when the reply answers a survey with this scale. */
  survey?: ScoreScale;
  /** Why the entry reads the way it does, where that is a decision. */
  note?: string;
}

/** The reply corpus, read once per test file. */
export const REPLY_CORPUS: readonly ReplyCorpusEntry[] = readFileSync(
  new URL('../../../corpus/replies.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as ReplyCorpusEntry);
