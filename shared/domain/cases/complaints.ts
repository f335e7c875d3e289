/**
 * Reading a patient's words as a complaint: a word and phrase list (en and
 * es built in, a clinic adds its own or turns a built-in off), matched on
 * the words the reply grammar sees (normaliseReply), never a model. A
 * phrase counts only when no negation comes shortly before it in the same
 * clause: "not rude at all" and "no complaints" open nothing.
 */
import { foldPhrase, normaliseReply } from '../replies/normalise';

/** What a case is about (issue 13). */
export const CASE_CATEGORIES = [
  'scheduling',
  'communication',
  'billing',
  'education',
  'wait-time',
  'staff',
  'other',
] as const;
export type CaseCategory = (typeof CASE_CATEGORIES)[number];

/** Built-in phrases by the category they point to, written as patients type them (folded at load). */
const BUILT_IN: Record<CaseCategory, { en: readonly string[]; es: readonly string[] }> = {
  other: {
    en: [
      'complaint',
      'complaints',
      'complain',
      'complaining',
      'unacceptable',
      'terrible',
      'horrible',
      'awful',
      'worst',
      'disappointed',
      'disappointing',
      'not happy',
      'unhappy',
      'upset',
      'angry',
      'furious',
      'disgusted',
      'ridiculous',
      'never again',
      'poor service',
      'bad service',
      'bad experience',
      'lawyer',
      'lawsuit',
    ],
    es: [
      'queja',
      'quejas',
      'quejarme',
      'reclamo',
      'reclamación',
      'inaceptable',
      'pésimo',
      'pésima',
      'muy mal',
      'mal servicio',
      'mala experiencia',
      'decepcionado',
      'decepcionada',
      'molesto',
      'molesta',
      'enojado',
      'enojada',
      'indignado',
      'indignada',
      'nunca más',
      'abogado',
    ],
  },
  'wait-time': {
    en: [
      'long wait',
      'waited for',
      'waited over',
      'waited hours',
      'kept waiting',
      'kept me waiting',
      'still waiting',
      'wait was too long',
    ],
    es: ['esperé mucho', 'tuve que esperar', 'horas esperando', 'mucho tiempo esperando', 'larga espera'],
  },
  staff: {
    en: ['rude', 'disrespectful', 'unprofessional', 'ignored me', 'yelled at me'],
    es: ['grosero', 'grosera', 'maleducado', 'mal educado', 'falta de respeto', 'me ignoraron'],
  },
  billing: {
    en: [
      'overcharged',
      'double charged',
      'charged twice',
      'wrong bill',
      'billing error',
      'surprise bill',
      'refund',
    ],
    es: ['cobraron de más', 'cobro doble', 'me cobraron dos veces', 'factura equivocada', 'reembolso'],
  },
  communication: {
    en: ['no one called', 'nobody called', 'never called back', 'never heard back', 'no response'],
    es: ['nadie me llamó', 'nunca me llamaron', 'no me llamaron', 'sin respuesta'],
  },
  scheduling: {
    en: ['cancelled on me', 'canceled on me', 'lost my appointment', 'double booked'],
    es: ['cancelaron mi cita', 'perdieron mi cita'],
  },
  education: {
    en: ['nobody explained', 'no one explained', 'didnt explain'],
    es: ['nadie me explicó', 'no me explicaron'],
  },
};

/** Words that, shortly before a phrase in its clause, mean the patient says the opposite. */
const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'without',
  'isnt',
  'wasnt',
  'arent',
  'werent',
  'nunca',
  'nada',
  'sin',
  'ni',
]);

/** How many words before a phrase a negation still reaches ("not at all rude"). */
const NEGATION_REACH = 3;

interface Phrase {
  words: readonly string[];
  category: CaseCategory;
}

const BUILT_IN_PHRASES: ReadonlyMap<string, Phrase> = new Map(
  Object.entries(BUILT_IN).flatMap(([category, byLanguage]) =>
    [...byLanguage.en, ...byLanguage.es].map((text): [string, Phrase] => {
      const folded = foldPhrase(text);
      return [folded, { words: folded.split(' '), category: category as CaseCategory }];
    }),
  ),
);

/**
 * True when a folded phrase is one of the built-in complaint phrases.
 *
 * @param folded - the phrase as foldPhrase() gives it
 */
export function builtInComplaintPhrase(folded: string): boolean {
  return BUILT_IN_PHRASES.has(folded);
}

/** A clinic's changes to the built-in list (`policy.cases.complaintPhrases`). */
export interface ComplaintPhrases {
  add: readonly string[];
  remove: readonly string[];
}

/** What made a text read as a complaint. */
export interface ComplaintMatch {
  /** The phrase, folded (`kept waiting`). */
  phrase: string;
  /** The category its phrase points to; `other` for general or clinic-added wording. */
  category: CaseCategory;
}

function phrasesFor(clinic: ComplaintPhrases): Phrase[] {
  const removed = new Set(clinic.remove.map(foldPhrase));
  const added = clinic.add.map(foldPhrase).filter((folded) => folded !== '');
  return [
    ...[...BUILT_IN_PHRASES].filter(([folded]) => !removed.has(folded)).map(([, phrase]) => phrase),
    ...added.map((folded): Phrase => ({ words: folded.split(' '), category: 'other' })),
  ];
}

function matchesAt(clause: readonly string[], at: number, words: readonly string[]): boolean {
  return words.every((word, offset) => clause[at + offset] === word);
}

function negatedAt(clause: readonly string[], at: number): boolean {
  return clause.slice(Math.max(0, at - NEGATION_REACH), at).some((word) => NEGATIONS.has(word));
}

/**
 * Whether a patient's text reads as a complaint, and what about. Pure and
 * total. A phrase in a specific category wins over general wording, so
 * "terrible, I waited for 2 hours" is about wait time.
 *
 * @param text - the reply or comment as received
 * @param clinic - the clinic's additions and removals
 * @returns the first specific match, else the first general one; undefined when none
 */
export function detectComplaint(
  text: string,
  clinic: ComplaintPhrases = { add: [], remove: [] },
): ComplaintMatch | undefined {
  const { clauses } = normaliseReply(text);
  const phrases = phrasesFor(clinic);
  let general: ComplaintMatch | undefined;
  for (const clause of clauses) {
    for (let at = 0; at < clause.length; at++) {
      for (const phrase of phrases) {
        if (!matchesAt(clause, at, phrase.words) || negatedAt(clause, at)) continue;
        const match = { phrase: phrase.words.join(' '), category: phrase.category };
        if (phrase.category !== 'other') return match;
        general ??= match;
      }
    }
  }
  return general;
}
